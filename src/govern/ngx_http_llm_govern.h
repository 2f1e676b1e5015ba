
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_GOVERN_H_INCLUDED_
#define _NGX_HTTP_LLM_GOVERN_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* admission and settlement */

ngx_int_t ngx_http_llm_govern_admit(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);
ngx_int_t ngx_http_llm_govern_switch(ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_provider_t *pr);
int64_t ngx_http_llm_govern_cost(ngx_http_llm_ctx_t *ctx);
void ngx_http_llm_govern_settle(ngx_http_llm_ctx_t *ctx);
ngx_int_t ngx_http_llm_govern_filter_init(ngx_conf_t *cf);


#endif /* _NGX_HTTP_LLM_GOVERN_H_INCLUDED_ */
