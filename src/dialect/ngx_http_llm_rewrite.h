
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_REWRITE_H_INCLUDED_
#define _NGX_HTTP_LLM_REWRITE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"


/* token-copying rewrites of the common shapes (ngx_http_llm_rewrite.c);
 * a request must be a validated JSON document */
ngx_int_t ngx_http_llm_rewrite_openai_request(u_char *body, size_t len,
    int64_t default_max_tokens, u_char **out, u_char *end, u_char **rest);
ngx_int_t ngx_http_llm_rewrite_anthropic_response(u_char *body, size_t len,
    int64_t created, ngx_http_llm_stream_usage_t *usage, u_char **out,
    u_char *end);


#endif /* _NGX_HTTP_LLM_REWRITE_H_INCLUDED_ */
