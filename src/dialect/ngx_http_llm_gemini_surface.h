
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_GEMINI_SURFACE_H_INCLUDED_
#define _NGX_HTTP_LLM_GEMINI_SURFACE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"


/* Gemini generateContent as a client speaks it */

/*
 * Another dialect's stream as Gemini chunks (the Gemini surface served
 * by another provider).  Function calls are sent whole, at the end: their
 * parts are gathered in "calls" (malloc'd, bounded; free with
 * ngx_http_llm_gchunks_free).
 */
typedef struct {
    /* JSON string tokens, quotes included */
    u_char      id[NGX_HTTP_LLM_TOKEN_LEN];
    size_t      id_len;
    u_char      model[NGX_HTTP_LLM_TOKEN_LEN];
    size_t      model_len;
    const char *finish;         /* Gemini's finishReason */
    ngx_http_llm_stream_usage_t  usage;
    u_char     *calls;          /* functionCall parts, comma-separated */
    size_t      calls_len;
    size_t      calls_size;
    size_t      args;           /* the open call's arguments, in calls */
    ngx_int_t   tool;           /* the open call's index, -1: none */
    unsigned    started:1;
    unsigned    relayed:1;      /* the usage is given, not read */
} ngx_http_llm_gchunks_t;


cJSON *ngx_http_llm_gemini_request_to_canon(cJSON *req, const char *model,
    ngx_uint_t stream, ngx_http_llm_tr_err_t *err);
cJSON *ngx_http_llm_canon_to_gemini_response(cJSON *canon, int64_t created,
    ngx_http_llm_tr_err_t *err);
ngx_int_t ngx_http_llm_gchunks_write(void *data,
    ngx_http_llm_stream_usage_t *u, ngx_uint_t given, u_char *in, size_t len,
    u_char **out, u_char *end);
size_t ngx_http_llm_gchunks_pending(void *data);
void ngx_http_llm_gchunks_free(void *data);

extern const ngx_http_llm_dialect_t  ngx_http_llm_gemini_surface;


#endif /* _NGX_HTTP_LLM_GEMINI_SURFACE_H_INCLUDED_ */
