
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_VERTEX_H_INCLUDED_
#define _NGX_HTTP_LLM_VERTEX_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* Vertex AI providers */

#define NGX_HTTP_LLM_VERTEX_VERSION                                          \
    "\"anthropic_version\":\"vertex-2023-10-16\""

ngx_int_t ngx_http_llm_vertex_conf(ngx_conf_t *cf,
    ngx_http_llm_provider_t *pr);
ngx_uint_t ngx_http_llm_vertex_dialect(ngx_str_t *model);
ngx_str_t *ngx_http_llm_vertex_publisher(ngx_http_llm_provider_t *pr,
    ngx_str_t *model);
ngx_int_t ngx_http_llm_vertex_init_process(ngx_cycle_t *cycle,
    ngx_http_llm_main_conf_t *lmcf);
ngx_int_t ngx_http_llm_vertex_token(ngx_http_llm_provider_t *pr,
    ngx_str_t *token);
ngx_int_t ngx_http_llm_vertex_wait(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);


#endif /* _NGX_HTTP_LLM_VERTEX_H_INCLUDED_ */
