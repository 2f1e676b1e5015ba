
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include "ngx_http_llm_gcp.h"
#include "unit.h"


/* a string literal and its length */
#define S(s)  (u_char *) s, sizeof(s) - 1


/* base64url, no padding, back to bytes */

static size_t
unb64url(const u_char *src, size_t len, u_char *dst)
{
    u_char  buf[2048];
    size_t  i, n;
    int     out;

    for (i = 0; i < len; i++) {
        buf[i] = src[i] == '-' ? '+' : src[i] == '_' ? '/' : src[i];
    }

    n = len;
    while (n % 4) {
        buf[n++] = '=';
    }

    out = EVP_DecodeBlock(dst, buf, n);

    return out < 0 ? 0 : (size_t) out - (n - len);
}


/* a service account key file with a fresh RSA key */

static char *
account_json(EVP_PKEY *key, const char *extra)
{
    BIO    *bio;
    char   *pem, *copy, *json;
    long    n;
    cJSON  *doc;

    bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
    n = BIO_get_mem_data(bio, &pem);

    doc = cJSON_Parse(extra);
    copy = strndup(pem, n);
    cJSON_AddStringToObject(doc, "private_key", copy);
    free(copy);
    json = cJSON_PrintUnformatted(doc);

    cJSON_Delete(doc);
    BIO_free(bio);

    return json;
}


int
main(void)
{
    u_char                      *grant, *jwt, *dot1, *dot2, sig[512];
    u_char                       dec[2048], token[NGX_HTTP_LLM_GCP_TOKEN_MAX];
    char                        *json;
    size_t                       len, n, siglen;
    time_t                       ttl;
    cJSON                       *claims;
    EVP_PKEY                    *key;
    EVP_MD_CTX                  *md;
    const char                  *err;
    ngx_http_llm_gcp_account_t   a;

    key = EVP_RSA_gen(2048);
    CHECK(key != NULL);

    /* the key file: email, token_uri and key read; its faults named */

    json = account_json(key, "{\"type\":\"service_account\","
                             "\"project_id\":\"p\",\"client_email\":"
                             "\"gw@p.iam.gserviceaccount.com\","
                             "\"token_uri\":\"http://127.0.0.1:1/token\"}");
    CHECK(ngx_http_llm_gcp_account((u_char *) json, strlen(json), &a, &err)
          == NGX_OK);
    CHECK(a.key && strcmp(a.email, "gw@p.iam.gserviceaccount.com") == 0
          && strcmp(a.token_uri, "http://127.0.0.1:1/token") == 0);
    free(json);

    /* the grant: the form, then header.claims.signature */

    grant = ngx_http_llm_gcp_grant(&a, 1700000000, &len);
    CHECK(grant != NULL);

    n = sizeof("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3A"
               "jwt-bearer&assertion=") - 1;
    CHECK(grant && len > n
          && ngx_strncmp(grant, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3A"
                         "grant-type%3Ajwt-bearer&assertion=", n) == 0);

    jwt = grant + n;
    dot1 = (u_char *) memchr(jwt, '.', grant + len - jwt);
    dot2 = dot1 ? (u_char *) memchr(dot1 + 1, '.', grant + len - dot1 - 1)
                : NULL;
    CHECK(dot1 && dot2);

    n = unb64url(jwt, dot1 - jwt, dec);
    CHECK(n == sizeof("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") - 1
          && ngx_strncmp(dec, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", n)
             == 0);

    n = unb64url(dot1 + 1, dot2 - dot1 - 1, dec);
    claims = cJSON_ParseWithLength((char *) dec, n);
    json = claims ? cJSON_PrintUnformatted(claims) : NULL;
    CHECK(json && strcmp(json,
          "{\"iss\":\"gw@p.iam.gserviceaccount.com\",\"scope\":"
          "\"https://www.googleapis.com/auth/cloud-platform\",\"aud\":"
          "\"http://127.0.0.1:1/token\",\"iat\":1700000000,"
          "\"exp\":1700003600}") == 0);
    free(json);
    cJSON_Delete(claims);

    /* the signature verifies with the public key over header.claims */

    siglen = unb64url(dot2 + 1, grant + len - dot2 - 1, sig);
    CHECK(siglen == 256);
    md = EVP_MD_CTX_new();
    CHECK(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1
          && EVP_DigestVerify(md, sig, siglen, jwt, dot2 - jwt) == 1);
    EVP_MD_CTX_free(md);

    /* base64url: no '+', '/' or '=' anywhere */
    CHECK(memchr(jwt, '+', grant + len - jwt) == NULL
          && memchr(jwt, '/', grant + len - jwt) == NULL
          && memchr(jwt, '=', grant + len - jwt) == NULL);

    free(grant);
    ngx_http_llm_gcp_account_free(&a);
    CHECK(a.key == NULL && a.email == NULL);

    /* no token_uri: Google's */
    json = account_json(key, "{\"client_email\":\"x@y\"}");
    CHECK(ngx_http_llm_gcp_account((u_char *) json, strlen(json), &a, &err)
          == NGX_OK
          && strcmp(a.token_uri, "https://oauth2.googleapis.com/token")
             == 0);
    ngx_http_llm_gcp_account_free(&a);
    free(json);

    err = NULL;
    CHECK(ngx_http_llm_gcp_account(S("{\"client_email\":1}"), &a, &err)
          == NGX_ERROR && err && strstr(err, "client_email"));
    CHECK(ngx_http_llm_gcp_account(S("[1"), &a, &err) == NGX_ERROR
          && strstr(err, "JSON"));
    CHECK(ngx_http_llm_gcp_account(S("{\"type\":\"authorized_user\"}"), &a,
                                   &err)
          == NGX_ERROR && strstr(err, "service_account"));
    CHECK(ngx_http_llm_gcp_account(S("{\"client_email\":\"a\","
                                     "\"private_key\":\"-----BEGIN PRIVATE "
                                     "KEY-----\\nAAAA\\n-----END PRIVATE "
                                     "KEY-----\\n\"}"), &a, &err)
          == NGX_ERROR && strstr(err, "RSA"));

    /* the token answer */

    CHECK(ngx_http_llm_gcp_token(S("{\"access_token\":\"ya29.abc\","
                                   "\"expires_in\":3599,\"token_type\":"
                                   "\"Bearer\"}"), token, &n, &ttl)
          == NGX_OK
          && n == 8 && ngx_strncmp(token, "ya29.abc", 8) == 0
          && ttl == 3599);
    CHECK(ngx_http_llm_gcp_token(S("{\"access_token\":\"a b\","
                                   "\"expires_in\":3599}"), token, &n, &ttl)
          == NGX_ERROR);
    CHECK(ngx_http_llm_gcp_token(S("{\"access_token\":\"a\\r\\nX: y\","
                                   "\"expires_in\":3599}"), token, &n, &ttl)
          == NGX_ERROR);
    CHECK(ngx_http_llm_gcp_token(S("{\"access_token\":\"abc\"}"), token, &n,
                                 &ttl)
          == NGX_ERROR);
    CHECK(ngx_http_llm_gcp_token(S("{\"access_token\":\"abc\","
                                   "\"expires_in\":0}"), token, &n, &ttl)
          == NGX_ERROR);
    CHECK(ngx_http_llm_gcp_token(S("{\"error\":\"invalid_grant\"}"), token,
                                 &n, &ttl)
          == NGX_ERROR);
    CHECK(ngx_http_llm_gcp_token(S("{\"access_token\":\"abc\","), token, &n,
                                 &ttl)
          == NGX_ERROR);

    EVP_PKEY_free(key);

    UNIT_DONE("vertex");
}
