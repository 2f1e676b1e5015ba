
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_balancer.h"
#include "ngx_http_llm_attempt.h"
#include "ngx_http_llm_breaker.h"
#include "ngx_http_llm_govern.h"
#include "ngx_http_llm_keepalive.h"
#include "ngx_http_llm_provider.h"
#include "ngx_http_llm_vertex.h"


/*
 * The composite balancer of a virtual upstream: each attempt goes to
 * the next candidate the router chose, with one of its keys, past the
 * open circuits and cooling keys; a failed attempt is reported to the
 * breaker and the governor before the next.
 */


static ngx_int_t ngx_http_llm_balancer_init_peer(ngx_http_request_t *r,
    ngx_http_upstream_srv_conf_t *us);
static ngx_int_t ngx_http_llm_peer_get(ngx_peer_connection_t *pc,
    void *data);
static void ngx_http_llm_peer_free(ngx_peer_connection_t *pc, void *data,
    ngx_uint_t state);
static ngx_int_t ngx_http_llm_pick_key(ngx_http_llm_candidate_t *c);
#if (NGX_HTTP_SSL)
static ngx_int_t ngx_http_llm_peer_set_session(ngx_peer_connection_t *pc,
    void *data);
static void ngx_http_llm_peer_save_session(ngx_peer_connection_t *pc,
    void *data);
#endif


ngx_http_upstream_srv_conf_t *
ngx_http_llm_balancer_create_uscf(ngx_conf_t *cf)
{
    ngx_http_llm_main_conf_t      *lmcf;
    ngx_http_upstream_srv_conf_t  *uscf;
#if (NGX_HTTP_SSL)
    static ngx_str_t               ciphers = ngx_string("DEFAULT");
#endif

    /*
     * A virtual upstream, never registered with the upstream module: its
     * peer.init hands every attempt to the provider the router chose.
     */

    uscf = ngx_pcalloc(cf->pool, sizeof(ngx_http_upstream_srv_conf_t));
    if (uscf == NULL) {
        return NULL;
    }

    uscf->peer.init = ngx_http_llm_balancer_init_peer;
    ngx_str_set(&uscf->host, "llm");
    uscf->file_name = cf->conf_file->file.name.data;
    uscf->line = cf->conf_file->line;

    lmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_llm_module);

#if (NGX_HTTP_SSL)
    if (lmcf->ssl) {
        lmcf->ssl->log = cf->log;

        if (ngx_ssl_create(lmcf->ssl, NGX_SSL_TLSv1_2|NGX_SSL_TLSv1_3, NULL)
            != NGX_OK)
        {
            return NULL;
        }

        if (ngx_ssl_ciphers(cf, lmcf->ssl, &ciphers, 0) != NGX_OK)
        {
            return NULL;
        }

        if (ngx_ssl_trusted_certificate(cf, lmcf->ssl,
                                        &lmcf->trusted_certificate, 10)
            != NGX_OK)
        {
            return NULL;
        }

        if (ngx_ssl_client_session_cache(cf, lmcf->ssl, 1) != NGX_OK) {
            return NULL;
        }
    }
#endif

    return uscf;
}


static ngx_int_t
ngx_http_llm_balancer_init_peer(ngx_http_request_t *r,
    ngx_http_upstream_srv_conf_t *us)
{
    ngx_uint_t                 i, tries;
    ngx_http_upstream_t       *u;
    ngx_http_llm_ctx_t        *ctx;
    ngx_http_llm_candidate_t  *c;

    ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);
    u = r->upstream;
    tries = 0;

    for (i = 0; i < ctx->ncandidates; i++) {
        c = &ctx->candidates[i];

        /* RR reuses a non-NULL peer.data as its own state */
        u->peer.data = NULL;

        if (c->provider->upstream->peer.init(r, c->provider->upstream)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        c->get = u->peer.get;
        c->free = u->peer.free;
        c->data = u->peer.data;
        c->tries = u->peer.tries;
#if (NGX_HTTP_SSL)
        c->set_session = u->peer.set_session;
        c->save_session = u->peer.save_session;
#endif

        /* one attempt per key of a provider, and one for a keyless one */
        c->left = ngx_max(c->provider->api_keys.nelts, 1);
        tries += c->left;
    }

    ctx->current = 0;

    u->peer.get = ngx_http_llm_peer_get;
    u->peer.free = ngx_http_llm_peer_free;
    u->peer.data = ctx;
    u->peer.tries = tries;
#if (NGX_HTTP_SSL)
    u->peer.set_session = ngx_http_llm_peer_set_session;
    u->peer.save_session = ngx_http_llm_peer_save_session;
#endif

    return NGX_OK;
}


/*
 * Each attempt: the current candidate unless its circuit is open, or it
 * is cooling down (every usable key of it, or the provider itself when it
 * has no key); otherwise the next.  A key already tried in this request is
 * not tried again.
 */

static ngx_int_t
ngx_http_llm_peer_get(ngx_peer_connection_t *pc, void *data)
{
    ngx_http_llm_ctx_t *ctx = data;

    u_char                    *colon;
    uint64_t                   t0;
    ngx_int_t                  rc;
    ngx_str_t                  token;
    ngx_uint_t                 tries, probe;
    ngx_http_request_t        *r;
    ngx_http_upstream_t       *u;
    ngx_http_llm_candidate_t  *c;

    t0 = ngx_http_llm_ns();
    r = ctx->request;
    u = r->upstream;

    for ( ;; ) {
        if (ctx->current >= ctx->ncandidates) {
            pc->tries = 0;
            return NGX_BUSY;
        }

        c = &ctx->candidates[ctx->current];

        if (c->left == 0
            || ngx_http_llm_pick_key(c) != NGX_OK
            || (c->provider->vertex
                && ngx_http_llm_vertex_token(c->provider, &token) != NGX_OK)
            || !ngx_http_llm_breaker_allow(c->provider, &probe)
            || ngx_http_llm_govern_switch(ctx, c->provider) != NGX_OK)
        {
            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, pc->log, 0,
                           "llm: provider \"%V\" skipped: cooling down, "
                           "circuit open, over its limits, no key left or "
                           "no access token",
                           &c->provider->name);
            c->left = 0;
            ctx->current++;
            continue;
        }

        c->probe = probe;
        ctx->keepalive_hit = 0;

        if (c->provider->keepalive
            && ngx_http_llm_keepalive_get(c->provider->keepalive, pc,
                                          r->pool)
               == NGX_DONE)
        {
            ctx->keepalive_hit = 1;
            rc = NGX_DONE;
            break;
        }

        tries = pc->tries;
        pc->tries = c->tries;

        rc = c->get(pc, c->data);

        c->tries = pc->tries;
        pc->tries = tries;

        if (rc == NGX_BUSY) {
            c->left = 0;
            ctx->current++;
            continue;
        }

        break;
    }

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    ctx->provider = c->provider;
    ctx->dialect = ngx_http_llm_provider_dialect(c->provider, &c->model);
    ctx->price = c->price;
    ctx->attempts++;
    ctx->retry_after = 0;

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, pc->log, 0,
                   "llm: attempt %ui provider \"%V\" cached:%ui probe:%ui",
                   ctx->attempts, &c->provider->name, ctx->keepalive_hit,
                   (ngx_uint_t) c->probe);

#if (NGX_HTTP_SSL)
    u->ssl = c->provider->ssl;
    u->ssl_name = c->provider->host;

    /* SNI and the name to verify carry no port */
    colon = ngx_strlchr(u->ssl_name.data,
                        u->ssl_name.data + u->ssl_name.len, ':');
    if (colon) {
        u->ssl_name.len = colon - u->ssl_name.data;
    }
#else
    (void) colon;
#endif

    ctx->conf->connect_timeout = c->provider->connect_timeout;
    ctx->conf->send_timeout = c->provider->send_timeout;
    ctx->conf->read_timeout = c->provider->first_token_timeout;

    ngx_http_llm_attempt_reset(ctx);

    if (ngx_http_llm_attempt_request(r, ctx, c) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_http_llm_overhead(ctx, t0);

    return rc;
}


/* a key, drawn by weight among those not cooling nor tried yet */

static ngx_int_t
ngx_http_llm_pick_key(ngx_http_llm_candidate_t *c)
{
    ngx_uint_t                i, n, total, pick;
    ngx_http_llm_api_key_t   *key;
    ngx_http_llm_provider_t  *pr;

    pr = c->provider;
    c->api_key = NULL;

    if (pr->api_keys.nelts == 0) {
        return ngx_http_llm_cooling(pr->state) ? NGX_DECLINED : NGX_OK;
    }

    key = pr->api_keys.elts;
    n = pr->api_keys.nelts;
    total = 0;

    for (i = 0; i < n; i++) {
        if (key[i].value.len && !(c->keys_tried & (1u << i))
            && !ngx_http_llm_cooling(key[i].state))
        {
            total += key[i].weight;
        }
    }

    if (total == 0) {
        return NGX_DECLINED;
    }

    pick = ngx_random() % total;

    for (i = 0; i < n; i++) {
        if (key[i].value.len == 0 || (c->keys_tried & (1u << i))
            || ngx_http_llm_cooling(key[i].state))
        {
            continue;
        }

        if (pick < key[i].weight) {
            break;
        }

        pick -= key[i].weight;
    }

    c->api_key = &key[i];
    c->keys_tried |= 1u << i;

    return NGX_OK;
}


/*
 * What the attempt came to decides what is cooled and what is tried next:
 * a key answering 401, 403 or 429 cools down (Retry-After if given) and
 * another key of the same provider is tried; any other failure counts for
 * the provider's circuit breaker and moves on to the next provider.
 */

static void
ngx_http_llm_peer_free(ngx_peer_connection_t *pc, void *data,
    ngx_uint_t state)
{
    ngx_http_llm_ctx_t *ctx = data;

    ngx_uint_t                 tries, status, key_failure;
    ngx_http_llm_state_t      *st;
    ngx_http_llm_candidate_t  *c;

    if (ctx->current >= ctx->ncandidates) {
        if (pc->tries) {
            pc->tries--;
        }

        return;
    }

    c = &ctx->candidates[ctx->current];
    status = ctx->header_done ? ctx->status.code : 0;

    if (c->provider->keepalive && pc->connection) {
        (void) ngx_http_llm_keepalive_save(c->provider->keepalive, pc,
                                           ctx->request->upstream, state);
    }

    if (!ctx->keepalive_hit) {
        tries = pc->tries;
        pc->tries = c->tries;

        c->free(pc, c->data, state);

        c->tries = pc->tries;
        pc->tries = tries;
    }

    if (pc->tries) {
        pc->tries--;
    }

    if (!(state & NGX_PEER_FAILED)) {
        ngx_http_llm_breaker_report(c->provider, 1, pc->log);
        return;
    }

    if (ctx->keepalive_hit && status == 0) {
        /* a stale cached connection: core gives the try back, and the key */
        if (c->api_key) {
            c->keys_tried &= ~(1u << (c->api_key
                                      - (ngx_http_llm_api_key_t *)
                                        c->provider->api_keys.elts));
        }

        return;
    }

    if (ctx->ntried < NGX_HTTP_LLM_MAX_CANDIDATES) {
        ctx->tried[ctx->ntried].provider = c->provider;
        ctx->tried[ctx->ntried].status = status;
        ctx->ntried++;
    }

    c->left--;

    key_failure = (status == NGX_HTTP_UNAUTHORIZED
                   || status == NGX_HTTP_FORBIDDEN
                   || status == NGX_HTTP_TOO_MANY_REQUESTS);

    if (key_failure) {
        st = c->api_key ? c->api_key->state : c->provider->state;

        if (st) {
            ngx_http_llm_cool(st, ctx->retry_after ? ctx->retry_after
                                                   : c->provider->cooldown);
        }

        ngx_log_error(NGX_LOG_WARN, pc->log, 0,
                      "llm: provider \"%V\" %s%ui answered %ui, cooling it "
                      "down for %M ms", &c->provider->name,
                      c->api_key ? "key #" : "",
                      c->api_key ? (ngx_uint_t) (c->api_key
                                   - (ngx_http_llm_api_key_t *)
                                     c->provider->api_keys.elts)
                                 : 0,
                      status, ctx->retry_after ? ctx->retry_after
                                               : c->provider->cooldown);

        if (c->left && c->api_key) {
            /* the next key of the same provider */
            return;
        }

    } else {
        if (status) {
            ngx_log_error(NGX_LOG_WARN, pc->log, 0,
                          "llm: provider \"%V\" answered %ui",
                          &c->provider->name, status);
        }

        ngx_http_llm_breaker_report(c->provider, 0, pc->log);
    }

    /* a provider that failed is not asked again in this request */
    c->left = 0;
    ctx->current++;
}


#if (NGX_HTTP_SSL)

static ngx_int_t
ngx_http_llm_peer_set_session(ngx_peer_connection_t *pc, void *data)
{
    ngx_http_llm_ctx_t *ctx = data;

    ngx_http_llm_candidate_t  *c;

    if (ctx->current >= ctx->ncandidates || ctx->keepalive_hit) {
        return NGX_OK;
    }

    c = &ctx->candidates[ctx->current];

    if (c->set_session == NULL) {
        return NGX_OK;
    }

    return c->set_session(pc, c->data);
}


static void
ngx_http_llm_peer_save_session(ngx_peer_connection_t *pc, void *data)
{
    ngx_http_llm_ctx_t *ctx = data;

    ngx_http_llm_candidate_t  *c;

    if (ctx->current >= ctx->ncandidates || ctx->keepalive_hit) {
        return;
    }

    c = &ctx->candidates[ctx->current];

    if (c->save_session) {
        c->save_session(pc, c->data);
    }
}

#endif
