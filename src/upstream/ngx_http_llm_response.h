
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_RESPONSE_H_INCLUDED_
#define _NGX_HTTP_LLM_RESPONSE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* the provider's response body */

ngx_int_t ngx_http_llm_filter_init(void *data);
ngx_int_t ngx_http_llm_filter(void *data, ssize_t bytes);
void ngx_http_llm_response_done(ngx_http_llm_ctx_t *ctx);


#endif /* _NGX_HTTP_LLM_RESPONSE_H_INCLUDED_ */
