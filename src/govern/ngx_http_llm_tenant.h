
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_TENANT_H_INCLUDED_
#define _NGX_HTTP_LLM_TENANT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* tenants, budgets and limits */

ngx_int_t ngx_http_llm_entity_init(ngx_conf_t *cf, ngx_http_llm_entity_t *e,
    ngx_uint_t tier, ngx_str_t *name);
ngx_int_t ngx_http_llm_entity_cmd(ngx_conf_t *cf, ngx_http_llm_entity_t *e);
char *ngx_http_llm_tenant_block(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_llm_init_tenants(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf);
ngx_str_t *ngx_http_llm_tier_name(ngx_uint_t tier);
ngx_str_t *ngx_http_llm_kind_name(ngx_uint_t kind);


#endif /* _NGX_HTTP_LLM_TENANT_H_INCLUDED_ */
