
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_JSON_H_INCLUDED_
#define _NGX_HTTP_LLM_JSON_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/*
 * A validating JSON scanner that never builds a document: it finds the
 * span of a value and walks an object's members in place.  Used on the
 * passthrough hot path (model, stream, usage) where a DOM would cost more
 * than the rest of the request.
 */


#define NGX_HTTP_LLM_JSON_STRING  1
#define NGX_HTTP_LLM_JSON_NUMBER  2
#define NGX_HTTP_LLM_JSON_OBJECT  3
#define NGX_HTTP_LLM_JSON_ARRAY   4
#define NGX_HTTP_LLM_JSON_TRUE    5
#define NGX_HTTP_LLM_JSON_FALSE   6
#define NGX_HTTP_LLM_JSON_NULL    7

#define NGX_HTTP_LLM_JSON_MAX_DEPTH  128


typedef struct {
    u_char      *start;     /* first byte of the value */
    u_char      *end;       /* one past its last byte */
    ngx_uint_t   type;
} ngx_http_llm_json_value_t;


typedef struct {
    u_char      *pos;
    u_char      *end;
    ngx_uint_t   first;
} ngx_http_llm_json_iter_t;


typedef struct {
    const char                 *name;
    ngx_http_llm_json_value_t  *val;
} ngx_http_llm_json_pick_t;


u_char *ngx_http_llm_json_ws(u_char *p, u_char *end);
u_char *ngx_http_llm_json_parse(u_char *p, u_char *end,
    ngx_http_llm_json_value_t *v);
ngx_int_t ngx_http_llm_json_document(u_char *p, u_char *end,
    ngx_http_llm_json_value_t *v);
void ngx_http_llm_json_iter_init(ngx_http_llm_json_iter_t *it,
    ngx_http_llm_json_value_t *obj);
ngx_int_t ngx_http_llm_json_next(ngx_http_llm_json_iter_t *it,
    ngx_http_llm_json_value_t *key, ngx_http_llm_json_value_t *val);
ngx_int_t ngx_http_llm_json_array_next(ngx_http_llm_json_value_t *arr,
    ngx_http_llm_json_value_t *v);
ngx_int_t ngx_http_llm_json_get(ngx_http_llm_json_value_t *obj,
    const char *name, ngx_http_llm_json_value_t *val);
ngx_int_t ngx_http_llm_json_pick(ngx_http_llm_json_value_t *obj,
    ngx_http_llm_json_pick_t *picks, ngx_uint_t n);
ngx_int_t ngx_http_llm_json_key_is(ngx_http_llm_json_value_t *key,
    const char *name);
ngx_int_t ngx_http_llm_json_int(ngx_http_llm_json_value_t *v,
    int64_t *out);
ssize_t ngx_http_llm_json_unescape(ngx_http_llm_json_value_t *v,
    u_char *dst);
u_char *ngx_http_llm_json_nul(u_char *p, u_char *end);
size_t ngx_http_llm_json_escape_len(u_char *src, size_t len);
u_char *ngx_http_llm_json_escape(u_char *dst, u_char *src, size_t len);


#endif /* _NGX_HTTP_LLM_JSON_H_INCLUDED_ */
