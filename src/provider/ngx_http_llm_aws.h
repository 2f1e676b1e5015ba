
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_AWS_H_INCLUDED_
#define _NGX_HTTP_LLM_AWS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/* Signature Version 4 (ngx_http_llm_sigv4.c) */

/* the string to sign, without its region and service */
#define NGX_HTTP_LLM_SIGV4_STS  (sizeof("AWS4-HMAC-SHA256\n"                  \
                                        "YYYYMMDDTHHMMSSZ\nYYYYMMDD///"       \
                                        "aws4_request\n") - 1 + 64)

void ngx_http_llm_sha256_hex(u_char *data, size_t len, u_char *hex);
void ngx_http_llm_sigv4_sign(ngx_str_t *secret, ngx_str_t *amzdate,
    ngx_str_t *region, ngx_str_t *service, ngx_str_t *creq, u_char *sts,
    u_char *hex);
u_char *ngx_http_llm_sigv4_escape(u_char *dst, u_char *src, size_t len);


/* the AWS event stream encoding (ngx_http_llm_eventstream.c) */

typedef struct {
    size_t      size;           /* the whole frame's */
    ngx_str_t   event_type;     /* :event-type */
    ngx_str_t   message_type;   /* :message-type: event, exception, error */
    ngx_str_t   exception_type; /* :exception-type, or :error-code */
    ngx_str_t   payload;
} ngx_http_llm_es_frame_t;

/* the smallest frame: prelude, its CRC, the message CRC */
#define NGX_HTTP_LLM_ES_MIN     16

size_t ngx_http_llm_eventstream_size(u_char *p, size_t len);
ngx_int_t ngx_http_llm_eventstream_frame(u_char *p, size_t len,
    ngx_http_llm_es_frame_t *f);


#endif /* _NGX_HTTP_LLM_AWS_H_INCLUDED_ */
