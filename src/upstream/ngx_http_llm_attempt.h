
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_ATTEMPT_H_INCLUDED_
#define _NGX_HTTP_LLM_ATTEMPT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


ngx_int_t ngx_http_llm_attempt_request(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_candidate_t *c);
void ngx_http_llm_attempt_reset(ngx_http_llm_ctx_t *ctx);


#endif /* _NGX_HTTP_LLM_ATTEMPT_H_INCLUDED_ */
