
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_URL_H_INCLUDED_
#define _NGX_HTTP_LLM_URL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* a provider's url */

char *ngx_http_llm_url_parse(ngx_conf_t *cf, ngx_http_llm_provider_t *pr,
    ngx_str_t *url);


#endif /* _NGX_HTTP_LLM_URL_H_INCLUDED_ */
