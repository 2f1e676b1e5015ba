
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_GEMINI_H_INCLUDED_
#define _NGX_HTTP_LLM_GEMINI_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"


/* Gemini generateContent as a provider speaks it (ngx_http_llm_gemini.c) */

extern const char *const  ngx_http_llm_gemini_finish[][2];
extern const ngx_http_llm_shape_member_t  ngx_http_llm_gemini_content[];
extern const ngx_http_llm_shape_t  ngx_http_llm_gemini_content_shape;
cJSON *ngx_http_llm_canon_to_gemini_request(cJSON *canon,
    int64_t default_max_tokens, ngx_http_llm_tr_err_t *err);
cJSON *ngx_http_llm_gemini_response_to_canon(cJSON *resp,
    ngx_http_llm_tr_err_t *err);
size_t ngx_http_llm_gemini_sig_id(u_char *dst, u_char *sig, size_t len);
ngx_int_t ngx_http_llm_gemini_stream_event(ngx_http_llm_chunks_t *st,
    u_char *data, size_t len, u_char **out, u_char *end);
void ngx_http_llm_gemini_usage(ngx_http_llm_stream_usage_t *u,
    ngx_http_llm_json_value_t *meta);
ngx_int_t ngx_http_llm_gemini_observe(ngx_http_llm_stream_usage_t *u,
    u_char *data, size_t len);

extern const ngx_http_llm_dialect_t  ngx_http_llm_gemini_dialect;


#endif /* _NGX_HTTP_LLM_GEMINI_H_INCLUDED_ */
