
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_ROUTE_H_INCLUDED_
#define _NGX_HTTP_LLM_ROUTE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* the candidates a request is tried on, in order */

ngx_int_t ngx_http_llm_route(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx);
void ngx_http_llm_drop_mocks(ngx_http_llm_ctx_t *ctx);


#endif /* _NGX_HTTP_LLM_ROUTE_H_INCLUDED_ */
