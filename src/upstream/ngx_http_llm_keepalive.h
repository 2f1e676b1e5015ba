
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_KEEPALIVE_H_INCLUDED_
#define _NGX_HTTP_LLM_KEEPALIVE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* provider connection cache */

ngx_http_llm_keepalive_t *ngx_http_llm_keepalive_create(ngx_conf_t *cf,
    ngx_uint_t max);
ngx_int_t ngx_http_llm_keepalive_get(ngx_http_llm_keepalive_t *ka,
    ngx_peer_connection_t *pc, ngx_pool_t *pool);
ngx_int_t ngx_http_llm_keepalive_save(ngx_http_llm_keepalive_t *ka,
    ngx_peer_connection_t *pc, ngx_http_upstream_t *u, ngx_uint_t state);


#endif /* _NGX_HTTP_LLM_KEEPALIVE_H_INCLUDED_ */
