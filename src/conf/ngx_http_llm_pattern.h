
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_PATTERN_H_INCLUDED_
#define _NGX_HTTP_LLM_PATTERN_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* model names: a literal, a prefix*, * or ~regex */

ngx_int_t ngx_http_llm_pattern_compile(ngx_conf_t *cf,
    ngx_http_llm_pattern_t *p, ngx_str_t *value);
ngx_int_t ngx_http_llm_pattern_match(ngx_http_llm_pattern_t *p,
    ngx_str_t *s);


#endif /* _NGX_HTTP_LLM_PATTERN_H_INCLUDED_ */
