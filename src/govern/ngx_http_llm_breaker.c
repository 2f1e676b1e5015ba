
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_breaker.h"


ngx_int_t
ngx_http_llm_cooling(ngx_http_llm_state_t *st)
{
    return st && (ngx_msec_int_t) (st->cooldown_until - ngx_current_msec) > 0;
}


void
ngx_http_llm_cool(ngx_http_llm_state_t *st, ngx_msec_t ms)
{
    ngx_atomic_uint_t  old, until;

    until = ngx_current_msec + ms;

    /* the longest cooldown any worker set wins */
    do {
        old = st->cooldown_until;

        if ((ngx_msec_int_t) (old - until) >= 0) {
            return;
        }

    } while (!ngx_atomic_cmp_set(&st->cooldown_until, old, until));
}


/*
 * The circuit breaker: closed until "failures" consecutive failures, then
 * open for "cooldown"; after that one request at a time may probe it
 * (half-open), and its success closes it again.
 */

ngx_int_t
ngx_http_llm_breaker_allow(ngx_http_llm_provider_t *pr, ngx_uint_t *probe)
{
    ngx_atomic_uint_t      old;
    ngx_http_llm_state_t  *st;

    st = pr->state;
    *probe = 0;

    if (st == NULL || pr->breaker_failures == 0 || st->open_until == 0) {
        return 1;
    }

    if ((ngx_msec_int_t) (st->open_until - ngx_current_msec) > 0) {
        return 0;
    }

    old = st->probe_at;

    if (old && (ngx_msec_int_t) (ngx_current_msec - old)
               < (ngx_msec_int_t) pr->breaker_cooldown)
    {
        /* another request is probing */
        return 0;
    }

    if (!ngx_atomic_cmp_set(&st->probe_at, old, ngx_current_msec | 1)) {
        return 0;
    }

    *probe = 1;

    return 1;
}


void
ngx_http_llm_breaker_report(ngx_http_llm_provider_t *pr, ngx_uint_t ok,
    ngx_log_t *log)
{
    ngx_atomic_uint_t      n;
    ngx_http_llm_state_t  *st;

    st = pr->state;

    if (st == NULL || pr->breaker_failures == 0) {
        return;
    }

    if (ok) {
        if (st->open_until) {
            ngx_log_error(NGX_LOG_NOTICE, log, 0,
                          "llm: provider \"%V\" circuit closed", &pr->name);
        }

        st->failures = 0;
        st->open_until = 0;
        st->probe_at = 0;
        return;
    }

    n = ngx_atomic_fetch_add(&st->failures, 1) + 1;

    if (n >= pr->breaker_failures) {
        st->open_until = (ngx_current_msec + pr->breaker_cooldown) | 1;
        st->probe_at = 0;

        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "llm: provider \"%V\" circuit open for %M ms after "
                      "%uA consecutive failures",
                      &pr->name, pr->breaker_cooldown, n);
    }
}
