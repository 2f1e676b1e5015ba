
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_admin.h"
#include "ngx_http_llm_curl.h"
#include "ngx_http_llm_error.h"
#include "ngx_http_llm_govern.h"
#include "ngx_http_llm_handler.h"
#include "ngx_http_llm_lookup.h"
#include "ngx_http_llm_pricing.h"
#include "ngx_http_llm_provider_conf.h"
#include "ngx_http_llm_shm.h"
#include "ngx_http_llm_state.h"
#include "ngx_http_llm_tenant.h"
#include "ngx_http_llm_upstream.h"
#include "ngx_http_llm_balancer.h"
#include "ngx_http_llm_variables.h"
#include "ngx_http_llm_vertex.h"
#include "ngx_http_llm_vkey_conf.h"


#define NGX_HTTP_LLM_DEFAULT_CA  "/etc/ssl/certs/ca-certificates.crt"


static ngx_int_t ngx_http_llm_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_llm_postconfiguration(ngx_conf_t *cf);
static void *ngx_http_llm_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_llm_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_llm_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_llm_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_llm_gateway(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_llm_init_process(ngx_cycle_t *cycle);
static void ngx_http_llm_exit_process(ngx_cycle_t *cycle);


static ngx_command_t  ngx_http_llm_commands[] = {

    { ngx_string("llm_provider"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_BLOCK|NGX_CONF_TAKE1,
      ngx_http_llm_provider_block,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("llm_virtual_key"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_BLOCK|NGX_CONF_TAKE1,
      ngx_http_llm_vkey_block,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("llm_virtual_keys_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_llm_vkeys_file,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("llm_customer"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_BLOCK|NGX_CONF_TAKE1,
      ngx_http_llm_tenant_block,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("llm_team"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_BLOCK|NGX_CONF_TAKE1,
      ngx_http_llm_tenant_block,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("llm_price"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_llm_price,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("llm_pricing"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_llm_pricing,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("llm_default_max_tokens"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_llm_main_conf_t, default_max_tokens),
      NULL },

    { ngx_string("llm_state_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_llm_state_file,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("llm_admin"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_llm_admin,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("llm_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2,
      ngx_http_llm_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("llm_ssl_trusted_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_llm_main_conf_t, trusted_certificate),
      NULL },

    { ngx_string("llm_gateway"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_llm_gateway,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("llm_max_body_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_llm_loc_conf_t, max_body_size),
      NULL },

    { ngx_string("llm_next_upstream_tries"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_llm_loc_conf_t, upstream.next_upstream_tries),
      NULL },

    { ngx_string("llm_next_upstream_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_llm_loc_conf_t, upstream.next_upstream_timeout),
      NULL },

    { ngx_string("llm_buffer_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_llm_loc_conf_t, upstream.buffer_size),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_llm_module_ctx = {
    ngx_http_llm_preconfiguration,         /* preconfiguration */
    ngx_http_llm_postconfiguration,        /* postconfiguration */

    ngx_http_llm_create_main_conf,         /* create main configuration */
    ngx_http_llm_init_main_conf,           /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_llm_create_loc_conf,          /* create location configuration */
    ngx_http_llm_merge_loc_conf            /* merge location configuration */
};


ngx_module_t  ngx_http_llm_module = {
    NGX_MODULE_V1,
    &ngx_http_llm_module_ctx,              /* module context */
    ngx_http_llm_commands,                 /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_llm_init_process,             /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_llm_exit_process,             /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_http_llm_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_llm_add_variables(cf);
}


static ngx_int_t
ngx_http_llm_postconfiguration(ngx_conf_t *cf)
{
    if (ngx_http_llm_govern_filter_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_llm_error_filter_init(cf);
}


static void *
ngx_http_llm_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_llm_main_conf_t  *lmcf;

    lmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_llm_main_conf_t));
    if (lmcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&lmcf->providers, cf->pool, 4,
                       sizeof(ngx_http_llm_provider_t *))
        != NGX_OK)
    {
        return NULL;
    }

    if (ngx_array_init(&lmcf->vkeys, cf->pool, 4,
                       sizeof(ngx_http_llm_vkey_t *))
        != NGX_OK
        || ngx_array_init(&lmcf->customers, cf->pool, 4,
                          sizeof(ngx_http_llm_entity_t *))
           != NGX_OK
        || ngx_array_init(&lmcf->teams, cf->pool, 4,
                          sizeof(ngx_http_llm_entity_t *))
           != NGX_OK
        || ngx_array_init(&lmcf->prices, cf->pool, 4,
                          sizeof(ngx_http_llm_price_t))
           != NGX_OK)
    {
        return NULL;
    }

    /* virtual key names, to refuse duplicates among thousands quickly */
    lmcf->vkey_names = ngx_pcalloc(cf->temp_pool,
                                   sizeof(ngx_hash_keys_arrays_t));
    if (lmcf->vkey_names == NULL) {
        return NULL;
    }

    lmcf->vkey_names->pool = cf->pool;
    lmcf->vkey_names->temp_pool = cf->temp_pool;

    if (ngx_hash_keys_array_init(lmcf->vkey_names, NGX_HASH_LARGE) != NGX_OK) {
        return NULL;
    }

    lmcf->default_max_tokens = NGX_CONF_UNSET_UINT;

    return lmcf;
}


static char *
ngx_http_llm_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_llm_main_conf_t *lmcf = conf;

    if (lmcf->trusted_certificate.data == NULL) {
        ngx_str_set(&lmcf->trusted_certificate, NGX_HTTP_LLM_DEFAULT_CA);
    }

    ngx_conf_init_uint_value(lmcf->default_max_tokens, 4096);

    if (ngx_http_llm_init_providers(cf, lmcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_llm_init_tenants(cf, lmcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_llm_init_vkey_hash(cf, lmcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_llm_check_fallbacks(cf, lmcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_llm_zone_default(cf, lmcf) != NGX_OK
        || ngx_http_llm_state_zone(cf, lmcf) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    lmcf->uscf = ngx_http_llm_balancer_create_uscf(cf);
    if (lmcf->uscf == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static void *
ngx_http_llm_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_llm_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_llm_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    conf->gateway = NGX_CONF_UNSET_UINT;
    conf->max_body_size = NGX_CONF_UNSET_SIZE;

    conf->upstream.next_upstream_tries = NGX_CONF_UNSET_UINT;
    conf->upstream.next_upstream_timeout = NGX_CONF_UNSET_MSEC;
    conf->upstream.buffer_size = NGX_CONF_UNSET_SIZE;
    conf->upstream.hide_headers = NGX_CONF_UNSET_PTR;
    conf->upstream.pass_headers = NGX_CONF_UNSET_PTR;

    return conf;
}


static char *
ngx_http_llm_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_llm_loc_conf_t *prev = parent;
    ngx_http_llm_loc_conf_t *conf = child;

    ngx_http_core_loc_conf_t  *clcf;
    ngx_http_llm_main_conf_t  *lmcf;

    ngx_conf_merge_uint_value(conf->gateway, prev->gateway, 0);
    ngx_conf_merge_size_value(conf->max_body_size, prev->max_body_size,
                              8 * 1024 * 1024);

    if (conf->gateway == 0) {
        ngx_conf_merge_uint_value(conf->upstream.next_upstream_tries,
                                  prev->upstream.next_upstream_tries, 4);
        ngx_conf_merge_msec_value(conf->upstream.next_upstream_timeout,
                                  prev->upstream.next_upstream_timeout, 0);
        ngx_conf_merge_size_value(conf->upstream.buffer_size,
                                  prev->upstream.buffer_size, 64 * 1024);
        return NGX_CONF_OK;
    }

    /*
     * The gateway answers oversized bodies itself, in the client's
     * dialect: nginx's own limit must not fire first.
     */

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->client_max_body_size != 0
        && clcf->client_max_body_size < (off_t) conf->max_body_size)
    {
        clcf->client_max_body_size = conf->max_body_size;
    }

    lmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_llm_module);

    if (ngx_http_llm_upstream_init_conf(cf, lmcf, &conf->upstream,
                                        &prev->upstream)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_llm_gateway(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_loc_conf_t *llcf = conf;

    ngx_str_t                 *value;
    ngx_http_core_loc_conf_t  *clcf;

    if (llcf->gateway != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "openai") == 0) {
        llcf->gateway = NGX_HTTP_LLM_DIALECT_OPENAI;

    } else if (ngx_strcmp(value[1].data, "anthropic") == 0) {
        llcf->gateway = NGX_HTTP_LLM_DIALECT_ANTHROPIC;

    } else if (ngx_strcmp(value[1].data, "gemini") == 0) {
        llcf->gateway = NGX_HTTP_LLM_DIALECT_GEMINI;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid llm_gateway \"%V\", allowed: openai, "
                           "anthropic, gemini", &value[1]);
        return NGX_CONF_ERROR;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_llm_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_llm_init_process(ngx_cycle_t *cycle)
{
    ngx_http_llm_main_conf_t  *lmcf;

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    lmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_llm_module);
    if (lmcf == NULL) {
        return NGX_OK;
    }

    if (ngx_http_llm_resolve_env_keys(cycle, lmcf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_llm_vertex_init_process(cycle, lmcf) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_llm_state_init_process(cycle, lmcf);
}


static void
ngx_http_llm_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_llm_state_exit_process(cycle);
    ngx_http_llm_curl_exit();
}
