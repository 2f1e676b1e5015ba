
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_OPENAI_CANON_H_INCLUDED_
#define _NGX_HTTP_LLM_OPENAI_CANON_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"


/*
 * OpenAI chat completions, both sides, and the chat completion chunks
 * every stream passes through
 */

extern const char *const  ngx_http_llm_openai_finish[][2];

cJSON *ngx_http_llm_openai_request_to_canon(cJSON *req, const char *model,
    ngx_uint_t stream, ngx_http_llm_tr_err_t *err);
cJSON *ngx_http_llm_canon_to_openai_response(cJSON *canon, int64_t created,
    ngx_http_llm_tr_err_t *err);
const char *ngx_http_llm_openai_finish_reason(const char *reason);
cJSON *ngx_http_llm_canon_to_openai_request(cJSON *canon,
    int64_t default_max_tokens, ngx_http_llm_tr_err_t *err);
cJSON *ngx_http_llm_openai_response_to_canon(cJSON *resp,
    ngx_http_llm_tr_err_t *err);


ngx_int_t ngx_http_llm_openai_chunk_head(ngx_http_llm_chunks_t *st,
    u_char **out, u_char *end);
ngx_int_t ngx_http_llm_openai_chunk_end(ngx_http_llm_chunks_t *st,
    u_char **out, u_char *end);
ngx_int_t ngx_http_llm_openai_chunk_text(ngx_http_llm_chunks_t *st,
    ngx_http_llm_json_value_t *text, u_char **out, u_char *end);
ngx_int_t ngx_http_llm_openai_chunk_tool(ngx_http_llm_chunks_t *st,
    ngx_http_llm_json_value_t *id, ngx_http_llm_json_value_t *name,
    u_char **out, u_char *end);
ngx_int_t ngx_http_llm_openai_chunk_args(ngx_http_llm_chunks_t *st,
    ngx_http_llm_json_value_t *args, u_char **out, u_char *end);
ngx_int_t ngx_http_llm_openai_chunk_finish(ngx_http_llm_chunks_t *st,
    const char *reason, u_char **out, u_char *end);
ngx_int_t ngx_http_llm_openai_chunk_error(ngx_http_llm_json_value_t *msg,
    u_char **out, u_char *end);
ngx_int_t ngx_http_llm_openai_chunk_body_end(ngx_http_llm_chunks_t *st,
    u_char **out, u_char *end);
void ngx_http_llm_openai_chunk_usage(ngx_http_llm_stream_usage_t *u,
    ngx_http_llm_json_value_t *usage);
ngx_int_t ngx_http_llm_openai_chunk_choice(ngx_http_llm_json_value_t *doc,
    ngx_http_llm_json_value_t *choice);
size_t ngx_http_llm_openai_chunk_scan(u_char *p, u_char *end,
    ngx_uint_t *usage);

extern const ngx_http_llm_dialect_t  ngx_http_llm_openai_dialect;


#endif /* _NGX_HTTP_LLM_OPENAI_CANON_H_INCLUDED_ */
