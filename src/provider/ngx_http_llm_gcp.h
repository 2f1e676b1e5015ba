
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_GCP_H_INCLUDED_
#define _NGX_HTTP_LLM_GCP_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <openssl/evp.h>


/*
 * A Google service account, read from its JSON key file: the OAuth 2.0
 * JWT-bearer grant (RFC 7523) trades an assertion signed with its private
 * key for an access token (ngx_http_llm_jwt.c).
 */

typedef struct {
    EVP_PKEY   *key;
    char       *email;          /* client_email, the assertion's issuer */
    char       *token_uri;      /* where the assertion is sent */
} ngx_http_llm_gcp_account_t;

/* the access token's lifetime asked for, and the most a token may take */
#define NGX_HTTP_LLM_GCP_TOKEN_TTL   3600
#define NGX_HTTP_LLM_GCP_TOKEN_MAX   4096

ngx_int_t ngx_http_llm_gcp_account(u_char *json, size_t len,
    ngx_http_llm_gcp_account_t *a, const char **err);
void ngx_http_llm_gcp_account_free(ngx_http_llm_gcp_account_t *a);
u_char *ngx_http_llm_gcp_grant(ngx_http_llm_gcp_account_t *a, time_t now,
    size_t *len);
ngx_int_t ngx_http_llm_gcp_token(u_char *body, size_t len, u_char *token,
    size_t *token_len, time_t *expires_in);


#endif /* _NGX_HTTP_LLM_GCP_H_INCLUDED_ */
