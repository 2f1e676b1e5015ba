
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_VARIABLES_H_INCLUDED_
#define _NGX_HTTP_LLM_VARIABLES_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* variables */

/* milliseconds since the request began (r->start_msec is a wall-clock
 * part) */
ngx_msec_t ngx_http_llm_elapsed(ngx_http_request_t *r);
ngx_int_t ngx_http_llm_add_variables(ngx_conf_t *cf);


#endif /* _NGX_HTTP_LLM_VARIABLES_H_INCLUDED_ */
