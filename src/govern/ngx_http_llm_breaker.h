
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_BREAKER_H_INCLUDED_
#define _NGX_HTTP_LLM_BREAKER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* keys cooled down and providers' circuit breakers, shared by workers */

ngx_int_t ngx_http_llm_cooling(ngx_http_llm_state_t *st);
void ngx_http_llm_cool(ngx_http_llm_state_t *st, ngx_msec_t ms);
ngx_int_t ngx_http_llm_breaker_allow(ngx_http_llm_provider_t *pr,
    ngx_uint_t *probe);
void ngx_http_llm_breaker_report(ngx_http_llm_provider_t *pr, ngx_uint_t ok,
    ngx_log_t *log);


#endif /* _NGX_HTTP_LLM_BREAKER_H_INCLUDED_ */
