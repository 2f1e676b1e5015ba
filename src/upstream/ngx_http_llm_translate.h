
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_TRANSLATE_H_INCLUDED_
#define _NGX_HTTP_LLM_TRANSLATE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* translation between dialects, for one request */

ngx_int_t ngx_http_llm_translate_prepare(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);
ngx_int_t ngx_http_llm_translate_request(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_candidate_t *c, ngx_chain_t ***ll,
    off_t *len);
ngx_int_t ngx_http_llm_translate_cut(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_chain_t **out);
ngx_int_t ngx_http_llm_translate_response(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_uint_t status, u_char *data, size_t len,
    ngx_chain_t **out);
ngx_int_t ngx_http_llm_translate_event(ngx_http_llm_ctx_t *ctx,
    ngx_str_t *data, ngx_str_t *out);
ngx_int_t ngx_http_llm_translate_observe(ngx_http_llm_ctx_t *ctx,
    ngx_str_t *data);
ngx_int_t ngx_http_llm_translate_end(ngx_http_llm_ctx_t *ctx,
    ngx_str_t *out);


#endif /* _NGX_HTTP_LLM_TRANSLATE_H_INCLUDED_ */
