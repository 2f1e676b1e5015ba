
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_UPSTREAM_H_INCLUDED_
#define _NGX_HTTP_LLM_UPSTREAM_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* the upstream's callbacks for a request's attempts */

ngx_int_t ngx_http_llm_upstream_start(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);
ngx_int_t ngx_http_llm_upstream_init_conf(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf, ngx_http_upstream_conf_t *conf,
    ngx_http_upstream_conf_t *prev);


#endif /* _NGX_HTTP_LLM_UPSTREAM_H_INCLUDED_ */
