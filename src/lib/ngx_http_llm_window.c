
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_window.h"


/*
 * Budget and rate-limit windows.  Minutes and hours are aligned to epoch
 * multiples; days, weeks (from Monday), months and years to the UTC
 * calendar.  Pure arithmetic on Unix seconds, unit-tested on its own.
 */


static ngx_str_t  ngx_http_llm_window_names[] = {
    ngx_null_string,
    ngx_string("1m"),
    ngx_string("5m"),
    ngx_string("1h"),
    ngx_string("1d"),
    ngx_string("1w"),
    ngx_string("1M"),
    ngx_string("1Y")
};


#define NGX_HTTP_LLM_DAY     86400
/* 1970-01-05, the first Monday of the epoch */
#define NGX_HTTP_LLM_MONDAY  (4 * NGX_HTTP_LLM_DAY)


static int64_t ngx_http_llm_floor_div(int64_t a, int64_t b);
static int64_t ngx_http_llm_days_from_civil(int64_t y, int64_t m,
    int64_t d);
static void ngx_http_llm_civil_from_days(int64_t z, int64_t *y, int64_t *m,
    int64_t *d);


ngx_uint_t
ngx_http_llm_window_parse(u_char *p, size_t len)
{
    ngx_uint_t  w;

    for (w = 1; w <= NGX_HTTP_LLM_WINDOW_YEAR; w++) {
        if (ngx_http_llm_window_names[w].len == len
            && ngx_strncmp(ngx_http_llm_window_names[w].data, p, len) == 0)
        {
            return w;
        }
    }

    return 0;
}


ngx_str_t *
ngx_http_llm_window_name(ngx_uint_t w)
{
    return &ngx_http_llm_window_names[w <= NGX_HTTP_LLM_WINDOW_YEAR ? w : 0];
}


int64_t
ngx_http_llm_window_start(ngx_uint_t w, int64_t now)
{
    int64_t  days, y, m, d, step;

    switch (w) {

    case NGX_HTTP_LLM_WINDOW_MINUTE:
        step = 60;
        break;

    case NGX_HTTP_LLM_WINDOW_5MINUTES:
        step = 300;
        break;

    case NGX_HTTP_LLM_WINDOW_HOUR:
        step = 3600;
        break;

    case NGX_HTTP_LLM_WINDOW_DAY:
        step = NGX_HTTP_LLM_DAY;
        break;

    case NGX_HTTP_LLM_WINDOW_WEEK:
        return NGX_HTTP_LLM_MONDAY
               + ngx_http_llm_floor_div(now - NGX_HTTP_LLM_MONDAY,
                                        7 * NGX_HTTP_LLM_DAY)
                 * 7 * NGX_HTTP_LLM_DAY;

    case NGX_HTTP_LLM_WINDOW_MONTH:
    case NGX_HTTP_LLM_WINDOW_YEAR:
        days = ngx_http_llm_floor_div(now, NGX_HTTP_LLM_DAY);
        ngx_http_llm_civil_from_days(days, &y, &m, &d);

        if (w == NGX_HTTP_LLM_WINDOW_YEAR) {
            m = 1;
        }

        return ngx_http_llm_days_from_civil(y, m, 1) * NGX_HTTP_LLM_DAY;

    default:
        return 0;
    }

    return ngx_http_llm_floor_div(now, step) * step;
}


/* the start of the window after the one starting at "start" */

int64_t
ngx_http_llm_window_next(ngx_uint_t w, int64_t start)
{
    int64_t  days, y, m, d;

    switch (w) {

    case NGX_HTTP_LLM_WINDOW_MINUTE:
        return start + 60;

    case NGX_HTTP_LLM_WINDOW_5MINUTES:
        return start + 300;

    case NGX_HTTP_LLM_WINDOW_HOUR:
        return start + 3600;

    case NGX_HTTP_LLM_WINDOW_DAY:
        return start + NGX_HTTP_LLM_DAY;

    case NGX_HTTP_LLM_WINDOW_WEEK:
        return start + 7 * NGX_HTTP_LLM_DAY;

    case NGX_HTTP_LLM_WINDOW_MONTH:
    case NGX_HTTP_LLM_WINDOW_YEAR:
        days = ngx_http_llm_floor_div(start, NGX_HTTP_LLM_DAY);
        ngx_http_llm_civil_from_days(days, &y, &m, &d);

        if (w == NGX_HTTP_LLM_WINDOW_YEAR) {
            y++;
            m = 1;

        } else if (++m > 12) {
            y++;
            m = 1;
        }

        return ngx_http_llm_days_from_civil(y, m, 1) * NGX_HTTP_LLM_DAY;

    default:
        /* concurrency and lifetime counters never roll over */
        return INT64_MAX;
    }
}


/* "2026-11-22T10:00:00Z"; buf holds NGX_HTTP_LLM_ISO_LEN bytes */

u_char *
ngx_http_llm_iso8601(u_char *buf, int64_t t)
{
    int64_t  days, secs, y, m, d;

    days = ngx_http_llm_floor_div(t, NGX_HTTP_LLM_DAY);
    secs = t - days * NGX_HTTP_LLM_DAY;

    ngx_http_llm_civil_from_days(days, &y, &m, &d);

    buf = ngx_http_llm_digits(buf, y, 4);
    *buf++ = '-';
    buf = ngx_http_llm_digits(buf, m, 2);
    *buf++ = '-';
    buf = ngx_http_llm_digits(buf, d, 2);
    *buf++ = 'T';
    buf = ngx_http_llm_digits(buf, secs / 3600, 2);
    *buf++ = ':';
    buf = ngx_http_llm_digits(buf, secs / 60 % 60, 2);
    *buf++ = ':';
    buf = ngx_http_llm_digits(buf, secs % 60, 2);
    *buf++ = 'Z';

    return buf;
}


/*
 * A non-negative number, zero-padded to "width" digits; this file and
 * the money arithmetic stay free of nginx's runtime (unit tests).
 */

u_char *
ngx_http_llm_digits(u_char *p, uint64_t v, ngx_uint_t width)
{
    u_char      tmp[NGX_INT64_LEN], *t;
    ngx_uint_t  n;

    t = tmp + sizeof(tmp);
    n = 0;

    do {
        *--t = (u_char) ('0' + v % 10);
        v /= 10;
        n++;
    } while (v);

    for ( /* void */ ; n < width; n++) {
        *p++ = '0';
    }

    return ngx_cpymem(p, t, tmp + sizeof(tmp) - t);
}


static int64_t
ngx_http_llm_floor_div(int64_t a, int64_t b)
{
    int64_t  q;

    q = a / b;

    if ((a % b != 0) && ((a < 0) != (b < 0))) {
        q--;
    }

    return q;
}


/*
 * Days since 1970-01-01 of a proleptic Gregorian date, counted in 400-year
 * eras that begin on March 1st so that the leap day ends each year.
 */

static int64_t
ngx_http_llm_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t  era, yoe, doy, doe;

    if (m <= 2) {
        y--;
    }

    era = ngx_http_llm_floor_div(y, 400);
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}


static void
ngx_http_llm_civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    int64_t  era, doe, yoe, doy, mp;

    z += 719468;
    era = ngx_http_llm_floor_div(z, 146097);
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}
