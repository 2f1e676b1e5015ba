
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_client.h"
#include "ngx_http_llm_error.h"


/*
 * The client dialects a location serves (llm_gateway), one row each:
 * how a URL names the endpoint, where the key is sent, the gateway's own
 * count_tokens answer, what else the surface offers.  The translation of
 * bodies is the dialect tables' (dialect/); errors' shapes are
 * ngx_http_llm_error.c's.
 */


typedef struct {
    ngx_str_t   suffix;
    ngx_uint_t  endpoint;
} ngx_http_llm_endpoint_t;


static ngx_uint_t ngx_http_llm_client_suffix(ngx_http_llm_endpoint_t *ep,
    ngx_str_t *uri);
static ngx_int_t ngx_http_llm_client_openai(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);
static ngx_int_t ngx_http_llm_client_anthropic(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);
static ngx_int_t ngx_http_llm_client_gemini(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);


const ngx_http_llm_client_t  ngx_http_llm_clients[] = {
    { NULL, NULL, NULL, 0, 0 },
    { ngx_http_llm_client_openai, "Authorization: Bearer KEY",
      "{\"input_tokens\":%uz}\n", 1, 1 },
    { ngx_http_llm_client_anthropic, "x-api-key: KEY",
      "{\"input_tokens\":%uz}\n", 0, 0 },
    { ngx_http_llm_client_gemini, "x-goog-api-key: KEY",
      "{\"totalTokens\":%uz}\n", 0, 0 }
};


/* the endpoint a URL names by its suffix */

static ngx_uint_t
ngx_http_llm_client_suffix(ngx_http_llm_endpoint_t *ep, ngx_str_t *uri)
{
    ngx_uint_t  i;

    for (i = 0; ep[i].endpoint; i++) {
        if (uri->len >= ep[i].suffix.len
            && ngx_strncmp(uri->data + uri->len - ep[i].suffix.len,
                           ep[i].suffix.data, ep[i].suffix.len)
               == 0)
        {
            return ep[i].endpoint;
        }
    }

    return 0;
}


static ngx_int_t
ngx_http_llm_client_openai(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    static ngx_http_llm_endpoint_t  endpoints[] = {
        { ngx_string("/chat/completions"), NGX_HTTP_LLM_ENDPOINT_CHAT },
        { ngx_string("/embeddings"), NGX_HTTP_LLM_ENDPOINT_EMBEDDINGS },
        { ngx_string("/models"), NGX_HTTP_LLM_ENDPOINT_MODELS },
        { ngx_null_string, 0 }
    };

    ctx->endpoint = ngx_http_llm_client_suffix(endpoints, &r->uri);

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_client_anthropic(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    static ngx_http_llm_endpoint_t  endpoints[] = {
        { ngx_string("/messages"), NGX_HTTP_LLM_ENDPOINT_CHAT },
        { ngx_string("/messages/count_tokens"),
          NGX_HTTP_LLM_ENDPOINT_COUNT_TOKENS },
        { ngx_null_string, 0 }
    };

    ctx->endpoint = ngx_http_llm_client_suffix(endpoints, &r->uri);

    return NGX_OK;
}


/*
 * Gemini names the model and the method in the path:
 * .../models/{model}:generateContent, :streamGenerateContent (served as
 * SSE only: ?alt=sse) and :countTokens.
 */

static ngx_int_t
ngx_http_llm_client_gemini(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    u_char     *p, *colon, *end;
    ngx_str_t   method, alt;

    end = r->uri.data + r->uri.len;
    p = ngx_strlcasestrn(r->uri.data, end, (u_char *) "/models/", 8 - 1);

    if (p == NULL) {
        return NGX_OK;
    }

    p += 8;

    for (colon = end; colon > p && colon[-1] != ':'; colon--) {
        /* void */
    }

    if (colon - 1 <= p) {
        return NGX_OK;
    }

    method.data = colon;
    method.len = end - colon;

    if (method.len == 15
        && ngx_strncmp(method.data, "generateContent", 15) == 0)
    {
        ctx->endpoint = NGX_HTTP_LLM_ENDPOINT_CHAT;

    } else if (method.len == 21
               && ngx_strncmp(method.data, "streamGenerateContent", 21) == 0)
    {
        if (ngx_http_arg(r, (u_char *) "alt", 3, &alt) != NGX_OK
            || alt.len != 3 || ngx_strncmp(alt.data, "sse", 3) != 0)
        {
            return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST,
                                      "invalid_request",
                                      "streamGenerateContent is served as "
                                      "server-sent events only: add "
                                      "?alt=sse.");
        }

        ctx->endpoint = NGX_HTTP_LLM_ENDPOINT_CHAT;
        ctx->stream = 1;

    } else if (method.len == 11
               && ngx_strncmp(method.data, "countTokens", 11) == 0)
    {
        ctx->endpoint = NGX_HTTP_LLM_ENDPOINT_COUNT_TOKENS;

    } else {
        return NGX_OK;
    }

    ctx->requested_model.data = p;
    ctx->requested_model.len = colon - 1 - p;

    return NGX_OK;
}
