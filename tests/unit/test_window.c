
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_window.h"
#include "unit.h"


#define W(s)  ngx_http_llm_window_parse((u_char *) s, sizeof(s) - 1)


static int
iso_is(int64_t t, const char *want)
{
    u_char  buf[NGX_HTTP_LLM_ISO_LEN], *p;

    p = ngx_http_llm_iso8601(buf, t);

    return (size_t) (p - buf) == strlen(want)
           && memcmp(buf, want, p - buf) == 0;
}


int
main(void)
{
    /* names: exactly the documented set */
    CHECK(W("1m") == NGX_HTTP_LLM_WINDOW_MINUTE);
    CHECK(W("5m") == NGX_HTTP_LLM_WINDOW_5MINUTES);
    CHECK(W("1h") == NGX_HTTP_LLM_WINDOW_HOUR);
    CHECK(W("1d") == NGX_HTTP_LLM_WINDOW_DAY);
    CHECK(W("1w") == NGX_HTTP_LLM_WINDOW_WEEK);
    CHECK(W("1M") == NGX_HTTP_LLM_WINDOW_MONTH);
    CHECK(W("1Y") == NGX_HTTP_LLM_WINDOW_YEAR);
    CHECK(W("1y") == 0);
    CHECK(W("2m") == 0);
    CHECK(W("") == 0);
    CHECK(W("1mm") == 0);

    /* minutes and hours: epoch multiples */
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_MINUTE, 1709210096)
          == 1709210040);
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_5MINUTES, 1709210096)
          == 1709209800);
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_HOUR, 1709210096)
          == 1709208000);
    CHECK(ngx_http_llm_window_next(NGX_HTTP_LLM_WINDOW_5MINUTES, 1709209800)
          == 1709210100);

    /* a day: 2024-02-29 (leap) 12:34:56 -> 00:00, next 03-01 */
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_DAY, 1709210096)
          == 1709164800);
    CHECK(ngx_http_llm_window_next(NGX_HTTP_LLM_WINDOW_DAY, 1709164800)
          == 1709251200);

    /* a week begins on Monday: Sunday 2026-11-22 belongs to 11-16 */
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_WEEK, 1795341600)
          == 1794787200);
    CHECK(ngx_http_llm_window_next(NGX_HTTP_LLM_WINDOW_WEEK, 1794787200)
          == 1795392000);
    /* the Monday itself, at 00:00:00, starts a new week */
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_WEEK, 1795392000)
          == 1795392000);
    /* a week across a year's end: 2025-01-01 is in the week of 12-30 */
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_WEEK, 1735689600)
          == 1735516800);

    /* months: leap February, a month end, December into January */
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_MONTH, 1709210096)
          == 1706745600);
    CHECK(ngx_http_llm_window_next(NGX_HTTP_LLM_WINDOW_MONTH, 1706745600)
          == 1709251200);
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_MONTH, 1795341600)
          == 1793491200);
    CHECK(ngx_http_llm_window_next(NGX_HTTP_LLM_WINDOW_MONTH, 1793491200)
          == 1796083200);
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_MONTH, 1704067199)
          == 1701388800);
    CHECK(ngx_http_llm_window_next(NGX_HTTP_LLM_WINDOW_MONTH, 1701388800)
          == 1704067200);
    /* the last second of a month is in it, the next is not */
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_MONTH, 1709251199)
          == 1706745600);
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_MONTH, 1709251200)
          == 1709251200);
    /* 2100 is not a leap year, 2000 was */
    CHECK(ngx_http_llm_window_next(NGX_HTTP_LLM_WINDOW_MONTH, 4105123200)
          == 4107542400);
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_DAY, 4107542399)
          == 4107542400 - 86400);
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_MONTH, 951782400)
          == 949363200);

    /* years */
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_YEAR, 1709210096)
          == 1704067200);
    CHECK(ngx_http_llm_window_next(NGX_HTTP_LLM_WINDOW_YEAR, 1704067200)
          == 1735689600);
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_YEAR, 1704067199)
          == 1672531200);

    /* before the epoch: floors, not truncation */
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_DAY, -1) == -86400);
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_WEEK, -1)
          == -259200);
    CHECK(ngx_http_llm_window_start(NGX_HTTP_LLM_WINDOW_MONTH, -1)
          == -2678400);

    /* counters without a window never roll over */
    CHECK(ngx_http_llm_window_next(NGX_HTTP_LLM_WINDOW_NONE, 5) == INT64_MAX);

    CHECK(iso_is(1709210096, "2024-02-29T12:34:56Z"));
    CHECK(iso_is(1796083200, "2026-12-01T00:00:00Z"));
    CHECK(iso_is(0, "1970-01-01T00:00:00Z"));

    UNIT_DONE("window");
}
