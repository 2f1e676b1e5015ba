
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_STATE_H_INCLUDED_
#define _NGX_HTTP_LLM_STATE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* counters on disk */

char *ngx_http_llm_state_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_llm_state_zone(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf);
ngx_int_t ngx_http_llm_state_init_process(ngx_cycle_t *cycle,
    ngx_http_llm_main_conf_t *lmcf);
void ngx_http_llm_state_exit_process(ngx_cycle_t *cycle);


#endif /* _NGX_HTTP_LLM_STATE_H_INCLUDED_ */
