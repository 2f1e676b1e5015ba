
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_vertex.h"
#include "ngx_http_llm_curl.h"
#include "ngx_http_llm_url.h"
#include "ngx_http_llm_gcp.h"


/*
 * Vertex AI providers: Gemini models (publishers/google, the Gemini
 * dialect) and Claude models (publishers/anthropic, the Messages dialect)
 * under one project and location, authorised with an OAuth access token
 * that each worker obtains from the service account's key and renews in
 * the background before it expires.  A request that finds no token waits
 * for the fetch under way (at most its timeout) instead of failing.
 */


struct ngx_http_llm_vertex_s {
    ngx_http_llm_gcp_account_t     account;
    ngx_str_t                      google;      /* ".../publishers/google" */
    ngx_str_t                      anthropic;
    ngx_http_llm_provider_t       *provider;

    /* per worker */
    u_char                         token[NGX_HTTP_LLM_GCP_TOKEN_MAX];
    size_t                         token_len;
    time_t                         expires;
    ngx_event_t                    refresh;
    ngx_queue_t                    waiting;     /* ngx_http_llm_waiter_t */
    ngx_uint_t                     failures;
    unsigned                       fetching:1;
};


typedef struct {
    ngx_queue_t                    queue;
    ngx_http_request_t            *request;
} ngx_http_llm_waiter_t;


static void ngx_http_llm_vertex_cleanup(void *data);
static ngx_int_t ngx_http_llm_vertex_prefix(ngx_conf_t *cf,
    ngx_http_llm_provider_t *pr, const char *publisher, ngx_str_t *prefix);
static void ngx_http_llm_vertex_fetch(ngx_http_llm_vertex_t *vx);
static void ngx_http_llm_vertex_refresh(ngx_event_t *ev);
static void ngx_http_llm_vertex_done(void *data, long status, u_char *body,
    size_t len, const char *reason);
static void ngx_http_llm_vertex_wake(ngx_http_llm_vertex_t *vx);
static void ngx_http_llm_waiter_cleanup(void *data);


/* a token is renewed this long before it expires, and used no later */
#define NGX_HTTP_LLM_VERTEX_MARGIN   300
#define NGX_HTTP_LLM_VERTEX_TIMEOUT  10000    /* ms, the token request */


/*
 * Config time: the key file read and its key loaded (so that nginx -t
 * says what is wrong with it), the default url, the paths' prefixes.
 */

ngx_int_t
ngx_http_llm_vertex_conf(ngx_conf_t *cf, ngx_http_llm_provider_t *pr)
{
    u_char                 *p;
    ngx_str_t               url;
    const char             *err;
    ngx_pool_cleanup_t     *cln;
    ngx_http_llm_vertex_t  *vx;

    if (pr->type != NGX_HTTP_LLM_PROVIDER_VERTEX) {
        if (pr->project.len || pr->location.len || pr->credentials.len) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"project\", \"location\" and "
                               "\"credentials\" in llm_provider \"%V\" "
                               "need \"type vertex\"", &pr->name);
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    if (pr->project.len == 0 || pr->location.len == 0
        || pr->credentials.len == 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_provider \"%V\" of type vertex needs "
                           "\"project\", \"location\" and \"credentials "
                           "file:PATH\" (a service account's JSON key)",
                           &pr->name);
        return NGX_ERROR;
    }

    if (pr->api_keys.nelts) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_provider \"%V\" of type vertex takes "
                           "\"credentials\", not \"api_key\"", &pr->name);
        return NGX_ERROR;
    }

    vx = ngx_pcalloc(cf->pool, sizeof(ngx_http_llm_vertex_t));
    if (vx == NULL) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_llm_gcp_account(pr->credentials.data, pr->credentials.len,
                                 &vx->account, &err)
        != NGX_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "the credentials of llm_provider \"%V\" %s",
                           &pr->name, err);
        return NGX_ERROR;
    }

    cln->handler = ngx_http_llm_vertex_cleanup;
    cln->data = vx;

    vx->provider = pr;
    pr->vertex = vx;

    if (pr->url.len == 0) {
        url.len = sizeof("https://-aiplatform.googleapis.com") - 1
                  + pr->location.len;
        url.data = ngx_pnalloc(cf->pool, url.len);
        if (url.data == NULL) {
            return NGX_ERROR;
        }

        /* the global location has no regional host */
        p = (pr->location.len == 6
             && ngx_strncmp(pr->location.data, "global", 6) == 0)
            ? ngx_sprintf(url.data, "https://aiplatform.googleapis.com")
            : ngx_sprintf(url.data, "https://%V-aiplatform.googleapis.com",
                          &pr->location);
        url.len = p - url.data;

        if (ngx_http_llm_url_parse(cf, pr, &url) != NGX_CONF_OK) {
            return NGX_ERROR;
        }
    }

    if (ngx_http_llm_vertex_prefix(cf, pr, "google", &vx->google) != NGX_OK
        || ngx_http_llm_vertex_prefix(cf, pr, "anthropic", &vx->anthropic)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_vertex_prefix(ngx_conf_t *cf, ngx_http_llm_provider_t *pr,
    const char *publisher, ngx_str_t *prefix)
{
    u_char  *p;

    prefix->data = ngx_pnalloc(cf->pool,
                               sizeof("/v1/projects//locations//publishers/")
                               - 1 + pr->project.len + pr->location.len
                               + ngx_strlen(publisher));
    if (prefix->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(prefix->data, "/v1/projects/%V/locations/%V/publishers/%s",
                    &pr->project, &pr->location, publisher);
    prefix->len = p - prefix->data;

    return NGX_OK;
}


static void
ngx_http_llm_vertex_cleanup(void *data)
{
    ngx_http_llm_vertex_t *vx = data;

    ngx_http_llm_gcp_account_free(&vx->account);
}


/* Claude models are Anthropic's publisher, every other one Google's */

ngx_uint_t
ngx_http_llm_vertex_dialect(ngx_str_t *model)
{
    return (model->len >= 6 && ngx_strncmp(model->data, "claude", 6) == 0)
           ? NGX_HTTP_LLM_DIALECT_ANTHROPIC : NGX_HTTP_LLM_DIALECT_GEMINI;
}


ngx_str_t *
ngx_http_llm_vertex_publisher(ngx_http_llm_provider_t *pr, ngx_str_t *model)
{
    return ngx_http_llm_vertex_dialect(model) == NGX_HTTP_LLM_DIALECT_ANTHROPIC
           ? &pr->vertex->anthropic : &pr->vertex->google;
}


/* each worker fetches its own token at start */

ngx_int_t
ngx_http_llm_vertex_init_process(ngx_cycle_t *cycle,
    ngx_http_llm_main_conf_t *lmcf)
{
    ngx_uint_t                 i, curl;
    ngx_http_llm_vertex_t     *vx;
    ngx_http_llm_provider_t  **pr;

    pr = lmcf->providers.elts;
    curl = 0;

    for (i = 0; i < lmcf->providers.nelts; i++) {
        vx = pr[i]->vertex;

        if (vx == NULL || pr[i]->disabled) {
            continue;
        }

        if (!curl++ && ngx_http_llm_curl_init(cycle) != NGX_OK) {
            return NGX_ERROR;
        }

        ngx_queue_init(&vx->waiting);

        vx->refresh.handler = ngx_http_llm_vertex_refresh;
        vx->refresh.data = vx;
        vx->refresh.log = cycle->log;
        vx->refresh.cancelable = 1;

        ngx_http_llm_vertex_fetch(vx);
    }

    return NGX_OK;
}


/* the token, if it is still good for a while */

ngx_int_t
ngx_http_llm_vertex_token(ngx_http_llm_provider_t *pr, ngx_str_t *token)
{
    ngx_http_llm_vertex_t  *vx;

    vx = pr->vertex;

    if (vx->token_len == 0 || ngx_time() >= vx->expires) {
        return NGX_DECLINED;
    }

    token->data = vx->token;
    token->len = vx->token_len;

    return NGX_OK;
}


/*
 * Before the first attempt: when the first candidate is a Vertex provider
 * with no token yet, the request waits for the token request under way
 * (or one started now).  NGX_AGAIN: it waits, and is resumed with
 * ctx->resume_handler; NGX_OK: go on.
 */

ngx_int_t
ngx_http_llm_vertex_wait(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    ngx_str_t                 token;
    ngx_pool_cleanup_t       *cln;
    ngx_http_llm_vertex_t    *vx;
    ngx_http_llm_waiter_t    *w;
    ngx_http_llm_provider_t  *pr;

    pr = ctx->candidates[0].provider;
    vx = pr->vertex;

    if (vx == NULL || ngx_http_llm_vertex_token(pr, &token) == NGX_OK) {
        return NGX_OK;
    }

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_http_llm_waiter_t));
    if (cln == NULL) {
        return NGX_ERROR;
    }

    w = cln->data;
    w->request = r;
    ngx_queue_insert_tail(&vx->waiting, &w->queue);

    cln->handler = ngx_http_llm_waiter_cleanup;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "llm: waiting for the access token of \"%V\"", &pr->name);

    if (!vx->fetching) {
        if (vx->refresh.timer_set) {
            ngx_del_timer(&vx->refresh);
        }

        ngx_http_llm_vertex_fetch(vx);
    }

    return NGX_AGAIN;
}


static void
ngx_http_llm_waiter_cleanup(void *data)
{
    ngx_http_llm_waiter_t *w = data;

    if (w->request) {
        ngx_queue_remove(&w->queue);
    }
}


static void
ngx_http_llm_vertex_fetch(ngx_http_llm_vertex_t *vx)
{
    u_char  *body;
    size_t   len;

    body = ngx_http_llm_gcp_grant(&vx->account, ngx_time(), &len);

    if (body == NULL
        || ngx_http_llm_curl_post(vx->account.token_uri, body, len, 0,
                                  NGX_HTTP_LLM_VERTEX_TIMEOUT, 65536,
                                  ngx_http_llm_vertex_done, vx)
           != NGX_OK)
    {
        free(body);
        ngx_log_error(NGX_LOG_ALERT, vx->refresh.log, 0,
                      "llm provider \"%V\": could not start the access "
                      "token request", &vx->provider->name);
        ngx_http_llm_vertex_done(vx, 0, NULL, 0, "not started");
        return;
    }

    free(body);
    vx->fetching = 1;
}


static void
ngx_http_llm_vertex_refresh(ngx_event_t *ev)
{
    ngx_http_llm_vertex_t *vx = ev->data;

    if (!vx->fetching && !ngx_exiting) {
        ngx_http_llm_vertex_fetch(vx);
    }
}


/*
 * The token answer: kept and renewed NGX_HTTP_LLM_VERTEX_MARGIN before it
 * expires; a failure retried after 1, 2, 4… 60 s.  Either way the
 * requests waiting go on (with the token, or failing over without it).
 */

static void
ngx_http_llm_vertex_done(void *data, long status, u_char *body, size_t len,
    const char *reason)
{
    ngx_http_llm_vertex_t *vx = data;

    time_t      ttl;
    size_t      n;
    ngx_msec_t  retry;

    vx->fetching = 0;

    if (status == 200
        && ngx_http_llm_gcp_token(body, len, vx->token, &n, &ttl) == NGX_OK)
    {
        vx->token_len = n;
        vx->failures = 0;

        /* used until a margin before its end, renewed before that */
        ttl = (ttl > 2 * NGX_HTTP_LLM_VERTEX_MARGIN)
              ? ttl - NGX_HTTP_LLM_VERTEX_MARGIN : ttl / 2;
        vx->expires = ngx_time() + ttl;
        retry = (ngx_msec_t) ttl * 1000 * 9 / 10;

        ngx_log_error(NGX_LOG_INFO, vx->refresh.log, 0,
                      "llm provider \"%V\": access token obtained, valid "
                      "for %T s", &vx->provider->name, ttl);

    } else {
        /* Google's error answers name the problem, never the key */
        ngx_log_error(NGX_LOG_ERR, vx->refresh.log, 0,
                      "llm provider \"%V\": the access token request to "
                      "\"%s\" failed: %s%*s", &vx->provider->name,
                      vx->account.token_uri,
                      status ? "" : reason,
                      status ? ngx_min(len, 300) : 0,
                      status ? body : (u_char *) "");

        retry = (ngx_msec_t) 1000 << ngx_min(vx->failures, 6);
        retry = ngx_min(retry, 60000);
        vx->failures++;
    }

    if (!ngx_exiting) {
        ngx_add_timer(&vx->refresh, retry);
    }

    ngx_http_llm_vertex_wake(vx);
}


static void
ngx_http_llm_vertex_wake(ngx_http_llm_vertex_t *vx)
{
    ngx_int_t               rc;
    ngx_queue_t            *q;
    ngx_connection_t       *c;
    ngx_http_llm_ctx_t     *ctx;
    ngx_http_request_t     *r;
    ngx_http_llm_waiter_t  *w;

    while (!ngx_queue_empty(&vx->waiting)) {
        q = ngx_queue_head(&vx->waiting);
        ngx_queue_remove(q);

        w = ngx_queue_data(q, ngx_http_llm_waiter_t, queue);
        r = w->request;
        w->request = NULL;

        c = r->connection;
        ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);

        rc = ctx->resume_handler(r, ctx);

        if (rc != NGX_DONE) {
            ngx_http_finalize_request(r, rc);
        }

        ngx_http_run_posted_requests(c);
    }
}
