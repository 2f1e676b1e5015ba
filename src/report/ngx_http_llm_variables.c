
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_variables.h"
#include "ngx_http_llm_govern.h"


/*
 * Every value here is final before the log phase runs (access_log writes
 * its line before a dynamic module's log handler), so the getters only
 * read the request context.
 */


#define NGX_HTTP_LLM_VAR_KEY             1
#define NGX_HTTP_LLM_VAR_PROVIDER        2
#define NGX_HTTP_LLM_VAR_MODEL           3
#define NGX_HTTP_LLM_VAR_REQUESTED       4
#define NGX_HTTP_LLM_VAR_PROMPT          5
#define NGX_HTTP_LLM_VAR_COMPLETION      6
#define NGX_HTTP_LLM_VAR_CACHED          7
#define NGX_HTTP_LLM_VAR_USAGE_SOURCE    8
#define NGX_HTTP_LLM_VAR_ATTEMPTS        9
#define NGX_HTTP_LLM_VAR_TTFT            10
#define NGX_HTTP_LLM_VAR_ERROR           11
#define NGX_HTTP_LLM_VAR_CUSTOMER        12
#define NGX_HTTP_LLM_VAR_TEAM            13
#define NGX_HTTP_LLM_VAR_OVERHEAD        14
#define NGX_HTTP_LLM_VAR_COST            15
#define NGX_HTTP_LLM_VAR_LIMIT_REASON    16


static ngx_int_t ngx_http_llm_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_llm_meta_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_llm_int_value(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, ngx_int_t n);
static ngx_str_t ngx_http_llm_ancestor(ngx_http_llm_ctx_t *ctx,
    ngx_uint_t tier);


static ngx_http_variable_t  ngx_http_llm_vars[] = {

    { ngx_string("llm_virtual_key"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_KEY, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_provider"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_PROVIDER, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_model"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_MODEL, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_requested_model"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_REQUESTED, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_prompt_tokens"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_PROMPT, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_completion_tokens"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_COMPLETION, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_cached_tokens"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_CACHED, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_usage_source"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_USAGE_SOURCE, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_attempts"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_ATTEMPTS, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_ttft"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_TTFT, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_error"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_ERROR, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_customer"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_CUSTOMER, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_team"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_TEAM, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_overhead"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_OVERHEAD, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_cost"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_COST, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_limit_reason"), NULL, ngx_http_llm_variable,
      NGX_HTTP_LLM_VAR_LIMIT_REASON, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("llm_meta_"), NULL, ngx_http_llm_meta_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE|NGX_HTTP_VAR_PREFIX, 0 },

      ngx_http_null_variable
};


ngx_int_t
ngx_http_llm_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_llm_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uintptr_t data)
{
    u_char              *p;
    ngx_str_t            s;
    ngx_http_llm_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    ngx_str_null(&s);

    switch (data) {

    case NGX_HTTP_LLM_VAR_KEY:
        if (ctx->vkey) {
            s = ctx->vkey->name;
        }
        break;

    case NGX_HTTP_LLM_VAR_PROVIDER:
        if (ctx->provider) {
            s = ctx->provider->name;
        }
        break;

    case NGX_HTTP_LLM_VAR_MODEL:
        if (ctx->ncandidates) {
            s = ctx->candidates[ctx->current < ctx->ncandidates
                                ? ctx->current : 0].model;
        }
        break;

    case NGX_HTTP_LLM_VAR_REQUESTED:
        s = ctx->requested_model;
        break;

    case NGX_HTTP_LLM_VAR_PROMPT:
        return ngx_http_llm_int_value(r, v, ctx->prompt_tokens);

    case NGX_HTTP_LLM_VAR_COMPLETION:
        return ngx_http_llm_int_value(r, v, ctx->completion_tokens);

    case NGX_HTTP_LLM_VAR_CACHED:
        return ngx_http_llm_int_value(r, v, ctx->cached_tokens);

    case NGX_HTTP_LLM_VAR_USAGE_SOURCE:
        if (ctx->provider == NULL) {
            break;
        }

        switch (ctx->usage_source) {
        case NGX_HTTP_LLM_USAGE_REPORTED:
            ngx_str_set(&s, "reported");
            break;
        case NGX_HTTP_LLM_USAGE_ESTIMATED:
            ngx_str_set(&s, "estimated");
            break;
        default:
            ngx_str_set(&s, "missing");
        }
        break;

    case NGX_HTTP_LLM_VAR_ATTEMPTS:
        return ngx_http_llm_int_value(r, v, ctx->attempts);

    case NGX_HTTP_LLM_VAR_TTFT:
        if (!ctx->ttft_set) {
            break;
        }

        p = ngx_pnalloc(r->pool, NGX_TIME_T_LEN + 4);
        if (p == NULL) {
            return NGX_ERROR;
        }

        s.data = p;
        s.len = ngx_sprintf(p, "%T.%03M", (time_t) ctx->ttft / 1000,
                            ctx->ttft % 1000)
                - p;
        break;

    case NGX_HTTP_LLM_VAR_OVERHEAD:
        /* microseconds, rounded up */
        return ngx_http_llm_int_value(r, v,
                                      (ngx_int_t) ((ctx->overhead + 999)
                                                   / 1000));

    case NGX_HTTP_LLM_VAR_ERROR:
        if (ctx->err_status) {
            s = ctx->err_message;
        }
        break;

    case NGX_HTTP_LLM_VAR_CUSTOMER:
    case NGX_HTTP_LLM_VAR_TEAM:
        s = ngx_http_llm_ancestor(ctx, data == NGX_HTTP_LLM_VAR_TEAM
                                       ? NGX_HTTP_LLM_TIER_TEAM
                                       : NGX_HTTP_LLM_TIER_CUSTOMER);
        break;

    case NGX_HTTP_LLM_VAR_COST:
        /* USD, from the usage known now; empty before a provider answered */
        if (ctx->price == NULL) {
            break;
        }

        p = ngx_pnalloc(r->pool, NGX_HTTP_LLM_MONEY_LEN);
        if (p == NULL) {
            return NGX_ERROR;
        }

        s.data = p;
        s.len = ngx_http_llm_money_print(p, ngx_http_llm_govern_cost(ctx))
                - p;
        break;

    default: /* NGX_HTTP_LLM_VAR_LIMIT_REASON */
        s = ctx->limit_reason;
        break;
    }

    if (s.len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->data = s.data;
    v->len = s.len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_int_value(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    ngx_int_t n)
{
    u_char  *p;

    if (n < 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    v->data = p;
    v->len = ngx_sprintf(p, "%i", n) - p;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


static ngx_str_t
ngx_http_llm_ancestor(ngx_http_llm_ctx_t *ctx, ngx_uint_t tier)
{
    ngx_str_t               none = ngx_null_string;
    ngx_http_llm_entity_t  *e;

    for (e = ctx->vkey ? ctx->vkey->entity.parent : NULL; e; e = e->parent) {
        if (e->tier == tier) {
            return e->name;
        }
    }

    return none;
}


/* $llm_meta_NAME: metadata NAME of the key, else its team, its customer */

static ngx_int_t
ngx_http_llm_meta_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t            *name = (ngx_str_t *) data;

    ngx_str_t               key;
    ngx_uint_t              i;
    ngx_keyval_t           *kv;
    ngx_http_llm_ctx_t     *ctx;
    ngx_http_llm_entity_t  *e;

    ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);

    v->not_found = 1;

    if (ctx == NULL || ctx->vkey == NULL) {
        return NGX_OK;
    }

    key.data = name->data + sizeof("llm_meta_") - 1;
    key.len = name->len - (sizeof("llm_meta_") - 1);

    for (e = &ctx->vkey->entity; e; e = e->parent) {
        kv = e->metadata.elts;

        for (i = 0; i < e->metadata.nelts; i++) {
            if (kv[i].key.len == key.len
                && ngx_strncasecmp(kv[i].key.data, key.data, key.len) == 0)
            {
                v->data = kv[i].value.data;
                v->len = kv[i].value.len;
                v->valid = 1;
                v->no_cacheable = 0;
                v->not_found = 0;
                return NGX_OK;
            }
        }
    }

    return NGX_OK;
}


ngx_msec_t
ngx_http_llm_elapsed(ngx_http_request_t *r)
{
    ngx_msec_int_t   ms;
    ngx_time_t      *tp;

    tp = ngx_timeofday();

    ms = (ngx_msec_int_t) ((tp->sec - r->start_sec) * 1000
                           + (tp->msec - r->start_msec));

    return (ngx_msec_t) ngx_max(ms, 0);
}
