
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_ANTHROPIC_SURFACE_H_INCLUDED_
#define _NGX_HTTP_LLM_ANTHROPIC_SURFACE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"


/* Anthropic Messages as a client speaks it */

/*
 * Chat completion chunks turned into a Messages stream (the Anthropic
 * surface served by an OpenAI-dialect provider); bounded state.
 */
typedef struct {
    /* JSON string tokens, quotes included */
    u_char      id[NGX_HTTP_LLM_TOKEN_LEN];
    size_t      id_len;
    u_char      model[NGX_HTTP_LLM_TOKEN_LEN];
    size_t      model_len;
    char        stop[16];       /* the canonical stop reason */
    ngx_http_llm_stream_usage_t  usage;
    ngx_int_t   block;          /* the open content block, -1: none */
    ngx_int_t   blocks;         /* content blocks so far */
    ngx_int_t   tool;           /* the open block's tool_calls index */
    unsigned    started:1;
    unsigned    relayed:1;      /* the usage is given, not read */
    unsigned    text:1;         /* the open block is text */
} ngx_http_llm_messages_t;


cJSON *ngx_http_llm_anthropic_request_to_canon(cJSON *req, const char *model,
    ngx_uint_t stream, ngx_http_llm_tr_err_t *err);
cJSON *ngx_http_llm_canon_to_anthropic_response(cJSON *canon, int64_t created,
    ngx_http_llm_tr_err_t *err);
ngx_int_t ngx_http_llm_messages_write(void *data,
    ngx_http_llm_stream_usage_t *u, ngx_uint_t given, u_char *in, size_t len,
    u_char **out, u_char *end);

extern const ngx_http_llm_dialect_t  ngx_http_llm_anthropic_surface;


#endif /* _NGX_HTTP_LLM_ANTHROPIC_SURFACE_H_INCLUDED_ */
