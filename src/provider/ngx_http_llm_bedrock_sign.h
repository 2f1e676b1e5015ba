
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_BEDROCK_SIGN_H_INCLUDED_
#define _NGX_HTTP_LLM_BEDROCK_SIGN_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* Bedrock's path and request signature */

ngx_int_t ngx_http_llm_bedrock_path(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_candidate_t *c, ngx_str_t *path);
ngx_int_t ngx_http_llm_bedrock_sign(ngx_http_request_t *r,
    ngx_http_llm_provider_t *pr, ngx_str_t *path, ngx_chain_t *body,
    ngx_str_t *headers);


#endif /* _NGX_HTTP_LLM_BEDROCK_SIGN_H_INCLUDED_ */
