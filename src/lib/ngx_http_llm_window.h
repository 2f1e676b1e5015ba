
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_WINDOW_H_INCLUDED_
#define _NGX_HTTP_LLM_WINDOW_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


#define NGX_HTTP_LLM_WINDOW_NONE      0
#define NGX_HTTP_LLM_WINDOW_MINUTE    1
#define NGX_HTTP_LLM_WINDOW_5MINUTES  2
#define NGX_HTTP_LLM_WINDOW_HOUR      3
#define NGX_HTTP_LLM_WINDOW_DAY       4
#define NGX_HTTP_LLM_WINDOW_WEEK      5
#define NGX_HTTP_LLM_WINDOW_MONTH     6
#define NGX_HTTP_LLM_WINDOW_YEAR      7

#define NGX_HTTP_LLM_ISO_LEN          sizeof("2026-11-22T10:00:00Z")


ngx_uint_t ngx_http_llm_window_parse(u_char *p, size_t len);
ngx_str_t *ngx_http_llm_window_name(ngx_uint_t w);
int64_t ngx_http_llm_window_start(ngx_uint_t w, int64_t now);
int64_t ngx_http_llm_window_next(ngx_uint_t w, int64_t start);
u_char *ngx_http_llm_iso8601(u_char *buf, int64_t t);
u_char *ngx_http_llm_digits(u_char *p, uint64_t v, ngx_uint_t width);


#endif /* _NGX_HTTP_LLM_WINDOW_H_INCLUDED_ */
