
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_USAGE_H_INCLUDED_
#define _NGX_HTTP_LLM_USAGE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* usage from OpenAI-shaped answers, and estimates */

void ngx_http_llm_usage_openai(ngx_http_llm_ctx_t *ctx, u_char *p,
    u_char *end);
ngx_int_t ngx_http_llm_usage_openai_only(u_char *p, u_char *end);
void ngx_http_llm_usage_estimate(ngx_http_llm_ctx_t *ctx);


#endif /* _NGX_HTTP_LLM_USAGE_H_INCLUDED_ */
