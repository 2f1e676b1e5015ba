
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_CLIENT_H_INCLUDED_
#define _NGX_HTTP_LLM_CLIENT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_json.h"


typedef struct {
    /* ctx->endpoint from the URL (0: none), and what the URL names */
    ngx_int_t   (*endpoint)(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx);
    const char   *key_hint;         /* where a key is sent */
    const char   *counted;          /* count_tokens' answer, of %uz */
    /* the dialect's own members of a request; NGX_DECLINED: not one */
    ngx_int_t   (*member)(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
                          ngx_http_llm_json_value_t *k,
                          ngx_http_llm_json_value_t *v);
    const char   *prompt;           /* the member the prompt is in */
    unsigned      model_in_body:1;  /* with "stream" and "max_tokens" */
    unsigned      lists_models:1;   /* GET /v1/models */
    unsigned      pivot:1;          /* chat completions: its answers and
                                     * streams are read, not translated */
} ngx_http_llm_client_t;


/* by llm_gateway's dialect */
extern const ngx_http_llm_client_t  ngx_http_llm_clients[];


#endif /* _NGX_HTTP_LLM_CLIENT_H_INCLUDED_ */
