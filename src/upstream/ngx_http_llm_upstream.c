
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_upstream.h"
#include "ngx_http_llm_attempt.h"
#include "ngx_http_llm_error.h"
#include "ngx_http_llm_govern.h"
#include "ngx_http_llm_response.h"
#include "ngx_http_llm_translate.h"
#include "ngx_http_llm_usage.h"
#include "ngx_http_llm_json.h"
#include "ngx_http_llm_sse.h"
#include "ngx_http_llm_aws.h"


static ngx_int_t ngx_http_llm_create_request(ngx_http_request_t *r);
static ngx_int_t ngx_http_llm_reinit_request(ngx_http_request_t *r);
static ngx_int_t ngx_http_llm_process_timed(ngx_http_request_t *r);
static ngx_int_t ngx_http_llm_process_status_line(ngx_http_request_t *r);
static ngx_int_t ngx_http_llm_process_header(ngx_http_request_t *r);
static ngx_int_t ngx_http_llm_header_done(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);
static ngx_int_t ngx_http_llm_forward_header(ngx_table_elt_t *h);
static void ngx_http_llm_retry_after(ngx_http_llm_ctx_t *ctx,
    ngx_table_elt_t *h);
static ngx_int_t ngx_http_llm_first_event(ngx_http_request_t *r);
static ngx_int_t ngx_http_llm_first_frame(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, u_char *start, u_char *last,
    ngx_uint_t complete, ngx_uint_t bad);
static void ngx_http_llm_abort_request(ngx_http_request_t *r);
static void ngx_http_llm_finalize_request(ngx_http_request_t *r,
    ngx_int_t rc);
static ngx_int_t ngx_http_llm_send_event(ngx_http_request_t *r,
    ngx_str_t *ev);
static void ngx_http_llm_attempts_error(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_int_t rc);


static ngx_str_t  ngx_http_llm_hide_headers[] = {
    ngx_null_string
};


ngx_int_t
ngx_http_llm_upstream_init_conf(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf, ngx_http_upstream_conf_t *conf,
    ngx_http_upstream_conf_t *prev)
{
    ngx_hash_init_t  hash;

    conf->upstream = lmcf->uscf;

    /* per provider; these are replaced on every attempt */
    conf->connect_timeout = 10000;
    conf->send_timeout = 60000;
    conf->read_timeout = 600000;

    ngx_conf_merge_uint_value(conf->next_upstream_tries,
                              prev->next_upstream_tries, 4);
    ngx_conf_merge_msec_value(conf->next_upstream_timeout,
                              prev->next_upstream_timeout, 0);
    ngx_conf_merge_size_value(conf->buffer_size, prev->buffer_size,
                              64 * 1024);

    conf->next_upstream = NGX_CONF_BITMASK_SET
                          |NGX_HTTP_UPSTREAM_FT_ERROR
                          |NGX_HTTP_UPSTREAM_FT_TIMEOUT
                          |NGX_HTTP_UPSTREAM_FT_INVALID_HEADER
                          |NGX_HTTP_UPSTREAM_FT_HTTP_429
                          |NGX_HTTP_UPSTREAM_FT_HTTP_500
                          |NGX_HTTP_UPSTREAM_FT_HTTP_502
                          |NGX_HTTP_UPSTREAM_FT_HTTP_503
                          |NGX_HTTP_UPSTREAM_FT_HTTP_504
                          |NGX_HTTP_UPSTREAM_FT_NON_IDEMPOTENT;

    conf->ignore_headers = NGX_HTTP_UPSTREAM_IGN_XA_REDIRECT
                           |NGX_HTTP_UPSTREAM_IGN_XA_EXPIRES
                           |NGX_HTTP_UPSTREAM_IGN_XA_LIMIT_RATE
                           |NGX_HTTP_UPSTREAM_IGN_XA_BUFFERING
                           |NGX_HTTP_UPSTREAM_IGN_XA_CHARSET;

    conf->buffering = 0;
    conf->request_buffering = 1;
    conf->ignore_client_abort = 0;
    conf->intercept_errors = 0;
    conf->send_lowat = 0;
    conf->limit_rate = 0;
    conf->max_temp_file_size = 0;
    conf->temp_file_write_size = 0;
    conf->pass_request_headers = 0;
    conf->pass_request_body = 0;
    conf->cyclic_temp_file = 0;
    conf->socket_keepalive = 0;
    conf->local = NULL;
    ngx_str_set(&conf->module, "llm");

#if (NGX_HTTP_SSL)
    conf->ssl = lmcf->ssl;
    conf->ssl_session_reuse = 1;
    conf->ssl_server_name = 1;
    conf->ssl_verify = 1;
#endif

    hash.max_size = 512;
    hash.bucket_size = ngx_align(64, ngx_cacheline_size);
    hash.name = "llm_headers_hash";

    return ngx_http_upstream_hide_headers_hash(cf, conf, prev,
                                               ngx_http_llm_hide_headers,
                                               &hash);
}


ngx_int_t
ngx_http_llm_upstream_start(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    ngx_http_upstream_t  *u;

    if (ngx_http_upstream_create(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* a private copy: timeouts differ per provider and per phase */

    ctx->conf = ngx_palloc(r->pool, sizeof(ngx_http_upstream_conf_t));
    if (ctx->conf == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(ctx->conf, &ctx->lcf->upstream,
               sizeof(ngx_http_upstream_conf_t));

    u = r->upstream;

    u->conf = ctx->conf;
    u->output.tag = (ngx_buf_tag_t) &ngx_http_llm_module;
    ngx_str_set(&u->schema, "llm://");

    u->create_request = ngx_http_llm_create_request;
    u->reinit_request = ngx_http_llm_reinit_request;
    u->process_header = ngx_http_llm_process_timed;
    ctx->process = ngx_http_llm_process_status_line;
    u->abort_request = ngx_http_llm_abort_request;
    u->finalize_request = ngx_http_llm_finalize_request;

    u->buffering = 0;
    u->input_filter_init = ngx_http_llm_filter_init;
    u->input_filter = ngx_http_llm_filter;
    u->input_filter_ctx = ctx;

    ngx_http_upstream_init(r);

    return NGX_DONE;
}


static ngx_int_t
ngx_http_llm_create_request(ngx_http_request_t *r)
{
    /* the balancer builds the request on each attempt */
    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_reinit_request(ngx_http_request_t *r)
{
    ngx_http_llm_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);
    if (ctx == NULL) {
        return NGX_OK;
    }

    ngx_http_llm_attempt_reset(ctx);

    ctx->process = ngx_http_llm_process_status_line;
    r->upstream->input_filter_init = ngx_http_llm_filter_init;
    r->upstream->input_filter = ngx_http_llm_filter;
    r->state = 0;

    return NGX_OK;
}


/* the parser of the moment, timed for $llm_overhead */

static ngx_int_t
ngx_http_llm_process_timed(ngx_http_request_t *r)
{
    uint64_t             t0;
    ngx_int_t            rc;
    ngx_http_llm_ctx_t  *ctx;

    t0 = ngx_http_llm_ns();

    ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);

    rc = ctx->process(r);

    ngx_http_llm_overhead(ctx, t0);

    return rc;
}


static ngx_int_t
ngx_http_llm_process_status_line(ngx_http_request_t *r)
{
    ngx_int_t             rc;
    ngx_http_upstream_t  *u;
    ngx_http_llm_ctx_t   *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);
    u = r->upstream;

    rc = ngx_http_parse_status_line(r, &u->buffer, &ctx->status);

    if (rc == NGX_AGAIN) {
        return rc;
    }

    if (rc == NGX_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "llm: provider \"%V\" sent no valid HTTP/1.x header",
                      &ctx->provider->name);
        return NGX_HTTP_UPSTREAM_INVALID_HEADER;
    }

    if (u->state && u->state->status == 0) {
        u->state->status = ctx->status.code;
    }

    u->headers_in.status_n = ctx->status.code;

    /* Anthropic's "overloaded" is a 503 for failover purposes */
    if (ctx->status.code == 529) {
        u->headers_in.status_n = NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    if (ctx->status.http_version < NGX_HTTP_VERSION_11) {
        u->headers_in.connection_close = 1;
    }

    ctx->process = ngx_http_llm_process_header;

    return ngx_http_llm_process_header(r);
}


static ngx_int_t
ngx_http_llm_process_header(ngx_http_request_t *r)
{
    ngx_int_t                       rc;
    ngx_table_elt_t                *h;
    ngx_http_upstream_t            *u;
    ngx_http_llm_ctx_t             *ctx;
    ngx_http_upstream_header_t     *hh;
    ngx_http_upstream_main_conf_t  *umcf;

    umcf = ngx_http_get_module_main_conf(r, ngx_http_upstream_module);
    ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);
    u = r->upstream;

    for ( ;; ) {

        rc = ngx_http_parse_header_line(r, &u->buffer, 1);

        if (rc == NGX_OK) {
            h = ngx_list_push(&u->headers_in.headers);
            if (h == NULL) {
                return NGX_ERROR;
            }

            h->hash = r->header_hash;
#if (nginx_version >= 1023000)
            h->next = NULL;
#endif

            h->key.len = r->header_name_end - r->header_name_start;
            h->value.len = r->header_end - r->header_start;

            h->key.data = ngx_pnalloc(r->pool,
                               h->key.len + 1 + h->value.len + 1 + h->key.len);
            if (h->key.data == NULL) {
                h->hash = 0;
                return NGX_ERROR;
            }

            h->value.data = h->key.data + h->key.len + 1;
            h->lowcase_key = h->key.data + h->key.len + 1 + h->value.len + 1;

            ngx_memcpy(h->key.data, r->header_name_start, h->key.len);
            h->key.data[h->key.len] = '\0';
            ngx_memcpy(h->value.data, r->header_start, h->value.len);
            h->value.data[h->value.len] = '\0';

            if (h->key.len == r->lowcase_index) {
                ngx_memcpy(h->lowcase_key, r->lowcase_header, h->key.len);

            } else {
                ngx_strlow(h->lowcase_key, h->key.data, h->key.len);
            }

            hh = ngx_hash_find(&umcf->headers_in_hash, h->hash,
                               h->lowcase_key, h->key.len);

            if (hh && hh->handler(r, h, hh->offset) != NGX_OK) {
                return NGX_ERROR;
            }

            if (h->key.len >= 11
                && ngx_strncmp(h->lowcase_key, "retry-after", 11) == 0)
            {
                ngx_http_llm_retry_after(ctx, h);
            }

            if (!ngx_http_llm_forward_header(h)) {
                /* parsed for us, not copied to the client */
                h->hash = 0;
            }

            continue;
        }

        if (rc == NGX_HTTP_PARSE_HEADER_DONE) {
            return ngx_http_llm_header_done(r, ctx);
        }

        if (rc == NGX_AGAIN) {
            return NGX_AGAIN;
        }

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "llm: provider \"%V\" sent an invalid header",
                      &ctx->provider->name);

        return NGX_HTTP_UPSTREAM_INVALID_HEADER;
    }
}


/*
 * Retry-After: seconds or an HTTP date; retry-after-ms (OpenAI, Azure):
 * milliseconds.  Honoured up to an hour.
 */

static void
ngx_http_llm_retry_after(ngx_http_llm_ctx_t *ctx, ngx_table_elt_t *h)
{
    time_t     t;
    ngx_int_t  n;

    if (h->key.len == 14 && ngx_strncmp(h->lowcase_key + 11, "-ms", 3) == 0) {
        n = ngx_atoi(h->value.data, h->value.len);

        if (n > 0) {
            ctx->retry_after = ngx_min(n, 3600000);
        }

        return;
    }

    if (h->key.len != 11 || ctx->retry_after) {
        return;
    }

    n = ngx_atoi(h->value.data, h->value.len);

    if (n == NGX_ERROR) {
        t = ngx_parse_http_time(h->value.data, h->value.len);
        n = (t == NGX_ERROR) ? 0 : t - ngx_time();
    }

    if (n > 0) {
        ctx->retry_after = ngx_min(n, 3600) * 1000;
    }
}


/*
 * Hop-by-hop framing is ours to decide, and a provider's own rate limits,
 * organisation and cookies describe the gateway's account, not the
 * tenant's.
 */

static ngx_int_t
ngx_http_llm_forward_header(ngx_table_elt_t *h)
{
    static ngx_str_t  drop[] = {
        ngx_string("content-length"),
        ngx_string("transfer-encoding"),
        ngx_string("connection"),
        ngx_string("keep-alive"),
        ngx_string("server"),
        ngx_string("date"),
        ngx_string("set-cookie"),
        ngx_string("alt-svc"),
        ngx_string("openai-organization"),
        ngx_string("openai-project"),
        ngx_null_string
    };

    static ngx_str_t  drop_prefix[] = {
        ngx_string("x-ratelimit-"),
        ngx_string("anthropic-ratelimit-"),
        ngx_string("x-accel-"),
        ngx_string("cf-"),
        ngx_null_string
    };

    ngx_str_t  *s;

    for (s = drop; s->len; s++) {
        if (h->key.len == s->len
            && ngx_strncmp(h->lowcase_key, s->data, s->len) == 0)
        {
            return 0;
        }
    }

    for (s = drop_prefix; s->len; s++) {
        if (h->key.len > s->len
            && ngx_strncmp(h->lowcase_key, s->data, s->len) == 0)
        {
            return 0;
        }
    }

    return 1;
}


static ngx_int_t
ngx_http_llm_header_done(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    ngx_str_t            *ct;
    ngx_table_elt_t      *h;
    ngx_http_upstream_t  *u;

    u = r->upstream;

    ctx->header_done = 1;
    ctx->chunked_body = u->headers_in.chunked;
    ctx->length = u->headers_in.chunked ? -1
                                        : u->headers_in.content_length_n;

    ct = u->headers_in.content_type ? &u->headers_in.content_type->value
                                    : NULL;

    if (ct
        && ct->len >= sizeof("text/event-stream") - 1
        && ngx_strncasecmp(ct->data, (u_char *) "text/event-stream",
                           sizeof("text/event-stream") - 1)
           == 0)
    {
        ctx->sse = 1;
    }

    /* Bedrock's binary frames: the client gets them as SSE events */
    if (ct && ctx->translate
        && ct->len >= sizeof("application/vnd.amazon.eventstream") - 1
        && ngx_strncasecmp(ct->data,
                           (u_char *) "application/vnd.amazon.eventstream",
                           sizeof("application/vnd.amazon.eventstream") - 1)
           == 0)
    {
        ctx->sse = 1;
        ctx->eventstream = 1;
        ngx_str_set(ct, "text/event-stream");
    }

    /*
     * A JSON answer goes out unchanged, so its length holds; a stream is
     * edited (the usage chunk) and framed for the client by nginx.
     */
    if (ctx->sse || ctx->chunked_body || ctx->translate) {
        u->headers_in.content_length_n = -1;
    }

    if (u->headers_in.status_n == NGX_HTTP_NO_CONTENT
        || u->headers_in.status_n == NGX_HTTP_NOT_MODIFIED
        || (!ctx->chunked_body && ctx->length == 0))
    {
        u->keepalive = !u->headers_in.connection_close;
    }

    /*
     * Every failure status takes the same path: a refused key (401, 403,
     * which nginx's next_upstream does not know), a 429, any 5xx (nginx
     * knows only four).  On the last candidate the client gets the
     * gateway's error listing each attempt, not one provider's body.
     */

    if (u->headers_in.status_n == NGX_HTTP_UNAUTHORIZED
        || u->headers_in.status_n == NGX_HTTP_FORBIDDEN
        || u->headers_in.status_n == NGX_HTTP_TOO_MANY_REQUESTS
        || u->headers_in.status_n >= NGX_HTTP_INTERNAL_SERVER_ERROR)
    {
        return NGX_HTTP_UPSTREAM_INVALID_HEADER;
    }

    /*
     * Which provider answered, among the upstream's headers: core resets
     * them on a retry, so a failed attempt's name never reaches the client.
     */

    h = ngx_list_push(&u->headers_in.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    ngx_str_set(&h->key, "x-llm-provider");
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif
    h->lowcase_key = h->key.data;
    h->hash = ngx_hash_key(h->key.data, h->key.len);
    h->value = ctx->provider->name;

    if (ctx->sse && u->headers_in.status_n == NGX_HTTP_OK) {
        /* nothing reaches the client before the first event is seen */
        ctx->process = ngx_http_llm_first_event;
        return ngx_http_llm_first_event(r);
    }

    /* from now on the read timeout is the idle timeout between events */
    ctx->conf->read_timeout = ctx->provider->idle_timeout;

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "llm: provider \"%V\" status %ui sse:%ui chunked:%ui",
                   &ctx->provider->name, u->headers_in.status_n,
                   (ngx_uint_t) ctx->sse, (ngx_uint_t) ctx->chunked_body);

    return NGX_OK;
}


/*
 * A 200 stream whose first event is an error is a failure like a 5xx,
 * and a stream that sends nothing within first_token a timeout: both fail
 * over, as no byte has reached the client yet.  The body bytes are only
 * peeked at (de-chunked into a scratch copy if chunked); u->buffer.pos
 * stays at the body's start for the filter.  The read timer armed when
 * the request was sent is not re-armed while this returns NGX_AGAIN.
 */

static ngx_int_t
ngx_http_llm_first_event(ngx_http_request_t *r)
{
    u_char                     *p, *start, *last, *e;
    size_t                      n;
    ngx_int_t                   rc;
    ngx_buf_t                   b;
    ngx_str_t                   data;
    ngx_uint_t                  complete, bad;
    ngx_http_chunked_t          cs;
    ngx_http_upstream_t        *u;
    ngx_http_llm_ctx_t         *ctx;
    ngx_http_llm_json_value_t   doc, err;

    ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);
    u = r->upstream;

    b = u->buffer;
    complete = 0;
    bad = 0;

    if (ctx->chunked_body) {
        if (ctx->peek == NULL) {
            ctx->peek = ngx_pnalloc(r->pool, u->conf->buffer_size);
            if (ctx->peek == NULL) {
                return NGX_ERROR;
            }
        }

        start = ctx->peek;
        p = start;
        ngx_memzero(&cs, sizeof(ngx_http_chunked_t));

        for ( ;; ) {
            rc = ngx_http_parse_chunked(r, &b, &cs);

            if (rc == NGX_OK) {
                n = ngx_min((off_t) (b.last - b.pos), cs.size);
                p = ngx_cpymem(p, b.pos, n);
                b.pos += n;
                cs.size -= n;
                continue;
            }

            if (rc == NGX_DONE) {
                complete = 1;
                break;
            }

            if (rc == NGX_ERROR) {
                /* a fault only if it comes before the first event */
                bad = 1;
            }

            break;
        }

        last = p;

    } else {
        /* looked at where it is */
        n = b.last - b.pos;

        if (ctx->length >= 0 && (off_t) n >= ctx->length) {
            n = ctx->length;
            complete = 1;
        }

        start = b.pos;
        last = b.pos + n;
    }

    if (ctx->eventstream) {
        return ngx_http_llm_first_frame(r, ctx, start, last, complete, bad);
    }

    for (p = start; (e = ngx_http_llm_sse_event_end(p, last)); p = e) {

        if (ngx_http_llm_sse_data(p, e, &data) != NGX_OK) {
            /* a comment or a keep-alive line: not yet an event */
            continue;
        }

        if (!ngx_http_llm_sse_is_done(&data)
            && ngx_http_llm_json_document(data.data, data.data + data.len,
                                          &doc)
               == NGX_OK
            && ngx_http_llm_json_get(&doc, "error", &err) == NGX_OK
            && err.type != NGX_HTTP_LLM_JSON_NULL)
        {
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "llm: provider \"%V\" sent an error as its first "
                          "event: \"%*s\"", &ctx->provider->name,
                          ngx_min(data.len, 200), data.data);

            ctx->status.code = 0;
            return NGX_HTTP_UPSTREAM_INVALID_HEADER;
        }

        break;
    }

    if (e == NULL && bad) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "llm: provider \"%V\" sent an invalid chunked response",
                      &ctx->provider->name);
        return NGX_HTTP_UPSTREAM_INVALID_HEADER;
    }

    if (e == NULL && !complete && !u->peer.connection->read->eof) {
        return NGX_AGAIN;
    }

    /* from now on the read timeout is the idle timeout between events */
    ctx->conf->read_timeout = ctx->provider->idle_timeout;

    return NGX_OK;
}


/* the same for Bedrock's frames: an exception first fails over */

static ngx_int_t
ngx_http_llm_first_frame(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    u_char *start, u_char *last, ngx_uint_t complete, ngx_uint_t bad)
{
    ngx_int_t                 rc;
    ngx_http_upstream_t      *u;
    ngx_http_llm_es_frame_t   f;

    u = r->upstream;

    rc = ngx_http_llm_eventstream_frame(start, last - start, &f);

    if (rc == NGX_OK
        && (f.message_type.len != 5
            || ngx_strncmp(f.message_type.data, "event", 5) != 0))
    {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "llm: provider \"%V\" sent an exception as its first "
                      "frame: \"%V\" \"%*s\"", &ctx->provider->name,
                      &f.exception_type, ngx_min(f.payload.len, 200),
                      f.payload.data);

        ctx->status.code = 0;
        return NGX_HTTP_UPSTREAM_INVALID_HEADER;
    }

    if (rc == NGX_ERROR || (rc == NGX_AGAIN && bad)) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "llm: provider \"%V\" sent an invalid event stream",
                      &ctx->provider->name);
        return NGX_HTTP_UPSTREAM_INVALID_HEADER;
    }

    if (rc == NGX_AGAIN && !complete && !u->peer.connection->read->eof) {
        return NGX_AGAIN;
    }

    ctx->conf->read_timeout = ctx->provider->idle_timeout;

    return NGX_OK;
}


static void
ngx_http_llm_abort_request(ngx_http_request_t *r)
{
    return;
}


static void
ngx_http_llm_finalize_request(ngx_http_request_t *r, ngx_int_t rc)
{
    size_t                received;
    uint64_t              t0;
    ngx_int_t             tr;
    ngx_str_t             ev;
    ngx_uint_t            status;
    ngx_http_upstream_t  *u;
    ngx_http_llm_ctx_t   *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);
    u = r->upstream;

    if (ctx == NULL) {
        return;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "llm: finalize rc:%i attempts:%ui", rc, ctx->attempts);

    if (!u->header_sent) {
        if (rc >= NGX_HTTP_SPECIAL_RESPONSE && ctx->err_status == 0) {
            ngx_http_llm_attempts_error(r, ctx, rc);
        }

        ngx_http_llm_govern_settle(ctx);

        return;
    }

    /* what came of a JSON answer, before it is read (and marked so) */
    received = ctx->resp_len;

    ngx_http_llm_response_done(ctx);

    /* a translated answer goes out whole, once it is all in */
    if (ctx->translate && !ctx->sse && !r->header_only
        && !r->connection->error)
    {
        t0 = ngx_http_llm_ns();

        tr = (rc == NGX_OK)
             ? ngx_http_llm_translate_response(r, ctx,
                                               u->headers_in.status_n,
                                               ctx->resp, ctx->resp_len,
                                               &u->out_bufs)
             : ngx_http_llm_translate_cut(r, ctx, &u->out_bufs);

        ngx_http_llm_overhead(ctx, t0);

        if (tr != NGX_OK
            || ngx_http_output_filter(r, u->out_bufs) == NGX_ERROR)
        {
            ngx_http_llm_govern_settle(ctx);
            return;
        }

        u->out_bufs = NULL;

        if (rc != NGX_OK) {
            /* core would close with the body unended: the error ends it */
            ngx_http_llm_govern_settle(ctx);
            (void) ngx_http_send_special(r, NGX_HTTP_LAST);
            return;
        }
    }

    /*
     * A passed-through answer the provider cut (a premature close, bad
     * framing, a timeout): what came still goes out, the client sees it
     * end short, and what the provider charged is estimated, never 0.
     */
    if (!ctx->sse && !ctx->translate && rc != NGX_OK && !r->header_only
        && !r->connection->error)
    {
        if (ctx->usage_source == NGX_HTTP_LLM_USAGE_MISSING
            && u->headers_in.status_n < NGX_HTTP_SPECIAL_RESPONSE)
        {
            ctx->streamed = received;
            ngx_http_llm_usage_estimate(ctx);
        }

        if (u->out_bufs
            && ngx_http_output_filter(r, u->out_bufs) != NGX_ERROR)
        {
            u->out_bufs = NULL;
        }

        (void) ngx_http_send_special(r, NGX_HTTP_FLUSH);
    }

    /* a stream whose dialect has no end marker ends with its body */
    if (ctx->sse && !ctx->done_seen && rc == NGX_OK && u->length <= 0
        && !r->header_only && !r->connection->error
        && ngx_http_llm_translate_end(ctx, &ev) == NGX_OK)
    {
        ctx->done_seen = 1;

        if (ngx_http_llm_send_event(r, &ev) == NGX_ERROR) {
            ngx_http_llm_govern_settle(ctx);
            return;
        }
    }

    /* a stream that gave no usage (cut, or a provider that omits it) */
    if (ctx->sse && ctx->status.code == NGX_HTTP_OK) {
        ngx_http_llm_usage_estimate(ctx);
    }

    /* the usage is final: charge now, not when the connection closes */
    ngx_http_llm_govern_settle(ctx);

    /*
     * A stream that ends without the provider's end marker is broken: the
     * client must see an error event, never a clean end.
     */

    if (!ctx->sse || ctx->done_seen || r->connection->error
        || rc == NGX_HTTP_CLIENT_CLOSED_REQUEST || r->header_only)
    {
        return;
    }

    /* events parsed in the same read as the fault still go out first */
    if (u->out_bufs) {
        if (ngx_http_output_filter(r, u->out_bufs) == NGX_ERROR) {
            return;
        }

        u->out_bufs = NULL;
    }

    status = (rc == NGX_HTTP_GATEWAY_TIME_OUT
              || rc == NGX_HTTP_REQUEST_TIME_OUT)
             ? NGX_HTTP_GATEWAY_TIME_OUT : NGX_HTTP_BAD_GATEWAY;

    (void) ngx_http_llm_error(r, status, "stream_interrupted",
                 "The provider stream from \"%V\" was interrupted%s",
                 &ctx->provider->name,
                 status == NGX_HTTP_GATEWAY_TIME_OUT
                 ? " (idle timeout)" : "");

    if (ngx_http_llm_render_error(r, ctx, status, &ev, 1) != NGX_OK) {
        return;
    }

    if (ngx_http_llm_send_event(r, &ev) == NGX_ERROR || rc == NGX_OK) {
        /* on a clean end core sends the last chunk itself */
        return;
    }

    /* end the response cleanly: the error event is the last word */
    (void) ngx_http_send_special(r, NGX_HTTP_LAST);
}


/* events the gateway adds to a stream, flushed at once */

static ngx_int_t
ngx_http_llm_send_event(ngx_http_request_t *r, ngx_str_t *ev)
{
    ngx_buf_t    *b;
    ngx_chain_t   out;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = ev->data;
    b->last = ev->data + ev->len;
    b->memory = 1;
    b->flush = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/* "Every provider failed: a (status 500), b (no answer)" */

static void
ngx_http_llm_attempts_error(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_int_t rc)
{
    u_char      *p, *last, buf[1024];
    ngx_uint_t   i, status;

    status = rc;

    if (ctx->ntried && ctx->tried[ctx->ntried - 1].status == 429) {
        status = NGX_HTTP_TOO_MANY_REQUESTS;
    }

    p = buf;
    last = buf + sizeof(buf);

    if (ctx->ntried == 0) {
        for (i = 0; i < ctx->ncandidates; i++) {
            p = ngx_slprintf(p, last, "%s\"%V\"", i ? ", " : "",
                             &ctx->candidates[i].provider->name);
        }

        (void) ngx_http_llm_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                  "upstream_failed",
                                  "No provider could be tried (cooling "
                                  "down, circuit open or no access token): "
                                  "%*s", p - buf, buf);
        return;
    }

    for (i = 0; i < ctx->ntried; i++) {
        p = ngx_slprintf(p, last, "%s\"%V\" (", i ? ", " : "",
                         &ctx->tried[i].provider->name);

        if (ctx->tried[i].status) {
            p = ngx_slprintf(p, last, "status %ui)", ctx->tried[i].status);

        } else if (rc == NGX_HTTP_GATEWAY_TIME_OUT && i == ctx->ntried - 1) {
            p = ngx_slprintf(p, last, "timed out)");

        } else {
            p = ngx_slprintf(p, last, "no valid answer)");
        }
    }

    (void) ngx_http_llm_error(r, status,
                              status == NGX_HTTP_TOO_MANY_REQUESTS
                              ? "upstream_rate_limited" : "upstream_failed",
                              "Every provider failed (%ui attempt%s): %*s",
                              ctx->attempts, ctx->attempts == 1 ? "" : "s",
                              p - buf, buf);
}
