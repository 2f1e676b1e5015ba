
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_PRICING_H_INCLUDED_
#define _NGX_HTTP_LLM_PRICING_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* prices */

char *ngx_http_llm_price(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_llm_pricing(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_http_llm_price_t *ngx_http_llm_price_find(ngx_http_llm_main_conf_t *lmcf,
    ngx_http_llm_provider_t *pr, ngx_str_t *model);
ngx_str_t *ngx_http_llm_prices_date(void);


#endif /* _NGX_HTTP_LLM_PRICING_H_INCLUDED_ */
