
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_response.h"
#include "ngx_http_llm_client.h"
#include "ngx_http_llm_translate.h"
#include "ngx_http_llm_usage.h"
#include "ngx_http_llm_variables.h"
#include "ngx_http_llm_json.h"
#include "ngx_http_llm_sse.h"
#include "ngx_http_llm_aws.h"
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_openai_canon.h"


/*
 * The provider's response body, as nginx's non-buffered upstream hands it
 * over: de-chunked, passed on to the client at once (whole SSE events for
 * streams), and read for usage on the way.
 */


static ngx_int_t ngx_http_llm_filter_bytes(ngx_http_llm_ctx_t *ctx,
    ssize_t bytes);
static ngx_int_t ngx_http_llm_payload(ngx_http_llm_ctx_t *ctx, u_char *p,
    u_char *end, ngx_chain_t ***ll);
static ngx_int_t ngx_http_llm_sse_feed(ngx_http_llm_ctx_t *ctx, u_char *p,
    u_char *end, ngx_chain_t ***ll);
static u_char *ngx_http_llm_event_end(ngx_http_llm_ctx_t *ctx, u_char *p,
    u_char *end);
static ngx_int_t ngx_http_llm_sse_events(ngx_http_llm_ctx_t *ctx,
    u_char *p, u_char *end, ngx_uint_t copy, ngx_chain_t ***ll,
    u_char **rest);
static ngx_int_t ngx_http_llm_emit(ngx_http_llm_ctx_t *ctx, u_char *p,
    u_char *end, ngx_uint_t copy, ngx_chain_t ***ll);
static ngx_int_t ngx_http_llm_append(ngx_pool_t *pool, u_char **buf,
    size_t *len, size_t *size, u_char *p, size_t n);


ngx_int_t
ngx_http_llm_filter_init(void *data)
{
    ngx_http_llm_ctx_t *ctx = data;

    ngx_http_upstream_t  *u;

    u = ctx->request->upstream;

    if (u->headers_in.status_n == NGX_HTTP_NO_CONTENT
        || u->headers_in.status_n == NGX_HTTP_NOT_MODIFIED
        || (!ctx->chunked_body && ctx->length == 0))
    {
        u->length = 0;
        u->keepalive = !u->headers_in.connection_close;

    } else if (ctx->chunked_body) {
        u->length = 1;

    } else {
        u->length = ctx->length;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_llm_filter(void *data, ssize_t bytes)
{
    ngx_http_llm_ctx_t *ctx = data;

    uint64_t   t0;
    ngx_int_t  rc;

    t0 = ngx_http_llm_ns();

    rc = ngx_http_llm_filter_bytes(ctx, bytes);

    ngx_http_llm_overhead(ctx, t0);

    return rc;
}


static ngx_int_t
ngx_http_llm_filter_bytes(ngx_http_llm_ctx_t *ctx, ssize_t bytes)
{
    size_t                n;
    u_char               *p;
    ngx_int_t             rc;
    ngx_buf_t            *b;
    ngx_chain_t          *cl, **ll;
    ngx_http_request_t   *r;
    ngx_http_upstream_t  *u;

    r = ctx->request;
    u = r->upstream;
    b = &u->buffer;

    for (cl = u->out_bufs, ll = &u->out_bufs; cl; cl = cl->next) {
        ll = &cl->next;
    }

    if (!ctx->ttft_set && bytes > 0) {
        ctx->ttft_set = 1;
        ctx->ttft = ngx_http_llm_elapsed(r);
    }

    if (!ctx->chunked_body) {
        p = b->last;
        b->last += bytes;
        n = bytes;

        if (u->length > 0 && (off_t) n > u->length) {
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "llm: provider sent more data than specified "
                          "in \"Content-Length\"");
            n = (size_t) u->length;
        }

        if (u->length > 0) {
            u->length -= n;
        }

        if (ngx_http_llm_payload(ctx, p, p + n, &ll) != NGX_OK) {
            return NGX_ERROR;
        }

        if (u->length == 0) {
            /* bytes past the length leave the connection in no known state */
            u->keepalive = !u->headers_in.connection_close
                           && n == (size_t) bytes;
            ngx_http_llm_response_done(ctx);
        }

        return NGX_OK;
    }

    b->pos = b->last;
    b->last += bytes;

    for ( ;; ) {

        rc = ngx_http_parse_chunked(r, b, &ctx->chunked);

        if (rc == NGX_OK) {
            p = b->pos;

            if (b->last - b->pos >= ctx->chunked.size) {
                b->pos += (size_t) ctx->chunked.size;
                ctx->chunked.size = 0;

            } else {
                ctx->chunked.size -= b->last - b->pos;
                b->pos = b->last;
            }

            if (ngx_http_llm_payload(ctx, p, b->pos, &ll) != NGX_OK) {
                return NGX_ERROR;
            }

            continue;
        }

        if (rc == NGX_DONE) {
            u->keepalive = !u->headers_in.connection_close;
            u->length = 0;

            if (b->pos != b->last) {
                ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                              "llm: provider sent data after final chunk");
                u->keepalive = 0;
            }

            ngx_http_llm_response_done(ctx);
            break;
        }

        if (rc == NGX_AGAIN) {
            break;
        }

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "llm: provider \"%V\" sent an invalid chunked response",
                      &ctx->provider->name);

        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_payload(ngx_http_llm_ctx_t *ctx, u_char *p, u_char *end,
    ngx_chain_t ***ll)
{
    size_t  n;

    if (p == end) {
        return NGX_OK;
    }

    if (ctx->sse) {
        return ngx_http_llm_sse_feed(ctx, p, end, ll);
    }

    /* a JSON document: forwarded as it comes, kept to read its usage */

    n = end - p;

    if (ctx->resp_len + n > NGX_HTTP_LLM_MAX_RESPONSE) {
        /* past the cap the usage is not read, but the count still grows */
        ctx->resp_len += n;

    } else if (ngx_http_llm_append(ctx->request->pool, &ctx->resp,
                                   &ctx->resp_len, &ctx->resp_size, p, n)
               != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ctx->translate) {
        /* translated whole at the end (ngx_http_llm_finalize_request) */
        return NGX_OK;
    }

    return ngx_http_llm_emit(ctx, p, end, 0, ll);
}


/*
 * SSE events are forwarded one whole event at a time: the usage-only
 * chunk the gateway asked for must be removable, and usage read, and an
 * event is the unit a client acts on.  Whole events inside one read go
 * out as slices of the upstream buffer; an event split across reads is
 * assembled in ctx->carry, bounded by NGX_HTTP_LLM_MAX_EVENT.
 */

static ngx_int_t
ngx_http_llm_sse_feed(ngx_http_llm_ctx_t *ctx, u_char *p, u_char *end,
    ngx_chain_t ***ll)
{
    size_t   n;
    u_char  *rest;

    if (ctx->carry_len == 0) {
        if (ngx_http_llm_sse_events(ctx, p, end, 0, ll, &rest) != NGX_OK) {
            return NGX_ERROR;
        }

        p = rest;
        if (p == end) {
            return NGX_OK;
        }
    }

    n = end - p;

    if (ctx->carry_len + n > NGX_HTTP_LLM_MAX_EVENT) {
        ngx_log_error(NGX_LOG_ERR, ctx->request->connection->log, 0,
                      "llm: provider \"%V\" sent an event larger than %uz",
                      &ctx->provider->name, (size_t) NGX_HTTP_LLM_MAX_EVENT);
        return NGX_ERROR;
    }

    if (ngx_http_llm_append(ctx->request->pool, &ctx->carry, &ctx->carry_len,
                            &ctx->carry_size, p, n)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* a boundary may straddle the old and the new bytes */
    p = ctx->carry + (ctx->carry_scan > 2 && !ctx->eventstream
                      ? ctx->carry_scan - 2 : 0);

    if (ngx_http_llm_event_end(ctx, p, ctx->carry + ctx->carry_len) == NULL) {
        ctx->carry_scan = ctx->carry_len;
        return NGX_OK;
    }

    if (ngx_http_llm_sse_events(ctx, ctx->carry, ctx->carry + ctx->carry_len,
                                1, ll, &rest)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    n = ctx->carry + ctx->carry_len - rest;

    if (n) {
        ngx_memmove(ctx->carry, rest, n);
    }

    ctx->carry_len = n;
    ctx->carry_scan = n;

    return NGX_OK;
}


/*
 * The end of the whole event at p, or NULL: an SSE event, or an AWS
 * event stream frame by its length (one too short to be a frame is taken
 * whole, for its reader to refuse).
 */

static u_char *
ngx_http_llm_event_end(ngx_http_llm_ctx_t *ctx, u_char *p, u_char *end)
{
    size_t  n;

    if (!ctx->eventstream) {
        return ngx_http_llm_sse_event_end(p, end);
    }

    if (end - p < 4) {
        return NULL;
    }

    n = ngx_http_llm_eventstream_size(p, end - p);

    if (n < NGX_HTTP_LLM_ES_MIN) {
        return end;
    }

    return ((size_t) (end - p) >= n) ? p + n : NULL;
}


static ngx_int_t
ngx_http_llm_sse_events(ngx_http_llm_ctx_t *ctx, u_char *p, u_char *end,
    ngx_uint_t copy, ngx_chain_t ***ll, u_char **rest)
{
    u_char                     *e, *from;
    ngx_int_t                   rc;
    ngx_str_t                   data, out;
    ngx_uint_t                  usage;
    ngx_http_llm_json_value_t   doc;

    /*
     * Events passed on as they came go out as one slice, [from, p): a
     * buffer and a chain link per read, not per event.
     */

    from = p;

    for ( ;; ) {
        e = ngx_http_llm_event_end(ctx, p, end);
        if (e == NULL) {
            break;
        }

        if (ctx->translate) {
            if (ctx->eventstream) {
                /* a frame is translated whole */
                data.data = p;
                data.len = e - p;
                rc = NGX_OK;

            } else {
                rc = ngx_http_llm_sse_data(p, e, &data);
            }

            if (rc == NGX_OK) {
                rc = ngx_http_llm_translate_event(ctx, &data, &out);

                if (rc == NGX_ERROR) {
                    return NGX_ERROR;
                }

                if (rc == NGX_DONE) {
                    ctx->done_seen = 1;
                }

                if (out.len
                    && ngx_http_llm_emit(ctx, out.data, out.data + out.len, 1,
                                         ll)
                       != NGX_OK)
                {
                    return NGX_ERROR;
                }
            }

            p = e;
            continue;
        }

        if (ngx_http_llm_sse_data(p, e, &data) == NGX_OK) {

            if (!ngx_http_llm_clients[ctx->lcf->gateway].pivot) {
                rc = ngx_http_llm_translate_observe(ctx, &data);

                if (rc == NGX_ERROR) {
                    return NGX_ERROR;
                }

                if (rc == NGX_DONE) {
                    ctx->done_seen = 1;
                }

            } else if (ngx_http_llm_sse_is_done(&data)) {
                ctx->done_seen = 1;

            } else {
                ctx->streamed += ngx_http_llm_openai_chunk_scan(data.data,
                                                  data.data + data.len,
                                                  &usage);

                if (usage
                    && ngx_http_llm_json_document(data.data,
                                                  data.data + data.len, &doc)
                       == NGX_OK)
                {
                    ngx_http_llm_usage_openai(ctx, doc.start, doc.end);

                    if (ctx->strip_usage
                        && ngx_http_llm_usage_openai_only(doc.start,
                                                          doc.end))
                    {
                        /* the client did not ask for it */
                        if (from != p
                            && ngx_http_llm_emit(ctx, from, p, copy, ll)
                               != NGX_OK)
                        {
                            return NGX_ERROR;
                        }

                        from = e;
                    }
                }
            }
        }

        p = e;
    }

    *rest = p;

    if (!ctx->translate && from != p) {
        return ngx_http_llm_emit(ctx, from, p, copy, ll);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_emit(ngx_http_llm_ctx_t *ctx, u_char *p, u_char *end,
    ngx_uint_t copy, ngx_chain_t ***ll)
{
    size_t                n, size;
    ngx_buf_t            *b;
    ngx_chain_t          *cl;
    ngx_http_upstream_t  *u;

    u = ctx->request->upstream;
    n = end - p;

    cl = ngx_chain_get_free_buf(ctx->request->pool, &u->free_bufs);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    b = cl->buf;

    /* a recycled buf keeps the memory it owned in start..end */

    if (copy) {
        if (b->start == NULL || (size_t) (b->end - b->start) < n) {

            /*
             * grown by powers of two and the old memory given back, so
             * that a long stream's copies stay within a bounded size
             */

            for (size = 1024; size < n; size *= 2) { /* void */ }

            if (b->start) {
                ngx_pfree(ctx->request->pool, b->start);
            }

            b->start = ngx_palloc(ctx->request->pool, size);
            if (b->start == NULL) {
                return NGX_ERROR;
            }

            b->end = b->start + size;
        }

        b->pos = b->start;
        b->last = ngx_cpymem(b->pos, p, n);
        b->temporary = 1;

    } else {
        b->pos = p;
        b->last = end;
        b->memory = 1;
    }

    b->flush = 1;
    b->tag = u->output.tag;

    **ll = cl;
    *ll = &cl->next;

    return NGX_OK;
}


void
ngx_http_llm_response_done(ngx_http_llm_ctx_t *ctx)
{
    ngx_str_t                  data;
    ngx_http_llm_json_value_t  doc;

    if (ctx->sse || ctx->translate || ctx->resp_len == 0
        || ctx->resp_len > NGX_HTTP_LLM_MAX_RESPONSE)
    {
        return;
    }

    if (!ngx_http_llm_clients[ctx->lcf->gateway].pivot) {
        data.data = ctx->resp;
        data.len = ctx->resp_len;

        (void) ngx_http_llm_translate_observe(ctx, &data);

    } else if (ngx_http_llm_json_document(ctx->resp,
                                          ctx->resp + ctx->resp_len, &doc)
               == NGX_OK)
    {
        ngx_http_llm_usage_openai(ctx, doc.start, doc.end);
    }

    /* read once */
    ctx->resp_len = NGX_HTTP_LLM_MAX_RESPONSE + 1;
}


/*
 * Appends to a buffer that grows by doubling; the memory it outgrows is
 * given back (a large pool allocation is freed at once).
 */

static ngx_int_t
ngx_http_llm_append(ngx_pool_t *pool, u_char **buf, size_t *len,
    size_t *size, u_char *p, size_t n)
{
    size_t   want;
    u_char  *grown;

    if (*len + n > *size) {
        for (want = ngx_max(*size * 2, 4096); want < *len + n; want *= 2) {
            /* void */
        }

        grown = ngx_pnalloc(pool, want);
        if (grown == NULL) {
            return NGX_ERROR;
        }

        if (*len) {
            ngx_memcpy(grown, *buf, *len);
        }

        if (*buf) {
            ngx_pfree(pool, *buf);
        }

        *buf = grown;
        *size = want;
    }

    ngx_memcpy(*buf + *len, p, n);
    *len += n;

    return NGX_OK;
}
