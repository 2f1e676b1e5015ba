
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_client.h"
#include "ngx_http_llm_error.h"
#include "ngx_http_llm_json.h"


/*
 * The client dialects a location serves (llm_gateway), one row each:
 * how a URL names the endpoint, where the key is sent, the gateway's own
 * count_tokens answer, the request members the gateway reads, what else
 * the surface offers.  The translation of
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
static ngx_int_t ngx_http_llm_client_openai_member(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_json_value_t *k,
    ngx_http_llm_json_value_t *v);
static ngx_int_t ngx_http_llm_client_anthropic_member(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_json_value_t *k,
    ngx_http_llm_json_value_t *v);
static ngx_int_t ngx_http_llm_client_gemini_member(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_json_value_t *k,
    ngx_http_llm_json_value_t *v);


const ngx_http_llm_client_t  ngx_http_llm_clients[] = {
    { NULL, NULL, NULL, NULL, NULL, 0, 0, 0 },
    { ngx_http_llm_client_openai, "Authorization: Bearer KEY",
      "{\"input_tokens\":%uz}\n", ngx_http_llm_client_openai_member,
      "messages", 1, 1, 1 },
    { ngx_http_llm_client_anthropic, "x-api-key: KEY",
      "{\"input_tokens\":%uz}\n", ngx_http_llm_client_anthropic_member,
      "messages", 1, 0, 0 },
    { ngx_http_llm_client_gemini, "x-goog-api-key: KEY",
      "{\"totalTokens\":%uz}\n", ngx_http_llm_client_gemini_member,
      "contents", 0, 0, 0 }
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


/* OpenAI's stream_options, which the gateway may edit for the usage */

static ngx_int_t
ngx_http_llm_client_openai_member(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_json_value_t *k,
    ngx_http_llm_json_value_t *v)
{
    u_char                     *body;
    ngx_int_t                   rc;
    ngx_http_llm_json_value_t   iu;

    if (!ngx_http_llm_json_key_is(k, "stream_options")) {
        return NGX_DECLINED;
    }

    if (ctx->has_stream_options) {
        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST, "invalid_request",
                                  "\"stream_options\" is given twice.");
    }

    body = ctx->body.data;
    ctx->has_stream_options = 1;

    if (v->type == NGX_HTTP_LLM_JSON_NULL) {
        /* replaced whole when the gateway needs usage */
        ctx->so_null = 1;
        ctx->iu_offset = v->start - body;
        ctx->iu_len = v->end - v->start;
        return NGX_OK;
    }

    if (v->type != NGX_HTTP_LLM_JSON_OBJECT) {
        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST, "invalid_type",
                                  "\"stream_options\" must be an object.");
    }

    ctx->so_offset = v->start + 1 - body;
    ctx->so_empty = (*ngx_http_llm_json_ws(v->start + 1, v->end) == '}');

    rc = ngx_http_llm_json_get(v, "include_usage", &iu);

    if (rc == NGX_DECLINED) {
        return NGX_OK;
    }

    if (rc != NGX_OK
        || (iu.type != NGX_HTTP_LLM_JSON_TRUE
            && iu.type != NGX_HTTP_LLM_JSON_FALSE
            && iu.type != NGX_HTTP_LLM_JSON_NULL))
    {
        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST, "invalid_type",
                                  "\"stream_options.include_usage\" must be "
                                  "a boolean.");
    }

    ctx->has_include_usage = 1;
    ctx->include_usage = (iu.type == NGX_HTTP_LLM_JSON_TRUE);
    ctx->iu_offset = iu.start - body;
    ctx->iu_len = iu.end - iu.start;

    return NGX_OK;
}


/* the Anthropic prompt's parts besides "messages" */

static ngx_int_t
ngx_http_llm_client_anthropic_member(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_json_value_t *k,
    ngx_http_llm_json_value_t *v)
{
    if (!ngx_http_llm_json_key_is(k, "system")
        && !ngx_http_llm_json_key_is(k, "tools"))
    {
        return NGX_DECLINED;
    }

    ctx->prompt_bytes += v->end - v->start;

    return NGX_OK;
}


/*
 * A Gemini request's own members: the prompt's parts besides "contents",
 * and generationConfig.maxOutputTokens; the model and the stream are in
 * the URL.  NGX_DECLINED: a member of no interest here.
 */

static ngx_int_t
ngx_http_llm_client_gemini_member(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_json_value_t *k,
    ngx_http_llm_json_value_t *v)
{
    int64_t                     max;
    ngx_http_llm_json_value_t   m;

    if (ngx_http_llm_json_key_is(k, "systemInstruction")
        || ngx_http_llm_json_key_is(k, "tools"))
    {
        ctx->prompt_bytes += v->end - v->start;
        return NGX_OK;
    }

    if (!ngx_http_llm_json_key_is(k, "generationConfig")) {
        return NGX_DECLINED;
    }

    if (v->type != NGX_HTTP_LLM_JSON_OBJECT) {
        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST, "invalid_type",
                                  "\"generationConfig\" must be an object.");
    }

    if (ngx_http_llm_json_get(v, "maxOutputTokens", &m) != NGX_OK
        || m.type == NGX_HTTP_LLM_JSON_NULL)
    {
        return NGX_OK;
    }

    if (ngx_http_llm_json_int(&m, &max) != NGX_OK
        || max < 1 || max > 100000000)
    {
        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST, "invalid_type",
                                  "\"maxOutputTokens\" must be a positive "
                                  "integer.");
    }

    ctx->max_tokens = max;

    return NGX_OK;
}
