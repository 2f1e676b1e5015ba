
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_REQUEST_H_INCLUDED_
#define _NGX_HTTP_LLM_REQUEST_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* the client's request: headers, body, passthrough body */

ngx_str_t *ngx_http_llm_request_header(ngx_http_request_t *r,
    const char *name);
ngx_int_t ngx_http_llm_parse_request(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);
ngx_int_t ngx_http_llm_passthrough_body(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_candidate_t *c, ngx_chain_t ***ll,
    off_t *len);


#endif /* _NGX_HTTP_LLM_REQUEST_H_INCLUDED_ */
