
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_MODELS_H_INCLUDED_
#define _NGX_HTTP_LLM_MODELS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* GET /v1/models */

ngx_int_t ngx_http_llm_models(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);


#endif /* _NGX_HTTP_LLM_MODELS_H_INCLUDED_ */
