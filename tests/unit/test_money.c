
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_money.h"
#include "unit.h"


#define PARSE(s, d)  ngx_http_llm_money_parse((u_char *) s, sizeof(s) - 1, d)


static int
prints(int64_t nano, const char *want)
{
    u_char  buf[NGX_HTTP_LLM_MONEY_LEN], *p;

    p = ngx_http_llm_money_print(buf, nano);

    return (size_t) (p - buf) == strlen(want)
           && memcmp(buf, want, p - buf) == 0;
}


static ngx_str_t
str(const char *s)
{
    ngx_str_t  v;

    v.data = (u_char *) s;
    v.len = strlen(s);

    return v;
}


int
main(void)
{
    ngx_str_t              m;
    ngx_http_llm_price_t  *p;

    ngx_http_llm_price_t  prices[] = {
        { ngx_string("gpt-4o"), 2500000, 10000000, 1250000, 0, 1 },
        { ngx_string("gpt-4o-mini"), 150000, 600000, 75000, 0, 1 },
        { ngx_string("exact"), 1, 2, 0, 0, 0 },
        { ngx_string("claude-opus-4"), 15000000, 75000000, 1500000,
          18750000, 1 },
        { ngx_string("claude-opus-4-5"), 5000000, 25000000, 500000,
          6250000, 1 },
    };

    /* amounts: USD to nano-USD, and prices to micro-USD */
    CHECK(PARSE("500", 9) == 500000000000LL);
    CHECK(PARSE("0.25", 9) == 250000000LL);
    CHECK(PARSE("0.000000001", 9) == 1);
    CHECK(PARSE("2.5", 6) == 2500000);
    CHECK(PARSE("0.075", 6) == 75000);
    CHECK(PARSE("0", 9) == 0);
    CHECK(PARSE("0.0000001", 6) == NGX_ERROR);
    CHECK(PARSE("-1", 9) == NGX_ERROR);
    CHECK(PARSE("1e3", 9) == NGX_ERROR);
    CHECK(PARSE("1.", 9) == NGX_ERROR);
    CHECK(PARSE(".5", 9) == 500000000LL);
    CHECK(PARSE("1.2.3", 9) == NGX_ERROR);
    CHECK(PARSE("", 9) == NGX_ERROR);
    CHECK(PARSE("99999999999999999999", 9) == NGX_ERROR);
    CHECK(PARSE("9000000000", 9) == 9000000000000000000LL);
    CHECK(PARSE("9999999999", 9) == NGX_ERROR);
    CHECK(PARSE("99999999999", 9) == NGX_ERROR);

    CHECK(prints(500000000000LL, "500.00"));
    CHECK(prints(250000000LL, "0.25"));
    CHECK(prints(150000, "0.00015"));
    CHECK(prints(1, "0.000000001"));
    CHECK(prints(0, "0.00"));
    CHECK(prints(-1500000000LL, "-1.50"));

    /*
     * cost: gpt-4o, 1000 prompt tokens (300 cached), 500 output:
     * 700 x 2.50 + 300 x 1.25 + 500 x 10.00 per 1M
     * = 0.00175 + 0.000375 + 0.005 = 0.007125 USD
     */
    CHECK(ngx_http_llm_cost(&prices[0], 700, 500, 300, 0) == 7125000);
    /* a fraction of a nano-dollar is charged as one */
    CHECK(ngx_http_llm_cost(&prices[2], 1, 0, 0, 0) == 1);
    CHECK(ngx_http_llm_cost(&prices[2], 0, 0, 0, 0) == 0);
    /* Anthropic cache write and read */
    CHECK(ngx_http_llm_cost(&prices[4], 100, 10, 1000, 2000)
          == (100 * 5000000LL + 10 * 25000000LL + 1000 * 500000LL
              + 2000 * 6250000LL) / 1000);
    CHECK(ngx_http_llm_cost(NULL, 100, 100, 0, 0) == 0);
    CHECK(ngx_http_llm_cost(&prices[0], -5, 10, 0, 0) == 100000);

    /* lookup: exact names, then the longest prefix */
    m = str("gpt-4o-mini-2024-07-18");
    p = ngx_http_llm_price_lookup(prices, 5, &m);
    CHECK(p == &prices[1]);
    m = str("gpt-4o");
    CHECK(ngx_http_llm_price_lookup(prices, 5, &m) == &prices[0]);
    m = str("claude-opus-4-5-20251101");
    CHECK(ngx_http_llm_price_lookup(prices, 5, &m) == &prices[4]);
    m = str("claude-opus-4-1-20250805");
    CHECK(ngx_http_llm_price_lookup(prices, 5, &m) == &prices[3]);
    m = str("exact");
    CHECK(ngx_http_llm_price_lookup(prices, 5, &m) == &prices[2]);
    m = str("exact-not");
    CHECK(ngx_http_llm_price_lookup(prices, 5, &m) == NULL);
    m = str("gpt-4");
    CHECK(ngx_http_llm_price_lookup(prices, 5, &m) == NULL);
    m = str("");
    CHECK(ngx_http_llm_price_lookup(prices, 5, &m) == NULL);

    UNIT_DONE("money");
}
