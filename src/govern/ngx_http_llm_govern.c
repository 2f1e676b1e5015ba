
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_govern.h"
#include "ngx_http_llm_error.h"
#include "ngx_http_llm_shm.h"
#include "ngx_http_llm_tenant.h"


/*
 * Admission and settlement.  A request passes every tier that applies to
 * it (its key, the key's team, the team's customer, and the provider that
 * serves it) in one step under the zone's lock: rate limits, concurrency
 * and budgets, reserving its estimated cost and tokens.  When it ends, on
 * whatever path, a pool cleanup releases the reservation and the slot and
 * charges the actual cost to every tier.
 */


#define NGX_HTTP_LLM_RL_REQUESTS  0
#define NGX_HTTP_LLM_RL_TOKENS    1


typedef struct {
    ngx_http_llm_entity_t         *entity;
    ngx_http_llm_limit_t          *limit;
    int64_t                        used;
    int64_t                        need;
} ngx_http_llm_refusal_t;


static ngx_uint_t ngx_http_llm_governed(ngx_http_llm_entity_t *e);
static void ngx_http_llm_check(ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_entity_t *e, int64_t now, ngx_http_llm_refusal_t *budget,
    ngx_http_llm_refusal_t *rate);
static void ngx_http_llm_commit(ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_entity_t *e);
static void ngx_http_llm_release(ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_entity_t *e, int64_t cost, int64_t tokens, int64_t now,
    ngx_log_t *log);
static ngx_int_t ngx_http_llm_refuse(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_refusal_t *f, int64_t now);
static void ngx_http_llm_warn(ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_entity_t *e, ngx_http_llm_limit_t *l, ngx_log_t *log);
static void ngx_http_llm_settle_cleanup(void *data);
static ngx_int_t ngx_http_llm_govern_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_llm_add_header(ngx_http_request_t *r,
    const char *name, ngx_str_t *value);


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;


static const char  *ngx_http_llm_window_words[] = {
    "", "minute", "5 minutes", "hour", "day", "week", "month", "year"
};


static ngx_slab_pool_t *
ngx_http_llm_govern_shpool(ngx_http_request_t *r)
{
    ngx_http_llm_main_conf_t  *lmcf;

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_llm_module);

    return (ngx_slab_pool_t *) lmcf->shm_zone->shm.addr;
}


ngx_int_t
ngx_http_llm_govern_admit(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    int64_t                    now, prompt, output, cost;
    ngx_uint_t                 i, n, governed;
    ngx_slab_pool_t           *shpool;
    ngx_pool_cleanup_t        *cln;
    ngx_http_llm_entity_t     *e;
    ngx_http_llm_provider_t   *pr;
    ngx_http_llm_refusal_t     budget, rate, pbudget, prate;
    ngx_http_llm_main_conf_t  *lmcf;

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_llm_module);

    /* the estimate: prompt size, and the most output it may ask for */

    prompt = (ctx->prompt_bytes + 3) / 4;
    output = 0;

    if (ctx->endpoint == NGX_HTTP_LLM_ENDPOINT_CHAT) {
        output = ctx->max_tokens >= 0 ? ctx->max_tokens
                                      : (int64_t) lmcf->default_max_tokens;
    }

    ctx->est_tokens = prompt + output;
    ctx->est_cost = 0;

    for (i = 0; i < ctx->ncandidates; i++) {
        cost = ngx_http_llm_cost(ctx->candidates[i].price, prompt, output,
                                 0, 0);
        if (cost > ctx->est_cost) {
            ctx->est_cost = cost;
        }
    }

    governed = 0;
    ctx->ntiers = 0;

    for (e = &ctx->vkey->entity; e; e = e->parent) {
        ctx->tiers[ctx->ntiers++] = e;
        governed |= ngx_http_llm_governed(e);
    }

    for (i = 0; i < ctx->ncandidates; i++) {
        governed |= ngx_http_llm_governed(&ctx->candidates[i].provider->entity);
    }

    if (!governed) {
        /* nothing to check or charge: no lock taken */
        return NGX_OK;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    now = ngx_time();
    shpool = ngx_http_llm_govern_shpool(r);

    ngx_memzero(&budget, sizeof(ngx_http_llm_refusal_t));
    ngx_memzero(&rate, sizeof(ngx_http_llm_refusal_t));
    ngx_memzero(&pbudget, sizeof(ngx_http_llm_refusal_t));
    ngx_memzero(&prate, sizeof(ngx_http_llm_refusal_t));

    ngx_shmtx_lock(&shpool->mutex);

    for (i = 0; i < ctx->ntiers; i++) {
        ngx_http_llm_check(ctx, ctx->tiers[i], now, &budget, &rate);
    }

    if (budget.limit || rate.limit) {
        ngx_shmtx_unlock(&shpool->mutex);
        return ngx_http_llm_refuse(r, ctx, budget.limit ? &budget : &rate,
                                   now);
    }

    /* a provider over its own limits is skipped, not fatal */

    for (i = 0, n = 0; i < ctx->ncandidates; i++) {
        pr = ctx->candidates[i].provider;
        budget.limit = NULL;
        rate.limit = NULL;

        if (ngx_http_llm_governed(&pr->entity)) {
            ngx_http_llm_check(ctx, &pr->entity, now, &budget, &rate);
        }

        if (budget.limit || rate.limit) {
            if (budget.limit && pbudget.limit == NULL) {
                pbudget = budget;
            }

            if (rate.limit && prate.limit == NULL) {
                prate = rate;
            }

            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "llm: provider \"%V\" skipped: over its limits",
                           &pr->name);
            continue;
        }

        ctx->candidates[n++] = ctx->candidates[i];
    }

    ctx->ncandidates = n;

    if (n == 0) {
        ngx_shmtx_unlock(&shpool->mutex);
        return ngx_http_llm_refuse(r, ctx,
                                   prate.limit ? &prate : &pbudget, now);
    }

    for (i = 0; i < ctx->ntiers; i++) {
        ngx_http_llm_commit(ctx, ctx->tiers[i]);
    }

    ctx->gov_provider = ctx->candidates[0].provider;
    ngx_http_llm_commit(ctx, &ctx->gov_provider->entity);

    ngx_http_llm_shm_meta(shpool)->version++;

    ngx_shmtx_unlock(&shpool->mutex);

    ctx->admitted = 1;
    cln->handler = ngx_http_llm_settle_cleanup;
    cln->data = ctx;

    return NGX_OK;
}


static ngx_uint_t
ngx_http_llm_governed(ngx_http_llm_entity_t *e)
{
    return e->limits.nelts != 0;
}


/*
 * Every limit of one tenant against this request; the first budget and
 * the first rate limit it would break are kept.  Also the rate-limit
 * headers (the tightest of every tier) and budget warnings.
 */

static void
ngx_http_llm_check(ngx_http_llm_ctx_t *ctx, ngx_http_llm_entity_t *e,
    int64_t now, ngx_http_llm_refusal_t *budget, ngx_http_llm_refusal_t *rate)
{
    int64_t                  used, need, left;
    ngx_uint_t               i, k;
    ngx_http_llm_limit_t    *l;
    ngx_http_llm_counter_t  *c;
    ngx_http_llm_refusal_t  *f;

    l = e->limits.elts;

    for (i = 0; i < e->limits.nelts; i++) {
        c = l[i].counter;
        ngx_http_llm_counter_roll(c, now);

        f = rate;

        switch (l[i].kind) {

        case NGX_HTTP_LLM_LIMIT_BUDGET:
            used = ngx_http_llm_counter_used(c) + c->reserved;
            need = ctx->est_cost;
            f = budget;

            if (l[i].alert && e->tier != NGX_HTTP_LLM_TIER_PROVIDER) {
                ngx_http_llm_warn(ctx, e, &l[i], ctx->request->connection->log);
            }

            break;

        case NGX_HTTP_LLM_LIMIT_REQUESTS:
            used = ngx_http_llm_counter_used(c);
            need = 1;
            break;

        case NGX_HTTP_LLM_LIMIT_TOKENS:
            used = ngx_http_llm_counter_used(c) + c->reserved;
            need = ctx->est_tokens;
            break;

        default: /* NGX_HTTP_LLM_LIMIT_CONCURRENCY */
            used = c->spent;
            need = 1;
            break;
        }

        /*
         * A request larger than a whole tokens window gets in only when
         * the window is empty; a budget is a hard cap.
         */

        if (used + need > l[i].max
            && !(l[i].kind == NGX_HTTP_LLM_LIMIT_TOKENS && used == 0))
        {
            if (f->limit == NULL) {
                f->entity = e;
                f->limit = &l[i];
                f->used = used;
                f->need = need;
            }
        }

        if (e->tier == NGX_HTTP_LLM_TIER_PROVIDER
            || (l[i].kind != NGX_HTTP_LLM_LIMIT_REQUESTS
                && l[i].kind != NGX_HTTP_LLM_LIMIT_TOKENS))
        {
            continue;
        }

        k = (l[i].kind == NGX_HTTP_LLM_LIMIT_REQUESTS)
            ? NGX_HTTP_LLM_RL_REQUESTS : NGX_HTTP_LLM_RL_TOKENS;

        left = l[i].max - used - need;
        if (left < 0) {
            left = 0;
        }

        if (!(ctx->rl_set & (1 << k)) || left < ctx->rl_remaining[k]) {
            ctx->rl_set |= 1 << k;
            ctx->rl_limit[k] = l[i].max;
            ctx->rl_remaining[k] = left;
            ctx->rl_reset[k] = c->end - now;
        }
    }
}


static void
ngx_http_llm_commit(ngx_http_llm_ctx_t *ctx, ngx_http_llm_entity_t *e)
{
    ngx_uint_t               i;
    ngx_http_llm_limit_t    *l;
    ngx_http_llm_counter_t  *c;

    l = e->limits.elts;

    for (i = 0; i < e->limits.nelts; i++) {
        c = l[i].counter;

        switch (l[i].kind) {

        case NGX_HTTP_LLM_LIMIT_BUDGET:
            c->reserved += ctx->est_cost;
            break;

        case NGX_HTTP_LLM_LIMIT_REQUESTS:
            c->spent++;
            c->pending++;
            break;

        case NGX_HTTP_LLM_LIMIT_TOKENS:
            c->reserved += ctx->est_tokens;
            break;

        default: /* NGX_HTTP_LLM_LIMIT_CONCURRENCY */
            c->spent++;
            break;
        }
    }
}


static void
ngx_http_llm_release(ngx_http_llm_ctx_t *ctx, ngx_http_llm_entity_t *e,
    int64_t cost, int64_t tokens, int64_t now, ngx_log_t *log)
{
    ngx_uint_t               i;
    ngx_http_llm_limit_t    *l;
    ngx_http_llm_counter_t  *c;

    l = e->limits.elts;

    for (i = 0; i < e->limits.nelts; i++) {
        c = l[i].counter;
        ngx_http_llm_counter_roll(c, now);

        switch (l[i].kind) {

        case NGX_HTTP_LLM_LIMIT_BUDGET:
            c->reserved -= ctx->est_cost;
            c->spent += cost;
            c->pending += cost;

            if (l[i].alert && e->tier != NGX_HTTP_LLM_TIER_PROVIDER) {
                ngx_http_llm_warn(NULL, e, &l[i], log);
            }

            break;

        case NGX_HTTP_LLM_LIMIT_TOKENS:
            c->reserved -= ctx->est_tokens;
            c->spent += tokens;
            c->pending += tokens;
            break;

        case NGX_HTTP_LLM_LIMIT_CONCURRENCY:
            c->spent--;
            break;

        default:
            break;
        }
    }
}


/*
 * A failover to another provider moves the provider-tier reservation and
 * slot to it, if its own limits allow; NGX_DECLINED: skip it.
 */

ngx_int_t
ngx_http_llm_govern_switch(ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_provider_t *pr)
{
    int64_t                  now;
    ngx_slab_pool_t         *shpool;
    ngx_http_llm_refusal_t   budget, rate;

    if (!ctx->admitted || ctx->gov_provider == pr
        || (!ngx_http_llm_governed(&pr->entity)
            && !ngx_http_llm_governed(&ctx->gov_provider->entity)))
    {
        ctx->gov_provider = ctx->admitted ? pr : NULL;
        return NGX_OK;
    }

    now = ngx_time();
    shpool = ngx_http_llm_govern_shpool(ctx->request);

    budget.limit = NULL;
    rate.limit = NULL;

    ngx_shmtx_lock(&shpool->mutex);

    ngx_http_llm_check(ctx, &pr->entity, now, &budget, &rate);

    if (budget.limit || rate.limit) {
        ngx_shmtx_unlock(&shpool->mutex);
        return NGX_DECLINED;
    }

    ngx_http_llm_release(ctx, &ctx->gov_provider->entity, 0, 0, now,
                         ctx->request->connection->log);
    ngx_http_llm_commit(ctx, &pr->entity);

    ngx_shmtx_unlock(&shpool->mutex);

    ctx->gov_provider = pr;

    return NGX_OK;
}


/* the request's actual cost, nano-USD: 0 while its usage is unknown */

int64_t
ngx_http_llm_govern_cost(ngx_http_llm_ctx_t *ctx)
{
    int64_t  cached, written, input;

    if (ctx->prompt_tokens < 0 && ctx->completion_tokens < 0) {
        return 0;
    }

    cached = ngx_max(ctx->cached_tokens, 0);
    written = ngx_max(ctx->cache_write_tokens, 0);
    input = ngx_max(ctx->prompt_tokens, 0) - cached - written;

    return ngx_http_llm_cost(ctx->price, input,
                             ngx_max(ctx->completion_tokens, 0),
                             cached, written);
}


/*
 * Settles once: when the provider's answer is complete (upstream or mock
 * finalization), or at the latest when the request's pool goes, which
 * covers every other path: errors, client aborts, worker shutdown.
 */

static void
ngx_http_llm_settle_cleanup(void *data)
{
    ngx_http_llm_govern_settle(data);
}


void
ngx_http_llm_govern_settle(ngx_http_llm_ctx_t *ctx)
{
    int64_t           now, cost, tokens;
    ngx_uint_t        i;
    ngx_slab_pool_t  *shpool;

    if (!ctx->admitted) {
        return;
    }

    cost = ngx_http_llm_govern_cost(ctx);
    tokens = ngx_max(ctx->prompt_tokens, 0)
             + ngx_max(ctx->completion_tokens, 0);

    now = ngx_time();
    shpool = ngx_http_llm_govern_shpool(ctx->request);

    ngx_shmtx_lock(&shpool->mutex);

    for (i = 0; i < ctx->ntiers; i++) {
        ngx_http_llm_release(ctx, ctx->tiers[i], cost, tokens, now,
                             ctx->request->connection->log);
    }

    if (ctx->gov_provider) {
        ngx_http_llm_release(ctx, &ctx->gov_provider->entity, cost, tokens,
                             now, ctx->request->connection->log);
    }

    ngx_http_llm_shm_meta(shpool)->version++;

    ngx_shmtx_unlock(&shpool->mutex);

    ctx->admitted = 0;
}


/*
 * 402 for a budget (SDKs do not retry it), 429 with Retry-After for a
 * rate or concurrency limit; both say which tier, which window, how much
 * and until when.
 */

static ngx_int_t
ngx_http_llm_refuse(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_refusal_t *f, int64_t now)
{
    u_char                  *p;
    u_char                   a[NGX_HTTP_LLM_MONEY_LEN];
    u_char                   b[NGX_HTTP_LLM_MONEY_LEN];
    u_char                   c[NGX_HTTP_LLM_MONEY_LEN];
    int64_t                  wait;
    ngx_str_t               *tier, *window;
    ngx_http_llm_limit_t    *l;

    l = f->limit;
    tier = ngx_http_llm_tier_name(f->entity->tier);
    window = ngx_http_llm_window_name(l->window);

    p = ngx_pnalloc(r->pool, 128 + f->entity->name.len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->limit_reason.data = p;
    ctx->limit_reason.len = ngx_sprintf(p, "%V %V %V%s%V",
                                 ngx_http_llm_kind_name(l->kind),
                                 tier, &f->entity->name,
                                 window->len ? " " : "", window)
                            - p;

    if (l->kind == NGX_HTTP_LLM_LIMIT_BUDGET) {
        p = ngx_pnalloc(r->pool, NGX_HTTP_LLM_ISO_LEN);
        if (p == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ctx->budget_reset.data = p;
        ctx->budget_reset.len = ngx_http_llm_iso8601(p, l->counter->end) - p;

        *ngx_http_llm_money_print(a, l->max) = '\0';
        *ngx_http_llm_money_print(b, ngx_max(l->max - f->used, 0)) = '\0';
        *ngx_http_llm_money_print(c, f->need) = '\0';

        return ngx_http_llm_error(r, NGX_HTTP_LLM_PAYMENT_REQUIRED,
                   "budget_exceeded",
                   "Budget exceeded: the %V \"%V\" budget of %s USD per "
                   "%s (%V) has %s USD left and this request may cost up "
                   "to %s USD; it resets at %V.",
                   tier, &f->entity->name, a,
                   ngx_http_llm_window_words[l->window], window, b, c,
                   &ctx->budget_reset);
    }

    wait = (l->kind == NGX_HTTP_LLM_LIMIT_CONCURRENCY)
           ? 1 : ngx_max(l->counter->end - now, 1);

    ctx->retry_after_s = wait;

    if (l->kind == NGX_HTTP_LLM_LIMIT_CONCURRENCY) {
        return ngx_http_llm_error(r, NGX_HTTP_TOO_MANY_REQUESTS,
                   "concurrency_limit",
                   "Concurrency limit: the %V \"%V\" allows %L requests "
                   "in flight; retry after %L s.",
                   tier, &f->entity->name, l->max, wait);
    }

    return ngx_http_llm_error(r, NGX_HTTP_TOO_MANY_REQUESTS,
               l->kind == NGX_HTTP_LLM_LIMIT_REQUESTS
               ? "requests_limit" : "tokens_limit",
               "Rate limit: the %V \"%V\" allows %L %V per %s (%V); %L "
               "used or reserved, this request needs %L; retry after %L s.",
               tier, &f->entity->name, l->max,
               ngx_http_llm_kind_name(l->kind),
               ngx_http_llm_window_words[l->window], window, f->used,
               f->need, wait);
}


/*
 * A budget past its alert= threshold: a warning header on this response
 * (ctx) and one warning log line per window across every worker.
 */

static void
ngx_http_llm_warn(ngx_http_llm_ctx_t *ctx, ngx_http_llm_entity_t *e,
    ngx_http_llm_limit_t *l, ngx_log_t *log)
{
    u_char                  *p, *last;
    u_char                   a[NGX_HTTP_LLM_MONEY_LEN];
    u_char                   b[NGX_HTTP_LLM_MONEY_LEN];
    int64_t                  used, pct;
    ngx_str_t               *w;
    ngx_http_llm_counter_t  *c;

    c = l->counter;
    used = ngx_http_llm_counter_used(c);

    /* used >= max x alert / 100, in integers that cannot overflow */
    if (used < l->max / 100 * (int64_t) l->alert
               + l->max % 100 * (int64_t) l->alert / 100)
    {
        return;
    }

    pct = (l->max >= 100) ? used / (l->max / 100) : 100;

    w = ngx_http_llm_window_name(l->window);

    *ngx_http_llm_money_print(a, used) = '\0';
    *ngx_http_llm_money_print(b, l->max) = '\0';

    if (c->alerted != c->start) {
        c->alerted = c->start;

        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "llm: %V \"%V\" has spent %L%% of its %V budget "
                      "(%s of %s USD), past its alert at %ui%%",
                      ngx_http_llm_tier_name(e->tier), &e->name, pct, w,
                      a, b, l->alert);
    }

    if (ctx == NULL) {
        return;
    }

    p = ngx_pnalloc(ctx->request->pool,
                    ctx->budget_warning.len + 2 + 96 + e->name.len);
    if (p == NULL) {
        return;
    }

    last = ngx_cpymem(p, ctx->budget_warning.data, ctx->budget_warning.len);

    if (ctx->budget_warning.len) {
        last = ngx_http_llm_cpystr(last, ", ");
    }

    last = ngx_sprintf(last, "%V %V %V budget at %L%% (%s of %s USD)",
                       ngx_http_llm_tier_name(e->tier), &e->name, w, pct,
                       a, b);

    ctx->budget_warning.data = p;
    ctx->budget_warning.len = last - p;
}


ngx_int_t
ngx_http_llm_govern_filter_init(ngx_conf_t *cf)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_llm_govern_header_filter;

    return NGX_OK;
}


/* on every response of a governed request, success or error */

static ngx_int_t
ngx_http_llm_govern_header_filter(ngx_http_request_t *r)
{
    u_char              *p;
    ngx_str_t            v;
    ngx_uint_t           k;
    ngx_http_llm_ctx_t  *ctx;

    static const char  *names[2][3] = {
        { "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
          "x-ratelimit-reset-requests" },
        { "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens",
          "x-ratelimit-reset-tokens" }
    };

    if (r != r->main) {
        return ngx_http_next_header_filter(r);
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);

    if (ctx == NULL || ctx->headers_added) {
        return ngx_http_next_header_filter(r);
    }

    ctx->headers_added = 1;

    for (k = 0; k < 2; k++) {
        if (!(ctx->rl_set & (1 << k))) {
            continue;
        }

        p = ngx_pnalloc(r->pool, 3 * (NGX_INT64_LEN + 1));
        if (p == NULL) {
            return NGX_ERROR;
        }

        v.data = p;
        v.len = ngx_sprintf(p, "%L", ctx->rl_limit[k]) - p;
        p += v.len;

        if (ngx_http_llm_add_header(r, names[k][0], &v) != NGX_OK) {
            return NGX_ERROR;
        }

        v.data = p;
        v.len = ngx_sprintf(p, "%L", ctx->rl_remaining[k]) - p;
        p += v.len;

        if (ngx_http_llm_add_header(r, names[k][1], &v) != NGX_OK) {
            return NGX_ERROR;
        }

        v.data = p;
        v.len = ngx_sprintf(p, "%Ls", ctx->rl_reset[k]) - p;

        if (ngx_http_llm_add_header(r, names[k][2], &v) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (ctx->budget_warning.len
        && ngx_http_llm_add_header(r, "x-llm-budget-warning",
                                   &ctx->budget_warning)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ctx->budget_reset.len
        && ngx_http_llm_add_header(r, "x-llm-budget-reset",
                                   &ctx->budget_reset)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ctx->retry_after_s) {
        p = ngx_pnalloc(r->pool, NGX_INT64_LEN);
        if (p == NULL) {
            return NGX_ERROR;
        }

        v.data = p;
        v.len = ngx_sprintf(p, "%L", ctx->retry_after_s) - p;

        if (ngx_http_llm_add_header(r, "Retry-After", &v) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return ngx_http_next_header_filter(r);
}


static ngx_int_t
ngx_http_llm_add_header(ngx_http_request_t *r, const char *name,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) name;
    h->key.len = ngx_strlen(name);
    h->value = *value;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif

    return NGX_OK;
}
