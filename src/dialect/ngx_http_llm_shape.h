
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_SHAPE_H_INCLUDED_
#define _NGX_HTTP_LLM_SHAPE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <cjson/cJSON.h>


/*
 * The types a dialect gives its members, as tables: a parsed document is
 * checked against them before a translator reads it, so that readers
 * meet only the types they expect and the client hears which member was
 * wrong, by its path ("contents[1].parts[0].text").  Members a table
 * does not name are not checked (translators leave them out).
 */


/* the JSON types a value may have; any of those set */
#define NGX_HTTP_LLM_SHAPE_NULL      0x0001
#define NGX_HTTP_LLM_SHAPE_BOOL      0x0002
#define NGX_HTTP_LLM_SHAPE_NUMBER    0x0004   /* any finite number */
#define NGX_HTTP_LLM_SHAPE_INT       0x0008   /* integral, |v| <= 2^53 */
#define NGX_HTTP_LLM_SHAPE_STRING    0x0010
#define NGX_HTTP_LLM_SHAPE_ARRAY     0x0020
#define NGX_HTTP_LLM_SHAPE_OBJECT    0x0040

/* and what a value of that type must be */
#define NGX_HTTP_LLM_SHAPE_NONEMPTY  0x0100   /* a string, not "" */
#define NGX_HTTP_LLM_SHAPE_COUNT     0x0200   /* an integer, 0 to 10^12 */


#define NGX_HTTP_LLM_SHAPE_PATH      128


typedef struct ngx_http_llm_shape_s  ngx_http_llm_shape_t;

typedef struct {
    const char                  *name;
    const ngx_http_llm_shape_t  *shape;
} ngx_http_llm_shape_member_t;

struct ngx_http_llm_shape_s {
    ngx_uint_t                          types;
    const ngx_http_llm_shape_t         *items;    /* an array's, if any */
    const ngx_http_llm_shape_member_t  *members;  /* an object's known ones,
                                                     {NULL, NULL} ending */
};


/* what a check found, when it returns NGX_DECLINED */
typedef struct {
    const char  *code;          /* "invalid_type", "invalid_request" */
    char         path[NGX_HTTP_LLM_SHAPE_PATH];
    char         msg[256];      /* names the path */
} ngx_http_llm_shape_err_t;


/* the leaves every dialect uses */
extern const ngx_http_llm_shape_t  ngx_http_llm_shape_string;
extern const ngx_http_llm_shape_t  ngx_http_llm_shape_name;
extern const ngx_http_llm_shape_t  ngx_http_llm_shape_string_null;
extern const ngx_http_llm_shape_t  ngx_http_llm_shape_bool;
extern const ngx_http_llm_shape_t  ngx_http_llm_shape_bool_null;
extern const ngx_http_llm_shape_t  ngx_http_llm_shape_number_null;
extern const ngx_http_llm_shape_t  ngx_http_llm_shape_int_null;
extern const ngx_http_llm_shape_t  ngx_http_llm_shape_count;
extern const ngx_http_llm_shape_t  ngx_http_llm_shape_count_null;
extern const ngx_http_llm_shape_t  ngx_http_llm_shape_object;
extern const ngx_http_llm_shape_t  ngx_http_llm_shape_object_null;
extern const ngx_http_llm_shape_t  ngx_http_llm_shape_strings;
extern const ngx_http_llm_shape_t  ngx_http_llm_shape_strings_null;


ngx_int_t ngx_http_llm_shape_check(cJSON *doc,
    const ngx_http_llm_shape_t *shape, ngx_http_llm_shape_err_t *err);


#endif /* _NGX_HTTP_LLM_SHAPE_H_INCLUDED_ */
