
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_provider.h"
#include "ngx_http_llm_bedrock_sign.h"
#include "ngx_http_llm_request.h"
#include "ngx_http_llm_vertex.h"
#include "ngx_http_llm_aws.h"


static ngx_int_t ngx_http_llm_openai_path(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_candidate_t *c, ngx_str_t *path);
static ngx_int_t ngx_http_llm_anthropic_path(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_candidate_t *c, ngx_str_t *path);
static ngx_int_t ngx_http_llm_azure_path(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_candidate_t *c, ngx_str_t *path);
static ngx_int_t ngx_http_llm_gemini_path(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_candidate_t *c, ngx_str_t *path);
static ngx_int_t ngx_http_llm_vertex_path(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_candidate_t *c, ngx_str_t *path);
static ngx_int_t ngx_http_llm_model_path(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_str_t *prefix, ngx_str_t *model,
    ngx_str_t *path);
static ngx_int_t ngx_http_llm_api_key(ngx_http_llm_candidate_t *c,
    ngx_str_t *key);
static ngx_int_t ngx_http_llm_vertex_key(ngx_http_llm_candidate_t *c,
    ngx_str_t *key);
static ngx_int_t ngx_http_llm_anthropic_headers(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_provider_t *pr, ngx_str_t *out);


static const ngx_http_llm_provider_ops_t  ngx_http_llm_providers[] = {

    { ngx_string("openai"), NGX_HTTP_LLM_PROVIDER_OPENAI, 1,
      NGX_HTTP_LLM_DIALECT_OPENAI, NULL,
      ngx_http_llm_openai_path,
      ngx_http_llm_api_key, ngx_string("Authorization: Bearer "),
      NULL, NULL, ngx_string("text/event-stream") },

    { ngx_string("anthropic"), NGX_HTTP_LLM_PROVIDER_ANTHROPIC, 1,
      NGX_HTTP_LLM_DIALECT_ANTHROPIC, NULL,
      ngx_http_llm_anthropic_path,
      ngx_http_llm_api_key, ngx_string("x-api-key: "),
      ngx_http_llm_anthropic_headers, NULL,
      ngx_string("text/event-stream") },

    { ngx_string("azure"), NGX_HTTP_LLM_PROVIDER_AZURE, 1,
      NGX_HTTP_LLM_DIALECT_OPENAI, NULL,
      ngx_http_llm_azure_path,
      ngx_http_llm_api_key, ngx_string("api-key: "),
      NULL, NULL, ngx_string("text/event-stream") },

    { ngx_string("gemini"), NGX_HTTP_LLM_PROVIDER_GEMINI, 1,
      NGX_HTTP_LLM_DIALECT_GEMINI, NULL,
      ngx_http_llm_gemini_path,
      ngx_http_llm_api_key, ngx_string("x-goog-api-key: "),
      NULL, NULL, ngx_string("text/event-stream") },

    { ngx_string("vertex"), NGX_HTTP_LLM_PROVIDER_VERTEX, 0,
      0, ngx_http_llm_vertex_dialect,
      ngx_http_llm_vertex_path,
      ngx_http_llm_vertex_key, ngx_string("Authorization: Bearer "),
      NULL, NULL, ngx_string("text/event-stream") },

    { ngx_string("bedrock"), NGX_HTTP_LLM_PROVIDER_BEDROCK, 0,
      NGX_HTTP_LLM_DIALECT_BEDROCK, NULL,
      ngx_http_llm_bedrock_path,
      ngx_http_llm_api_key, ngx_string("Authorization: Bearer "),
      NULL, ngx_http_llm_bedrock_sign,
      ngx_string("application/vnd.amazon.eventstream") },

    /* answered in the worker (ngx_http_llm_mock.c): no request is sent */
    { ngx_string("mock"), NGX_HTTP_LLM_PROVIDER_MOCK, 0,
      NGX_HTTP_LLM_DIALECT_OPENAI, NULL,
      ngx_http_llm_openai_path,
      ngx_http_llm_api_key, ngx_string("Authorization: Bearer "),
      NULL, NULL, ngx_string("text/event-stream") },

    { ngx_null_string, 0, 0, 0, NULL, NULL, NULL, ngx_null_string, NULL,
      NULL, ngx_null_string }
};


/* the row of a "type" value; NULL: no such type */

const ngx_http_llm_provider_ops_t *
ngx_http_llm_provider_ops(ngx_str_t *name)
{
    const ngx_http_llm_provider_ops_t  *ops;

    for (ops = ngx_http_llm_providers; ops->name.len; ops++) {
        if (ops->name.len == name->len
            && ngx_strncmp(ops->name.data, name->data, name->len) == 0)
        {
            return ops;
        }
    }

    return NULL;
}


ngx_uint_t
ngx_http_llm_provider_dialect(ngx_http_llm_provider_t *pr, ngx_str_t *model)
{
    return pr->ops->model_dialect ? pr->ops->model_dialect(model)
                                  : pr->ops->dialect;
}


static ngx_int_t
ngx_http_llm_openai_path(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_candidate_t *c, ngx_str_t *path)
{
    if (ctx->endpoint == NGX_HTTP_LLM_ENDPOINT_EMBEDDINGS) {
        ngx_str_set(path, "/embeddings");

    } else {
        ngx_str_set(path, "/chat/completions");
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_anthropic_path(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_candidate_t *c, ngx_str_t *path)
{
    if (ctx->endpoint == NGX_HTTP_LLM_ENDPOINT_COUNT_TOKENS) {
        ngx_str_set(path, "/messages/count_tokens");

    } else {
        ngx_str_set(path, "/messages");
    }

    return NGX_OK;
}


/* /openai/deployments/{deployment}/chat/completions?api-version=... */

static ngx_int_t
ngx_http_llm_azure_path(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_candidate_t *c, ngx_str_t *path)
{
    u_char                   *p;
    ngx_str_t                 dep, method;
    ngx_uint_t                i;
    ngx_keyval_t             *kv;
    ngx_http_llm_provider_t  *pr;

    (void) ngx_http_llm_openai_path(r, ctx, c, &method);

    pr = c->provider;
    dep = c->model;
    kv = pr->deployments.elts;

    for (i = 0; i < pr->deployments.nelts; i++) {
        if (kv[i].key.len == c->model.len
            && ngx_strncmp(kv[i].key.data, c->model.data, c->model.len) == 0)
        {
            dep = kv[i].value;
            break;
        }
    }

    p = ngx_pnalloc(r->pool, sizeof("/openai/deployments/?api-version=") - 1
                             + dep.len + method.len + pr->api_version.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    path->len = ngx_sprintf(p, "/openai/deployments/%V%V?api-version=%V",
                            &dep, &method, &pr->api_version)
                - p;
    path->data = p;

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_gemini_path(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_candidate_t *c, ngx_str_t *path)
{
    ngx_str_t  prefix;

    ngx_str_null(&prefix);

    return ngx_http_llm_model_path(r, ctx, &prefix, &c->model, path);
}


/* .../publishers/{google|anthropic}/models/{model}:{method} */

static ngx_int_t
ngx_http_llm_vertex_path(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_candidate_t *c, ngx_str_t *path)
{
    return ngx_http_llm_model_path(r, ctx,
                                   ngx_http_llm_vertex_publisher(c->provider,
                                                                 &c->model),
                                   &c->model, path);
}


/*
 * Gemini and Vertex name the model and the method in the path:
 * [PREFIX]/models/{model}:generateContent, :streamGenerateContent?alt=sse,
 * :countTokens, or Vertex's :rawPredict and :streamRawPredict for Claude.
 */

static ngx_int_t
ngx_http_llm_model_path(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_str_t *prefix, ngx_str_t *model, ngx_str_t *path)
{
    u_char      *p;
    const char  *method;
    ngx_uint_t   i;

    method = ctx->dialect == NGX_HTTP_LLM_DIALECT_ANTHROPIC
             ? (ctx->stream ? ":streamRawPredict" : ":rawPredict")
             : ctx->endpoint == NGX_HTTP_LLM_ENDPOINT_COUNT_TOKENS
             ? ":countTokens"
             : ctx->stream ? ":streamGenerateContent?alt=sse"
             : ":generateContent";

    p = ngx_pnalloc(r->pool, prefix->len + sizeof("/models/") - 1
                             + 3 * model->len + ngx_strlen(method));
    if (p == NULL) {
        return NGX_ERROR;
    }

    path->data = p;
    p = ngx_cpymem(p, prefix->data, prefix->len);
    p = ngx_http_llm_cpystr(p, "/models/");

    /*
     * One path segment, whatever the client named: a "/" or ".." never
     * reaches another of the provider's endpoints with the gateway's key.
     * Vertex's "claude-...@DATE" keeps its "@".
     */
    for (i = 0; i < model->len; i++) {
        if (model->data[i] == '@') {
            *p++ = '@';

        } else {
            p = ngx_http_llm_sigv4_escape(p, &model->data[i], 1);
        }
    }

    p = ngx_cpymem(p, method, ngx_strlen(method));
    path->len = p - path->data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_api_key(ngx_http_llm_candidate_t *c, ngx_str_t *key)
{
    if (c->api_key) {
        *key = c->api_key->value;

    } else {
        ngx_str_null(key);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_vertex_key(ngx_http_llm_candidate_t *c, ngx_str_t *key)
{
    /* checked by the balancer a moment ago */
    return ngx_http_llm_vertex_token(c->provider, key);
}


/* its API version, and a passthrough keeps the client's beta features */

static ngx_int_t
ngx_http_llm_anthropic_headers(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_provider_t *pr, ngx_str_t *out)
{
    u_char     *p;
    size_t      len;
    ngx_str_t  *beta;

    beta = ctx->translate ? NULL
                          : ngx_http_llm_request_header(r, "anthropic-beta");

    len = sizeof("anthropic-version: \r\n") - 1 + pr->anthropic_version.len;

    if (beta) {
        len += sizeof("anthropic-beta: \r\n") - 1 + beta->len;
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    out->data = p;
    p = ngx_sprintf(p, "anthropic-version: %V\r\n", &pr->anthropic_version);

    if (beta) {
        p = ngx_sprintf(p, "anthropic-beta: %V\r\n", beta);
    }

    out->len = p - out->data;

    return NGX_OK;
}
