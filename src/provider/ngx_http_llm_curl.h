
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_CURL_H_INCLUDED_
#define _NGX_HTTP_LLM_CURL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* out-of-band HTTP on the event loop */

typedef void (*ngx_http_llm_curl_done_pt)(void *data, long status,
    u_char *body, size_t len, const char *reason);

ngx_int_t ngx_http_llm_curl_init(ngx_cycle_t *cycle);
ngx_int_t ngx_http_llm_curl_post(const char *url, u_char *body, size_t len,
    ngx_uint_t json, ngx_msec_t timeout, size_t max,
    ngx_http_llm_curl_done_pt done, void *data);
void ngx_http_llm_curl_exit(void);


#endif /* _NGX_HTTP_LLM_CURL_H_INCLUDED_ */
