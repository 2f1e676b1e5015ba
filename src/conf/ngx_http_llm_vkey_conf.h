
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_VKEY_CONF_H_INCLUDED_
#define _NGX_HTTP_LLM_VKEY_CONF_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* virtual keys: the llm_virtual_key block, llm_virtual_keys_file, the hash */

char *ngx_http_llm_vkey_block(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_llm_vkeys_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_llm_init_vkey_hash(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf);


#endif /* _NGX_HTTP_LLM_VKEY_CONF_H_INCLUDED_ */
