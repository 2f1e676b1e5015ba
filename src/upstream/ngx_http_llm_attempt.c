
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_attempt.h"
#include "ngx_http_llm_provider.h"
#include "ngx_http_llm_request.h"
#include "ngx_http_llm_translate.h"


/*
 * One attempt at a provider: its request (the provider's path, headers
 * and signature from its ops table, the body as it is or translated),
 * and the response state reset before it.
 */


ngx_int_t
ngx_http_llm_attempt_request(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_candidate_t *c)
{
    off_t                               body_len;
    size_t                              len;
    ngx_buf_t                          *b;
    ngx_str_t                           path, sign, own, key;
    ngx_chain_t                        *cl, *body, *last, **ll;
    ngx_http_llm_provider_t            *pr;
    const ngx_http_llm_provider_ops_t  *ops;

    pr = c->provider;
    ops = pr->ops;
    body = NULL;
    ll = &body;
    body_len = 0;

    /* the provider's own dialect, rendered from canon when not the client's */
    ctx->translate = (ctx->dialect != ctx->lcf->gateway);

    if (ops->path(r, ctx, c, &path) != NGX_OK) {
        return NGX_ERROR;
    }

    if ((ctx->translate
         ? ngx_http_llm_translate_request(r, ctx, c, &ll, &body_len)
         : ngx_http_llm_passthrough_body(r, ctx, c, &ll, &body_len))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ops->key(c, &key) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_str_null(&own);

    if (ops->headers && ops->headers(r, ctx, pr, &own) != NGX_OK) {
        return NGX_ERROR;
    }

    /* Bedrock signs the request, its body included */
    ngx_str_null(&sign);
    *ll = NULL;

    if (ops->sign && ops->sign(r, pr, &path, body, &sign) != NGX_OK) {
        return NGX_ERROR;
    }

    len = sizeof("POST  HTTP/1.1\r\n") - 1 + pr->base_path.len + path.len
          + sizeof("Host: \r\n") - 1 + pr->host.len + sign.len + own.len
          + ops->key_header.len + key.len + sizeof("\r\n") - 1
          + sizeof("Content-Type: application/json\r\n") - 1
          + sizeof("Content-Length: \r\n") - 1 + NGX_OFF_T_LEN
          + sizeof("Accept: \r\n\r\n") - 1
          + ngx_max(ops->stream_type.len, sizeof("application/json") - 1);

    b = ngx_create_temp_buf(r->pool, len);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->last = ngx_sprintf(b->last, "POST %V%V HTTP/1.1\r\nHost: %V\r\n%V%V",
                          &pr->base_path, &path, &pr->host, &sign, &own);

    if (key.len) {
        b->last = ngx_sprintf(b->last, "%V%V\r\n", &ops->key_header, &key);
    }

    b->last = ngx_sprintf(b->last,
                          "Content-Type: application/json\r\n"
                          "Content-Length: %O\r\n"
                          "Accept: %s\r\n\r\n",
                          body_len,
                          !ctx->stream ? "application/json"
                                       : (char *) ops->stream_type.data);

    cl = ngx_alloc_chain_link(r->pool);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->buf = b;
    cl->next = body;

    for (last = cl; last; last = last->next) {
        /* core rewinds request bufs to start on a retry */
        last->buf->start = last->buf->pos;
        last->buf->flush = (last->next == NULL);
    }

    r->upstream->request_bufs = cl;

    return NGX_OK;
}


void
ngx_http_llm_attempt_reset(ngx_http_llm_ctx_t *ctx)
{
    ngx_memzero(&ctx->status, sizeof(ngx_http_status_t));
    ngx_memzero(&ctx->chunked, sizeof(ngx_http_chunked_t));
    ctx->length = -1;
    ctx->chunked_body = 0;
    ctx->sse = 0;
    ctx->eventstream = 0;
    ctx->done_seen = 0;
    ctx->header_done = 0;
    ctx->carry_len = 0;
    ctx->carry_scan = 0;
    ctx->resp_len = 0;
    ctx->prompt_tokens = -1;
    ctx->completion_tokens = -1;
    ctx->cached_tokens = -1;
    ctx->cache_write_tokens = 0;
    ctx->usage_source = NGX_HTTP_LLM_USAGE_MISSING;
    ctx->streamed = 0;
    ctx->tr_stream = NULL;
}
