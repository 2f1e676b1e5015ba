
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_CONF_H_INCLUDED_
#define _NGX_HTTP_LLM_CONF_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* llm_provider and llm_virtual_key blocks, and lookups in them */

char *ngx_http_llm_provider_block(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_llm_vkey_block(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_llm_init_vkey_hash(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf);
ngx_int_t ngx_http_llm_init_providers(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf);
ngx_int_t ngx_http_llm_resolve_env_keys(ngx_cycle_t *cycle,
    ngx_http_llm_main_conf_t *lmcf);
ngx_int_t ngx_http_llm_pattern_match(ngx_http_llm_pattern_t *p,
    ngx_str_t *s);
ngx_int_t ngx_http_llm_key_allows(ngx_http_llm_vkey_t *vk,
    ngx_http_llm_provider_t *pr, ngx_str_t *model);
ngx_int_t ngx_http_llm_provider_serves(ngx_http_llm_provider_t *pr,
    ngx_str_t *model);
ngx_int_t ngx_http_llm_check_fallbacks(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf);
ngx_http_llm_provider_t *ngx_http_llm_find_provider(
    ngx_http_llm_main_conf_t *lmcf, ngx_str_t *name);
ngx_int_t ngx_http_llm_read_file(ngx_conf_t *cf, ngx_str_t *path,
    ngx_str_t *out, size_t max, const char *what);
char *ngx_http_llm_vkeys_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


#endif /* _NGX_HTTP_LLM_CONF_H_INCLUDED_ */
