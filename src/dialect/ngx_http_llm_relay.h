
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_RELAY_H_INCLUDED_
#define _NGX_HTTP_LLM_RELAY_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"


/*
 * A translated stream: the provider's events read into chunks ("a"),
 * those written as the client's events; with an OpenAI provider or
 * client, one of the two alone (ngx_http_llm_relay.c).
 */
typedef struct ngx_http_llm_relay_s {
    ngx_http_llm_chunks_t          a;
    const ngx_http_llm_dialect_t  *reader;     /* the provider's */
    const ngx_http_llm_dialect_t  *writer;     /* the client's */
    void                          *w;          /* the writer's state */
} ngx_http_llm_relay_t;

ngx_int_t ngx_http_llm_relay_event(ngx_http_llm_relay_t *st, u_char *data,
    size_t len, u_char *mid, u_char *mid_end, u_char **out, u_char *end);
ngx_int_t ngx_http_llm_relay_end(ngx_http_llm_relay_t *st, u_char *mid,
    u_char *mid_end, u_char **out, u_char *end);


#endif /* _NGX_HTTP_LLM_RELAY_H_INCLUDED_ */
