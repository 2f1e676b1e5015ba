
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_PROVIDER_H_INCLUDED_
#define _NGX_HTTP_LLM_PROVIDER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/*
 * What a provider's type does, one row a type (as nginx's event actions):
 * the dialect it speaks, the path of an attempt's request, the key it
 * sends and how, its own headers, a signature over the request.
 */

struct ngx_http_llm_provider_ops_s {
    ngx_str_t      name;                  /* the "type" directive's value */
    ngx_uint_t     type;                  /* NGX_HTTP_LLM_PROVIDER_* */
    unsigned       needs_url:1;           /* no default url */

    /* the dialect spoken; or for a model (Vertex: by its publisher) */
    ngx_uint_t     dialect;
    ngx_uint_t   (*model_dialect)(ngx_str_t *model);

    /* the path after the url's base path */
    ngx_int_t    (*path)(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
                     ngx_http_llm_candidate_t *c, ngx_str_t *path);

    /* the key sent: the candidate's, or a token (NGX_ERROR: none yet) */
    ngx_int_t    (*key)(ngx_http_llm_candidate_t *c, ngx_str_t *key);

    /* the header line that carries the key, up to the key */
    ngx_str_t      key_header;

    /* header lines of its own, each with its CRLF (NULL: none) */
    ngx_int_t    (*headers)(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
                     ngx_http_llm_provider_t *pr, ngx_str_t *out);

    /* header lines that sign the request and its body (NULL: unsigned) */
    ngx_int_t    (*sign)(ngx_http_request_t *r, ngx_http_llm_provider_t *pr,
                     ngx_str_t *path, ngx_chain_t *body, ngx_str_t *out);

    /* the Accept of a streamed answer */
    ngx_str_t      stream_type;
};


const ngx_http_llm_provider_ops_t *ngx_http_llm_provider_ops(
    ngx_str_t *name);
ngx_uint_t ngx_http_llm_provider_dialect(ngx_http_llm_provider_t *pr,
    ngx_str_t *model);


#endif /* _NGX_HTTP_LLM_PROVIDER_H_INCLUDED_ */
