
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include "ngx_http_llm_gcp.h"


/*
 * Service-account credentials for Vertex AI: the key file parsed, the
 * RS256-signed JWT assertion and its token request body, and the token
 * answer read.  https://developers.google.com/identity/protocols/oauth2/
 * service-account#authorizingrequests
 */


static size_t ngx_http_llm_b64url(u_char *dst, u_char *src, size_t len);
static char *ngx_http_llm_gcp_strdup(cJSON *doc, const char *name);


#define NGX_HTTP_LLM_GCP_SCOPE                                               \
    "https://www.googleapis.com/auth/cloud-platform"
#define NGX_HTTP_LLM_GCP_GRANT                                               \
    "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"       \
    "&assertion="


/* "err" names what is wrong, without the key's bytes */

ngx_int_t
ngx_http_llm_gcp_account(u_char *json, size_t len,
    ngx_http_llm_gcp_account_t *a, const char **err)
{
    BIO    *bio;
    char   *pem;
    cJSON  *doc;

    ngx_memzero(a, sizeof(ngx_http_llm_gcp_account_t));

    doc = cJSON_ParseWithLength((char *) json, len);
    if (doc == NULL || !cJSON_IsObject(doc)) {
        *err = "is not a JSON object";
        goto failed;
    }

    if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "type"))
        && strcmp(cJSON_GetObjectItemCaseSensitive(doc, "type")->valuestring,
                  "service_account") != 0)
    {
        *err = "is not a service account key (\"type\" is not "
               "\"service_account\")";
        goto failed;
    }

    a->email = ngx_http_llm_gcp_strdup(doc, "client_email");
    a->token_uri = ngx_http_llm_gcp_strdup(doc, "token_uri");
    pem = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc,
                                                             "private_key"));

    if (a->email == NULL || pem == NULL) {
        *err = "has no \"client_email\" or \"private_key\"";
        goto failed;
    }

    if (a->token_uri == NULL) {
        a->token_uri = strdup("https://oauth2.googleapis.com/token");
        if (a->token_uri == NULL) {
            *err = "could not be read: out of memory";
            goto failed;
        }
    }

    bio = BIO_new_mem_buf(pem, -1);
    a->key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);

    if (a->key == NULL || EVP_PKEY_base_id(a->key) != EVP_PKEY_RSA) {
        *err = "has a \"private_key\" that is not an RSA key in PEM";
        goto failed;
    }

    cJSON_Delete(doc);

    return NGX_OK;

failed:

    cJSON_Delete(doc);
    ngx_http_llm_gcp_account_free(a);

    return NGX_ERROR;
}


void
ngx_http_llm_gcp_account_free(ngx_http_llm_gcp_account_t *a)
{
    EVP_PKEY_free(a->key);
    free(a->email);
    free(a->token_uri);
    ngx_memzero(a, sizeof(ngx_http_llm_gcp_account_t));
}


/*
 * The token request's form body: the grant type and the assertion
 * base64url(header).base64url(claims).base64url(RS256 signature), valid
 * for an hour from "now".  malloc()ed; NULL: out of memory or signing
 * failed.
 */

u_char *
ngx_http_llm_gcp_grant(ngx_http_llm_gcp_account_t *a, time_t now,
    size_t *len)
{
    u_char      *body, *p, *sig;
    char        *claims;
    size_t       n, siglen;
    cJSON       *c;
    EVP_MD_CTX  *md;

    static const char  header[] = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";

    body = NULL;
    claims = NULL;
    sig = NULL;
    md = NULL;

    c = cJSON_CreateObject();

    if (c == NULL
        || cJSON_AddStringToObject(c, "iss", a->email) == NULL
        || cJSON_AddStringToObject(c, "scope", NGX_HTTP_LLM_GCP_SCOPE)
           == NULL
        || cJSON_AddStringToObject(c, "aud", a->token_uri) == NULL
        || cJSON_AddNumberToObject(c, "iat", (double) now) == NULL
        || cJSON_AddNumberToObject(c, "exp",
                                   (double) (now + NGX_HTTP_LLM_GCP_TOKEN_TTL))
           == NULL)
    {
        goto done;
    }

    claims = cJSON_PrintUnformatted(c);
    if (claims == NULL) {
        goto done;
    }

    siglen = EVP_PKEY_size(a->key);
    n = strlen(claims);

    /* base64 takes 4 bytes for each 3 begun, and writes a NUL; 2 dots */
    body = malloc(sizeof(NGX_HTTP_LLM_GCP_GRANT) - 1
                  + (sizeof(header) + n + siglen) / 3 * 4 + 32);
    sig = malloc(siglen);
    md = EVP_MD_CTX_new();

    if (body == NULL || sig == NULL || md == NULL) {
        goto failed;
    }

    p = ngx_cpymem(body, NGX_HTTP_LLM_GCP_GRANT,
                   sizeof(NGX_HTTP_LLM_GCP_GRANT) - 1);
    p += ngx_http_llm_b64url(p, (u_char *) header, sizeof(header) - 1);
    *p++ = '.';
    p += ngx_http_llm_b64url(p, (u_char *) claims, n);

    /* the signing input is what follows "assertion=" */
    n = sizeof(NGX_HTTP_LLM_GCP_GRANT) - 1;

    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, a->key) != 1
        || EVP_DigestSign(md, sig, &siglen, body + n, p - body - n) != 1)
    {
        goto failed;
    }

    *p++ = '.';
    p += ngx_http_llm_b64url(p, sig, siglen);
    *len = p - body;

    goto done;

failed:

    free(body);
    body = NULL;

done:

    EVP_MD_CTX_free(md);
    free(sig);
    free(claims);
    cJSON_Delete(c);

    return body;
}


/*
 * The token endpoint's answer: {"access_token":…,"expires_in":N,…}.  The
 * token is copied into "token" (NGX_HTTP_LLM_GCP_TOKEN_MAX bytes); it must
 * be fit for a header.  NGX_ERROR: not such an answer.
 */

ngx_int_t
ngx_http_llm_gcp_token(u_char *body, size_t len, u_char *token,
    size_t *token_len, time_t *expires_in)
{
    char       *t;
    size_t      i, n;
    cJSON      *doc, *e;
    ngx_int_t   rc;

    rc = NGX_ERROR;

    doc = cJSON_ParseWithLength((char *) body, len);

    t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc,
                                                             "access_token"));
    e = cJSON_GetObjectItemCaseSensitive(doc, "expires_in");

    if (t == NULL || !cJSON_IsNumber(e) || e->valuedouble < 1
        || e->valuedouble > 86400 * 7)
    {
        goto done;
    }

    n = strlen(t);

    if (n == 0 || n > NGX_HTTP_LLM_GCP_TOKEN_MAX) {
        goto done;
    }

    for (i = 0; i < n; i++) {
        if ((u_char) t[i] <= ' ' || (u_char) t[i] >= 0x7f) {
            goto done;
        }
    }

    ngx_memcpy(token, t, n);
    *token_len = n;
    *expires_in = (time_t) e->valuedouble;
    rc = NGX_OK;

done:

    cJSON_Delete(doc);

    return rc;
}


static size_t
ngx_http_llm_b64url(u_char *dst, u_char *src, size_t len)
{
    u_char  *p, *last;
    size_t   n;

    n = EVP_EncodeBlock(dst, src, len);
    last = dst + n;

    while (last > dst && last[-1] == '=') {
        last--;
    }

    for (p = dst; p < last; p++) {
        if (*p == '+') {
            *p = '-';

        } else if (*p == '/') {
            *p = '_';
        }
    }

    return last - dst;
}


static char *
ngx_http_llm_gcp_strdup(cJSON *doc, const char *name)
{
    char  *s;

    s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, name));

    return (s && *s) ? strdup(s) : NULL;
}
