
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_BEDROCK_H_INCLUDED_
#define _NGX_HTTP_LLM_BEDROCK_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"


/* Bedrock Converse (ngx_http_llm_bedrock.c) */

cJSON *ngx_http_llm_canon_to_bedrock_request(cJSON *canon,
    int64_t default_max_tokens, ngx_http_llm_tr_err_t *err);
cJSON *ngx_http_llm_bedrock_response_to_canon(cJSON *resp,
    ngx_http_llm_tr_err_t *err);
ngx_int_t ngx_http_llm_bedrock_stream_event(ngx_http_llm_chunks_t *st,
    u_char *data, size_t len, u_char **out, u_char *end);
ngx_int_t ngx_http_llm_bedrock_stream_end(ngx_http_llm_chunks_t *st,
    u_char **out, u_char *end);

extern const ngx_http_llm_dialect_t  ngx_http_llm_bedrock_dialect;


#endif /* _NGX_HTTP_LLM_BEDROCK_H_INCLUDED_ */
