
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_MONEY_H_INCLUDED_
#define _NGX_HTTP_LLM_MONEY_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/*
 * Money is integer nano-USD (1e-9 USD) everywhere: a budget of USD 500 is
 * 500000000000.  Prices are integer micro-USD per million tokens, which is
 * exactly nano-USD per thousand tokens.
 */

#define NGX_HTTP_LLM_NANO         1000000000LL
#define NGX_HTTP_LLM_MONEY_LEN    NGX_INT64_LEN + 12


typedef struct {
    ngx_str_t    model;          /* literal, or a prefix when "prefix" */
    int64_t      input;          /* micro-USD per 1M tokens */
    int64_t      output;
    int64_t      cache_read;
    int64_t      cache_write;
    unsigned     prefix:1;
} ngx_http_llm_price_t;


int64_t ngx_http_llm_money_parse(u_char *p, size_t len, ngx_uint_t digits);
u_char *ngx_http_llm_money_print(u_char *p, int64_t nano);
int64_t ngx_http_llm_cost(ngx_http_llm_price_t *price, int64_t input,
    int64_t output, int64_t cache_read, int64_t cache_write);
ngx_http_llm_price_t *ngx_http_llm_price_lookup(ngx_http_llm_price_t *prices,
    ngx_uint_t n, ngx_str_t *model);


#endif /* _NGX_HTTP_LLM_MONEY_H_INCLUDED_ */
