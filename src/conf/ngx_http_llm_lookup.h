
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_LOOKUP_H_INCLUDED_
#define _NGX_HTTP_LLM_LOOKUP_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* providers by name, what serves a model, what a key may call */

ngx_int_t ngx_http_llm_key_allows(ngx_http_llm_vkey_t *vk,
    ngx_http_llm_provider_t *pr, ngx_str_t *model);
ngx_int_t ngx_http_llm_provider_serves(ngx_http_llm_provider_t *pr,
    ngx_str_t *model);
ngx_int_t ngx_http_llm_check_fallbacks(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf);
ngx_http_llm_provider_t *ngx_http_llm_find_provider(
    ngx_http_llm_main_conf_t *lmcf, ngx_str_t *name);


#endif /* _NGX_HTTP_LLM_LOOKUP_H_INCLUDED_ */
