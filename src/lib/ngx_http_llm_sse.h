
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_SSE_H_INCLUDED_
#define _NGX_HTTP_LLM_SSE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


u_char *ngx_http_llm_sse_event_end(u_char *p, u_char *end);
ngx_int_t ngx_http_llm_sse_data(u_char *p, u_char *end, ngx_str_t *data);
ngx_int_t ngx_http_llm_sse_is_done(ngx_str_t *data);


#endif /* _NGX_HTTP_LLM_SSE_H_INCLUDED_ */
