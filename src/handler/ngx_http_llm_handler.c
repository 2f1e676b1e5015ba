
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/sha.h>
#include <openssl/crypto.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_handler.h"
#include "ngx_http_llm_client.h"
#include "ngx_http_llm_error.h"
#include "ngx_http_llm_govern.h"
#include "ngx_http_llm_mock.h"
#include "ngx_http_llm_models.h"
#include "ngx_http_llm_provider.h"
#include "ngx_http_llm_request.h"
#include "ngx_http_llm_route.h"
#include "ngx_http_llm_translate.h"
#include "ngx_http_llm_upstream.h"
#include "ngx_http_llm_vertex.h"
#include "ngx_http_llm_json.h"


static ngx_int_t ngx_http_llm_authenticate(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);
static ngx_int_t ngx_http_llm_header_key(ngx_http_request_t *r,
    ngx_str_t *key);
static ngx_int_t ngx_http_llm_body_room(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);
static ngx_int_t ngx_http_llm_read_body(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);
static void ngx_http_llm_body_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_llm_count_tokens(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_str_t *answer);


ngx_int_t
ngx_http_llm_handler(ngx_http_request_t *r)
{
    uint64_t                  t0;
    ngx_int_t                 rc;
    ngx_http_llm_ctx_t       *ctx;
    ngx_http_llm_loc_conf_t  *llcf;

    t0 = ngx_http_llm_ns();

    if (r != r->main) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    llcf = ngx_http_get_module_loc_conf(r, ngx_http_llm_module);

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_llm_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->request = r;
    ctx->lcf = llcf;
    ctx->prompt_tokens = -1;
    ctx->completion_tokens = -1;
    ctx->max_tokens = -1;
    ctx->cached_tokens = -1;

    ngx_http_set_ctx(r, ctx, ngx_http_llm_module);

    rc = ngx_http_llm_clients[llcf->gateway].endpoint(r, ctx);
    if (rc != NGX_OK) {
        return rc;
    }

    if (ctx->endpoint == 0) {
        return ngx_http_llm_error(r, NGX_HTTP_NOT_FOUND, "unknown_url",
                                  "Unknown endpoint: %V %V.",
                                  &r->method_name, &r->uri);
    }

    if ((ctx->endpoint == NGX_HTTP_LLM_ENDPOINT_MODELS
         && !(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)))
        || (ctx->endpoint != NGX_HTTP_LLM_ENDPOINT_MODELS
            && r->method != NGX_HTTP_POST))
    {
        return ngx_http_llm_error(r, NGX_HTTP_NOT_ALLOWED,
                                  "method_not_allowed",
                                  "%V is not allowed on %V.",
                                  &r->method_name, &r->uri);
    }

    /* before the body is read: an unknown key costs no upload */

    rc = ngx_http_llm_authenticate(r, ctx);

    ngx_http_llm_overhead(ctx, t0);

    if (rc != NGX_OK) {
        return rc;
    }

    t0 = ngx_http_llm_ns();

    if (ctx->endpoint == NGX_HTTP_LLM_ENDPOINT_MODELS) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_llm_models(r, ctx);
    }

    if (r->headers_in.content_length_n > (off_t) llcf->max_body_size) {
        return ngx_http_llm_error(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                  "request_too_large",
                                  "The request body is %O bytes, the limit "
                                  "is %uz.", r->headers_in.content_length_n,
                                  llcf->max_body_size);
    }

    /* retries and translation need the whole body, best in one buffer */
    r->request_body_no_buffering = 0;
    r->request_body_in_single_buf = 1;

    if (ngx_http_llm_body_room(r, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_llm_overhead(ctx, t0);

    rc = ngx_http_read_client_request_body(r, ngx_http_llm_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        if (ctx->header_in) {
            r->header_in = ctx->header_in;
        }

        return rc;
    }

    return NGX_DONE;
}


/*
 * The secret is looked up by its SHA-256, so neither the lookup nor the
 * comparison depends on the secret's bytes.
 */

static ngx_int_t
ngx_http_llm_authenticate(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    u_char                     digest[32], hex[64];
    ngx_str_t                  key;
    ngx_http_llm_vkey_t       *vk;
    ngx_http_llm_main_conf_t  *lmcf;

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_llm_module);

    if (ngx_http_llm_header_key(r, &key) != NGX_OK) {
        return ngx_http_llm_error(r, NGX_HTTP_UNAUTHORIZED, "invalid_api_key",
                                  "Missing API key: send it as \"%s\".",
                                  ngx_http_llm_clients[ctx->lcf->gateway]
                                  .key_hint);
    }

    SHA256(key.data, key.len, digest);
    ngx_hex_dump(hex, digest, 32);

    vk = ngx_hash_find(&lmcf->vkey_hash, ngx_hash_key(hex, 64), hex, 64);

    if (vk == NULL || CRYPTO_memcmp(vk->sha256, digest, 32) != 0) {
        return ngx_http_llm_error(r, NGX_HTTP_UNAUTHORIZED, "invalid_api_key",
                                  "Invalid API key.");
    }

    ctx->vkey = vk;

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_header_key(ngx_http_request_t *r, ngx_str_t *key)
{
    ngx_str_t  v, *h;

    if (r->headers_in.authorization) {
        v = r->headers_in.authorization->value;

        if (v.len > 7 && ngx_strncasecmp(v.data, (u_char *) "Bearer ", 7)
                         == 0)
        {
            key->data = v.data + 7;
            key->len = v.len - 7;

            while (key->len && key->data[0] == ' ') {
                key->data++;
                key->len--;
            }

            return key->len ? NGX_OK : NGX_DECLINED;
        }

        return NGX_DECLINED;
    }

    /* the Anthropic and Gemini SDKs send their own headers */

    h = ngx_http_llm_request_header(r, "x-api-key");

    if (h == NULL) {
        h = ngx_http_llm_request_header(r, "x-goog-api-key");
    }

    if (h == NULL || h->len == 0) {
        return NGX_DECLINED;
    }

    *key = *h;

    return NGX_OK;
}


/*
 * A body that came partly with the headers is read by nginx into a second
 * buffer, and the JSON parser wants one span: copying the two together
 * costs a body-sized allocation a request (and its page faults).  Instead
 * the part read is moved into a buffer sized to the whole body, made
 * r->header_in, and nginx reads the rest right after it (its "the whole
 * request body may be placed in r->header_in" path).  Only for bodies
 * nginx would hold in memory anyway (client_body_buffer_size, plus the
 * quarter it allows), and only over HTTP/1.x.  The connection's own
 * buffer goes back as r->header_in as soon as the body is read: nginx
 * looks at r->header_in after the request's pool is gone, when it keeps
 * the connection alive (ngx_http_set_keepalive()).
 */

static ngx_int_t
ngx_http_llm_body_room(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    off_t                      len;
    size_t                     preread;
    ngx_buf_t                 *b;
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    len = r->headers_in.content_length_n;
    preread = r->header_in->last - r->header_in->pos;

    if (r->headers_in.chunked
        || preread == 0
        || len <= (off_t) preread
        || len > (off_t) (clcf->client_body_buffer_size
                          + (clcf->client_body_buffer_size >> 2))
        || len <= r->header_in->end - r->header_in->pos
#if (NGX_HTTP_V2)
        || r->stream
#endif
        )
    {
        return NGX_OK;
    }

    b = ngx_create_temp_buf(r->pool, (size_t) len);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->last = ngx_cpymem(b->pos, r->header_in->pos, preread);
    r->header_in->pos = r->header_in->last;

    ctx->header_in = r->header_in;
    r->header_in = b;

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_read_body(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    u_char       *p;
    off_t         len;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    len = 0;

    for (cl = r->request_body ? r->request_body->bufs : NULL;
         cl;
         cl = cl->next)
    {
        len += ngx_buf_size(cl->buf);
    }

    if (len > (off_t) ctx->lcf->max_body_size) {
        return ngx_http_llm_error(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                  "request_too_large",
                                  "The request body is %O bytes, the limit "
                                  "is %uz.", len, ctx->lcf->max_body_size);
    }

    ctx->body.len = len;

    if (len == 0) {
        return NGX_OK;
    }

    /* in memory and in one span (ngx_http_llm_body_room()): parsed there */

    cl = r->request_body->bufs;
    p = cl->buf->pos;

    for ( /* void */ ; cl; cl = cl->next) {
        if (!ngx_buf_in_memory(cl->buf) || cl->buf->pos != p) {
            break;
        }

        p = cl->buf->last;
    }

    if (cl == NULL) {
        ctx->body.data = r->request_body->bufs->buf->pos;
        return NGX_OK;
    }

    cl = r->request_body->bufs;

    /*
     * Otherwise (spilled to nginx's temp file, or in two buffers) it is
     * put together in one: a file read back whole, as the output chain
     * does for proxy_pass; the page cache still holds it.
     */

    ctx->body.data = ngx_pnalloc(r->pool, len);
    if (ctx->body.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ctx->body.data;

    for ( /* void */ ; cl; cl = cl->next) {
        b = cl->buf;

        if (ngx_buf_in_memory(b)) {
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
            continue;
        }

        if (b->in_file) {
            n = ngx_read_file(b->file, p, b->file_last - b->file_pos,
                              b->file_pos);

            if (n != b->file_last - b->file_pos) {
                ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                              "llm: could not read the request body from "
                              "\"%V\"", &b->file->name);
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            p += n;
        }
    }

    return NGX_OK;
}


static void
ngx_http_llm_body_handler(ngx_http_request_t *r)
{
    uint64_t             t0;
    ngx_int_t            rc;
    ngx_str_t            answer;
    ngx_http_llm_ctx_t  *ctx;

    t0 = ngx_http_llm_ns();
    ngx_str_null(&answer);

    ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);

    if (ctx->header_in) {
        /* nginx is done with the body (ngx_http_llm_body_room()) */
        r->header_in = ctx->header_in;
        ctx->header_in = NULL;
    }

    rc = ngx_http_llm_read_body(r, ctx);

    if (rc == NGX_OK) {
        rc = ngx_http_llm_parse_request(r, ctx);
    }

    if (rc == NGX_OK) {
        rc = ngx_http_llm_route(r, ctx);
    }

    if (rc == NGX_OK
        && ctx->candidates[0].provider->type != NGX_HTTP_LLM_PROVIDER_MOCK)
    {
        ngx_http_llm_drop_mocks(ctx);
    }

    if (rc == NGX_OK && ctx->endpoint == NGX_HTTP_LLM_ENDPOINT_COUNT_TOKENS) {
        rc = ngx_http_llm_count_tokens(r, ctx, &answer);

    } else if (rc == NGX_OK) {
        rc = ngx_http_llm_translate_prepare(r, ctx);

        if (rc == NGX_OK) {
            rc = ngx_http_llm_govern_admit(r, ctx);
        }
    }

    /* nginx's own connect and send are not the module's time */
    ngx_http_llm_overhead(ctx, t0);

#if (NGX_DEBUG)
    if (rc == NGX_OK) {
        ngx_uint_t  i;

        for (i = 0; i < ctx->ncandidates; i++) {
            ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "llm: candidate %ui \"%V/%V\"", i,
                           &ctx->candidates[i].provider->name,
                           &ctx->candidates[i].model);
        }
    }
#endif

    if (rc == NGX_OK && answer.len) {
        /* counted by the gateway; the request is gone after this */
        ngx_http_finalize_request(r, ngx_http_llm_send_json(r, NGX_HTTP_OK,
                                                            &answer));
        return;
    }

    if (rc == NGX_OK) {
        if (ctx->candidates[0].provider->type == NGX_HTTP_LLM_PROVIDER_MOCK) {
            ctx->price = ctx->candidates[0].price;
            rc = ngx_http_llm_mock_start(r, ctx);

        } else {
            /* where a request that waits for a token is resumed */
            ctx->resume_handler = ngx_http_llm_upstream_start;

            rc = ngx_http_llm_vertex_wait(r, ctx);

            if (rc == NGX_AGAIN) {
                /* resumed when the provider's access token comes */
                return;
            }

            rc = (rc == NGX_OK) ? ngx_http_llm_upstream_start(r, ctx)
                                : NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (rc == NGX_DONE) {
        return;
    }

    ngx_http_finalize_request(r, rc);
}


/*
 * Counting tokens is free and charges nothing: providers of the surface's
 * dialect count for themselves (Anthropic's count_tokens, Gemini's
 * countTokens); for any other the gateway answers with its estimate
 * (four bytes of prompt a token) into *answer, as other APIs do not
 * count.
 */

static ngx_int_t
ngx_http_llm_count_tokens(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_str_t *answer)
{
    u_char      *p;
    ngx_str_t    body;
    ngx_uint_t   i, n;

    for (i = 0, n = 0; i < ctx->ncandidates; i++) {
        /* Vertex's Claude models are not counted by rawPredict */
        if (ngx_http_llm_provider_dialect(ctx->candidates[i].provider,
                                 &ctx->candidates[i].model)
            == ctx->lcf->gateway
            && !(ctx->candidates[i].provider->type
                 == NGX_HTTP_LLM_PROVIDER_VERTEX
                 && ctx->lcf->gateway == NGX_HTTP_LLM_DIALECT_ANTHROPIC))
        {
            ctx->candidates[n++] = ctx->candidates[i];
        }
    }

    if (n) {
        ctx->ncandidates = n;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, sizeof("{\"input_tokens\":}\n") - 1
                             + NGX_SIZE_T_LEN);  /* the longer */
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    body.data = p;
    body.len = ngx_sprintf(p, ngx_http_llm_clients[ctx->lcf->gateway].counted,
                           (ctx->prompt_bytes + 3) / 4)
               - p;

    *answer = body;

    return NGX_OK;
}


/* the key is chosen per attempt, by the balancer */


