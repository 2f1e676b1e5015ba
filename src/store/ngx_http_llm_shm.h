
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_SHM_H_INCLUDED_
#define _NGX_HTTP_LLM_SHM_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* the shared zone: its records by name, the counters */

char *ngx_http_llm_zone(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_int_t ngx_http_llm_zone_default(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf);
void ngx_http_llm_counter_roll(ngx_http_llm_counter_t *c, int64_t now);
ngx_http_llm_counter_t *ngx_http_llm_counter_find(ngx_slab_pool_t *shpool,
    ngx_str_t *name);
ngx_queue_t *ngx_http_llm_counters(ngx_slab_pool_t *shpool);
ngx_http_llm_shm_meta_t *ngx_http_llm_shm_meta(ngx_slab_pool_t *shpool);


#endif /* _NGX_HTTP_LLM_SHM_H_INCLUDED_ */
