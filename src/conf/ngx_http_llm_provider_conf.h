
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_PROVIDER_CONF_H_INCLUDED_
#define _NGX_HTTP_LLM_PROVIDER_CONF_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* the llm_provider block, its keys from the environment */

char *ngx_http_llm_provider_block(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_llm_init_providers(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf);
ngx_int_t ngx_http_llm_resolve_env_keys(ngx_cycle_t *cycle,
    ngx_http_llm_main_conf_t *lmcf);


#endif /* _NGX_HTTP_LLM_PROVIDER_CONF_H_INCLUDED_ */
