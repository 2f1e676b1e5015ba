
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_BALANCER_H_INCLUDED_
#define _NGX_HTTP_LLM_BALANCER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* the virtual upstream whose balancer hands each attempt a candidate */

ngx_http_upstream_srv_conf_t *ngx_http_llm_balancer_create_uscf(
    ngx_conf_t *cf);


#endif /* _NGX_HTTP_LLM_BALANCER_H_INCLUDED_ */
