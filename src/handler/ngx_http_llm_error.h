
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_ERROR_H_INCLUDED_
#define _NGX_HTTP_LLM_ERROR_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* errors in the client's dialect */

ngx_int_t ngx_http_llm_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *fmt, ...);
ngx_int_t ngx_http_llm_error_filter_init(ngx_conf_t *cf);
ngx_int_t ngx_http_llm_render_error(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_uint_t status, ngx_str_t *out, ngx_uint_t sse);
ngx_int_t ngx_http_llm_send_json(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *body);


#endif /* _NGX_HTTP_LLM_ERROR_H_INCLUDED_ */
