
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_money.h"
#include "ngx_http_llm_window.h"


/*
 * "12.5" with "digits" decimals allowed, in units of 10^-digits:
 * ("12.5", 9) is 12500000000.  NGX_ERROR for anything else, including
 * signs, exponents, more decimals than allowed and overflow.
 */

int64_t
ngx_http_llm_money_parse(u_char *p, size_t len, ngx_uint_t digits)
{
    u_char      *end;
    int64_t      v, cutoff;
    ngx_uint_t   frac, dot;

    end = p + len;
    v = 0;
    frac = 0;
    dot = 0;
    cutoff = (INT64_MAX - 9) / 10;

    if (len == 0) {
        return NGX_ERROR;
    }

    for ( /* void */ ; p < end; p++) {
        if (*p == '.' && !dot) {
            dot = 1;
            continue;
        }

        if (*p < '0' || *p > '9') {
            return NGX_ERROR;
        }

        if (dot && ++frac > digits) {
            return NGX_ERROR;
        }

        if (v > cutoff) {
            return NGX_ERROR;
        }

        v = v * 10 + (*p - '0');
    }

    if (dot && frac == 0) {
        return NGX_ERROR;
    }

    for ( /* void */ ; frac < digits; frac++) {
        if (v > cutoff) {
            return NGX_ERROR;
        }

        v *= 10;
    }

    return v;
}


/* "12.50", "0.000123": at least two decimals, no trailing zeros after */

u_char *
ngx_http_llm_money_print(u_char *p, int64_t nano)
{
    u_char    frac[NGX_INT64_LEN], *f;
    uint64_t  v;

    v = (nano < 0) ? - (uint64_t) nano : (uint64_t) nano;

    if (nano < 0) {
        *p++ = '-';
    }

    (void) ngx_http_llm_digits(frac, v % NGX_HTTP_LLM_NANO, 9);

    for (f = frac + 9; f > frac + 2 && f[-1] == '0'; f--) {
        /* void */
    }

    p = ngx_http_llm_digits(p, v / NGX_HTTP_LLM_NANO, 1);
    *p++ = '.';

    return ngx_cpymem(p, frac, f - frac);
}


/* nano-USD, rounded up: a fraction of a nano-dollar is still charged */

int64_t
ngx_http_llm_cost(ngx_http_llm_price_t *price, int64_t input, int64_t output,
    int64_t cache_read, int64_t cache_write)
{
    int64_t  micro;

    if (price == NULL) {
        return 0;
    }

    micro = (input > 0 ? input : 0) * price->input
            + (output > 0 ? output : 0) * price->output
            + (cache_read > 0 ? cache_read : 0) * price->cache_read
            + (cache_write > 0 ? cache_write : 0) * price->cache_write;

    /* tokens x micro-USD per 1M tokens = 1e-12 USD; to nano, rounded up */
    return (micro + 999) / 1000;
}


/* an exact name first, then the longest matching prefix */

ngx_http_llm_price_t *
ngx_http_llm_price_lookup(ngx_http_llm_price_t *prices, ngx_uint_t n,
    ngx_str_t *model)
{
    ngx_uint_t             i;
    ngx_http_llm_price_t  *best;

    best = NULL;

    if (model->len == 0) {
        return NULL;
    }

    for (i = 0; i < n; i++) {
        if (prices[i].model.len > model->len
            || prices[i].model.data[0] != model->data[0]
            || ngx_strncmp(prices[i].model.data, model->data,
                           prices[i].model.len)
               != 0)
        {
            continue;
        }

        if (!prices[i].prefix) {
            if (prices[i].model.len == model->len) {
                return &prices[i];
            }

            continue;
        }

        if (best == NULL || prices[i].model.len > best->model.len) {
            best = &prices[i];
        }
    }

    return best;
}
