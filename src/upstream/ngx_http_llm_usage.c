
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_usage.h"
#include "ngx_http_llm_json.h"


/* usage from a response document or a stream chunk; the last one wins */

void
ngx_http_llm_usage_openai(ngx_http_llm_ctx_t *ctx, u_char *p, u_char *end)
{
    int64_t                     n;
    ngx_http_llm_json_value_t   doc, usage, v, details;

    doc.start = p;
    doc.end = end;
    doc.type = NGX_HTTP_LLM_JSON_OBJECT;

    if (*p != '{'
        || ngx_http_llm_json_get(&doc, "usage", &usage) != NGX_OK
        || usage.type != NGX_HTTP_LLM_JSON_OBJECT)
    {
        return;
    }

    if (ngx_http_llm_json_get(&usage, "prompt_tokens", &v) != NGX_OK
        || ngx_http_llm_json_int(&v, &n) != NGX_OK)
    {
        return;
    }

    ctx->prompt_tokens = n;
    ctx->completion_tokens = 0;
    ctx->cached_tokens = 0;
    ctx->usage_source = NGX_HTTP_LLM_USAGE_REPORTED;

    if (ngx_http_llm_json_get(&usage, "completion_tokens", &v) == NGX_OK
        && ngx_http_llm_json_int(&v, &n) == NGX_OK)
    {
        ctx->completion_tokens = n;
    }

    if (ngx_http_llm_json_get(&usage, "prompt_tokens_details", &details)
        == NGX_OK
        && ngx_http_llm_json_get(&details, "cached_tokens", &v) == NGX_OK
        && ngx_http_llm_json_int(&v, &n) == NGX_OK)
    {
        ctx->cached_tokens = n;
    }
}


/* the extra chunk include_usage adds: no choices, only usage */

ngx_int_t
ngx_http_llm_usage_openai_only(u_char *p, u_char *end)
{
    ngx_http_llm_json_value_t  doc, v;

    doc.start = p;
    doc.end = end;
    doc.type = NGX_HTTP_LLM_JSON_OBJECT;

    if (ngx_http_llm_json_get(&doc, "choices", &v) != NGX_OK
        || v.type != NGX_HTTP_LLM_JSON_ARRAY
        || *ngx_http_llm_json_ws(v.start + 1, v.end) != ']')
    {
        return 0;
    }

    return ngx_http_llm_json_get(&doc, "usage", &v) == NGX_OK
           && v.type == NGX_HTTP_LLM_JSON_OBJECT;
}


/*
 * A stream cut before its usage: about four bytes a token, of the prompt
 * sent and of the text streamed.  Marked "estimated", never zero.
 */

void
ngx_http_llm_usage_estimate(ngx_http_llm_ctx_t *ctx)
{
    if (ctx->usage_source != NGX_HTTP_LLM_USAGE_MISSING) {
        return;
    }

    /* a prompt count the provider gave at the start (Anthropic) holds */
    if (ctx->prompt_tokens < 0) {
        ctx->prompt_tokens = (ctx->prompt_bytes + 3) / 4;
        ctx->cached_tokens = 0;
    }

    ctx->completion_tokens = (ctx->streamed + 3) / 4;
    ctx->usage_source = NGX_HTTP_LLM_USAGE_ESTIMATED;
}
