
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_HANDLER_H_INCLUDED_
#define _NGX_HTTP_LLM_HANDLER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* the content handler */

ngx_int_t ngx_http_llm_handler(ngx_http_request_t *r);


#endif /* _NGX_HTTP_LLM_HANDLER_H_INCLUDED_ */
