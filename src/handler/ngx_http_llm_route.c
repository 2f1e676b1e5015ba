
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_json.h"
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_route.h"
#include "ngx_http_llm_client.h"
#include "ngx_http_llm_error.h"
#include "ngx_http_llm_lookup.h"
#include "ngx_http_llm_pricing.h"


static ngx_int_t ngx_http_llm_add_candidate(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_provider_t *pr, ngx_str_t *model);
static void ngx_http_llm_order_candidates(ngx_http_llm_ctx_t *ctx,
    ngx_uint_t first);
static ngx_int_t ngx_http_llm_route_model(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_str_t *req);
static ngx_int_t ngx_http_llm_not_allowed(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_str_t *model);


/*
 * The candidates, in the order they are tried: the requested model's
 * providers (one drawn by weight first), then the key's "fallbacks", then
 * the request's own "fallbacks" field.  Deny by default.
 */

ngx_int_t
ngx_http_llm_route(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    u_char                     *buf;
    ssize_t                     n;
    ngx_int_t                   rc;
    ngx_str_t                   name, *fb;
    ngx_uint_t                  i;
    ngx_http_llm_json_value_t   arr, v;

    rc = ngx_http_llm_route_model(r, ctx, &ctx->requested_model);
    if (rc != NGX_OK) {
        return rc;
    }

    fb = ctx->vkey->fallbacks.elts;

    for (i = 0; i < ctx->vkey->fallbacks.nelts; i++) {
        rc = ngx_http_llm_route_model(r, ctx, &fb[i]);
        if (rc != NGX_OK && rc != NGX_HTTP_SERVICE_UNAVAILABLE) {
            return rc;
        }
    }

    if (ctx->ncandidates) {
        /* a fallback that could not be added is not the request's error */
        ctx->err_status = 0;
    }

    if (ctx->fallbacks_len == 0) {
        return ctx->ncandidates ? NGX_OK : rc;
    }

    /* the request's "fallbacks": an array of strings, checked when read */

    arr.start = ctx->body.data + ctx->fallbacks_offset;
    arr.end = arr.start + ctx->fallbacks_len;
    arr.type = NGX_HTTP_LLM_JSON_ARRAY;

    buf = ngx_pnalloc(r->pool, ctx->fallbacks_len);
    if (buf == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (v.end = arr.start + 1;
         ngx_http_llm_json_array_next(&arr, &v) == NGX_OK;
         /* void */)
    {
        n = ngx_http_llm_json_unescape(&v, buf);
        if (n <= 0) {
            continue;
        }

        name.data = buf;
        name.len = n;

        rc = ngx_http_llm_route_model(r, ctx, &name);
        if (rc != NGX_OK && rc != NGX_HTTP_SERVICE_UNAVAILABLE) {
            return rc;
        }

        buf += n;
    }

    if (ctx->ncandidates == 0) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    ctx->err_status = 0;

    return NGX_OK;
}


/* "provider/model" names one provider; a bare model, those serving it */

static ngx_int_t
ngx_http_llm_route_model(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_str_t *req)
{
    u_char                     *slash;
    ngx_int_t                   rc;
    ngx_str_t                   pname, model;
    ngx_uint_t                  i, first, allowed, unpriced, present;
    ngx_http_llm_provider_t    *pr, **prs;
    ngx_http_llm_main_conf_t   *lmcf;

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_llm_module);

    slash = ngx_strlchr(req->data, req->data + req->len, '/');
    pr = NULL;

    if (slash) {
        pname.data = req->data;
        pname.len = slash - req->data;

        pr = ngx_http_llm_find_provider(lmcf, &pname);
    }

    if (pr) {
        model.data = slash + 1;
        model.len = req->data + req->len - model.data;

        if (model.len == 0
            || !ngx_http_llm_provider_serves(pr, &model)
            || !ngx_http_llm_key_allows(ctx->vkey, pr, &model))
        {
            return ngx_http_llm_not_allowed(r, ctx, req);
        }

        rc = ngx_http_llm_add_candidate(r, ctx, pr, &model);

        if (rc == NGX_ABORT) {
            goto unpriced;
        }

        if (rc == NGX_DECLINED) {
            return ngx_http_llm_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                      "provider_unavailable",
                                      "The provider \"%V\" has no "
                                      "credentials configured.", &pr->name);
        }

        return NGX_OK;
    }

    prs = lmcf->providers.elts;
    first = ctx->ncandidates;
    allowed = 0;
    unpriced = 0;
    present = 0;

    for (i = 0; i < lmcf->providers.nelts; i++) {
        if (ngx_http_llm_provider_serves(prs[i], req)
            && ngx_http_llm_key_allows(ctx->vkey, prs[i], req))
        {
            allowed++;

            rc = ngx_http_llm_add_candidate(r, ctx, prs[i], req);

            if (rc == NGX_ABORT) {
                unpriced++;

            } else if (rc == NGX_DONE) {
                present++;
            }
        }
    }

    if (allowed == 0) {
        return ngx_http_llm_not_allowed(r, ctx, req);
    }

    if (ctx->ncandidates == first && present) {
        /* a fallback that names the model asked for: nothing to add */
        return NGX_OK;
    }

    if (ctx->ncandidates == first) {
        if (unpriced) {
            goto unpriced;
        }

        return ngx_http_llm_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                  "provider_unavailable",
                                  "No provider of \"%V\" has "
                                  "credentials configured.", req);
    }

    ngx_http_llm_order_candidates(ctx, first);

    return NGX_OK;

unpriced:

    /* never charged zero silently */
    return ngx_http_llm_error(r, NGX_HTTP_FORBIDDEN, "model_not_priced",
                              "The model \"%V\" has no price, so its cost "
                              "could not be counted; the gateway's "
                              "operator can add one with llm_price.", req);
}


/* where the allowed models are listed: the OpenAI surface only */

static ngx_int_t
ngx_http_llm_not_allowed(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_str_t *model)
{
    return ngx_http_llm_error(r, NGX_HTTP_FORBIDDEN, "model_not_allowed",
                              "The model \"%V\" is not allowed for this "
                              "key%s.", model,
                              ngx_http_llm_clients[ctx->lcf->gateway]
                              .lists_models
                              ? "; GET /v1/models lists the allowed models"
                              : "");
}


/*
 * NGX_OK: added; NGX_DONE: there already (or no room); NGX_DECLINED: the
 * provider is disabled; NGX_ABORT: the model has no price there.
 */

static ngx_int_t
ngx_http_llm_add_candidate(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_provider_t *pr, ngx_str_t *model)
{
    ngx_uint_t                  i;
    ngx_http_llm_price_t       *price;
    ngx_http_llm_candidate_t   *c;
    ngx_http_llm_main_conf_t   *lmcf;

    if (pr->disabled) {
        return NGX_DECLINED;
    }

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_llm_module);

    price = ngx_http_llm_price_find(lmcf, pr, model);
    if (price == NULL) {
        return NGX_ABORT;
    }

    for (i = 0; i < ctx->ncandidates; i++) {
        c = &ctx->candidates[i];

        if (c->provider == pr && c->model.len == model->len
            && ngx_strncmp(c->model.data, model->data, model->len) == 0)
        {
            /* already a candidate: a fallback naming it adds nothing */
            return NGX_DONE;
        }
    }

    if (ctx->ncandidates == NGX_HTTP_LLM_MAX_CANDIDATES) {
        /* enough to try already */
        return NGX_DONE;
    }

    c = &ctx->candidates[ctx->ncandidates++];
    ngx_memzero(c, sizeof(ngx_http_llm_candidate_t));

    c->provider = pr;
    c->model = *model;
    c->price = price;

    return NGX_OK;
}


/*
 * The first candidate is drawn by weight among those with weight > 0; the
 * other weighted ones follow in configuration order, then the backups
 * (weight 0), which are asked only when no weighted provider could serve.
 */

static void
ngx_http_llm_order_candidates(ngx_http_llm_ctx_t *ctx, ngx_uint_t first)
{
    ngx_uint_t                 i, n, total, pick;
    ngx_http_llm_candidate_t  *c, sorted[NGX_HTTP_LLM_MAX_CANDIDATES];

    c = &ctx->candidates[first];
    n = ctx->ncandidates - first;
    total = 0;

    for (i = 0; i < n; i++) {
        total += c[i].provider->weight;
    }

    if (total == 0 || n == 1) {
        return;
    }

    pick = ngx_random() % total;

    for (i = 0; i < n; i++) {
        if (pick < c[i].provider->weight) {
            break;
        }

        pick -= c[i].provider->weight;
    }

    sorted[0] = c[i];
    total = 1;

    for (pick = i, i = 0; i < n; i++) {
        if (i != pick && c[i].provider->weight) {
            sorted[total++] = c[i];
        }
    }

    for (i = 0; i < n; i++) {
        if (c[i].provider->weight == 0) {
            sorted[total++] = c[i];
        }
    }

    ngx_memcpy(c, sorted, n * sizeof(ngx_http_llm_candidate_t));
}


/* a mock answers in-process: it cannot be a fallback inside an upstream */

void
ngx_http_llm_drop_mocks(ngx_http_llm_ctx_t *ctx)
{
    ngx_uint_t  i, n;

    for (i = 0, n = 0; i < ctx->ncandidates; i++) {
        if (ctx->candidates[i].provider->type != NGX_HTTP_LLM_PROVIDER_MOCK) {
            ctx->candidates[n++] = ctx->candidates[i];
        }
    }

    ctx->ncandidates = n;
}
