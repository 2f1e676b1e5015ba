
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_ANTHROPIC_H_INCLUDED_
#define _NGX_HTTP_LLM_ANTHROPIC_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"


/* Anthropic Messages as a provider speaks it (ngx_http_llm_anthropic.c) */

extern const char *const  ngx_http_llm_anthropic_stops[][2];

ngx_int_t ngx_http_llm_anthropic_stream_event(
    ngx_http_llm_chunks_t *st, u_char *data, size_t len,
    u_char **out, u_char *end);
cJSON *ngx_http_llm_canon_to_anthropic_request(cJSON *canon,
    int64_t default_max_tokens, ngx_http_llm_tr_err_t *err);
cJSON *ngx_http_llm_anthropic_response_to_canon(cJSON *resp,
    ngx_http_llm_tr_err_t *err);
ngx_int_t ngx_http_llm_anthropic_usage(ngx_http_llm_stream_usage_t *u,
    u_char *data, size_t len);
ngx_int_t ngx_http_llm_anthropic_stream_observe(
    ngx_http_llm_stream_usage_t *usage, u_char *data, size_t len);

extern const ngx_http_llm_dialect_t  ngx_http_llm_anthropic_dialect;


#endif /* _NGX_HTTP_LLM_ANTHROPIC_H_INCLUDED_ */
