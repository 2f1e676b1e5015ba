
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include "ngx_http_llm_aws.h"


/*
 * AWS Signature Version 4 over a canonical request the caller built:
 * the string to sign, the signing key derived from the secret through
 * the date, region and service, and the signature, as lowercase hex.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */


static void ngx_http_llm_hmac(u_char *key, size_t key_len, u_char *data,
    size_t len, u_char *out);
static u_char *ngx_http_llm_hex(u_char *dst, u_char *src, size_t len);


void
ngx_http_llm_sha256_hex(u_char *data, size_t len, u_char *hex)
{
    u_char  digest[SHA256_DIGEST_LENGTH];

    SHA256(data, len, digest);
    (void) ngx_http_llm_hex(hex, digest, SHA256_DIGEST_LENGTH);
}


/*
 * "amzdate" is YYYYMMDD'T'HHMMSS'Z'; the scope's date is its first eight
 * characters.  "sts" (string to sign) must hold NGX_HTTP_LLM_SIGV4_STS
 * bytes plus the region's and the service's.
 */

void
ngx_http_llm_sigv4_sign(ngx_str_t *secret, ngx_str_t *amzdate,
    ngx_str_t *region, ngx_str_t *service, ngx_str_t *creq, u_char *sts,
    u_char *hex)
{
    u_char  *p, key[4 + 128], k[SHA256_DIGEST_LENGTH];
    u_char   sig[SHA256_DIGEST_LENGTH];
    size_t   n;

    /* the string to sign */

    p = ngx_cpymem(sts, "AWS4-HMAC-SHA256\n", 17);
    p = ngx_cpymem(p, amzdate->data, amzdate->len);
    *p++ = '\n';
    p = ngx_cpymem(p, amzdate->data, 8);
    *p++ = '/';
    p = ngx_cpymem(p, region->data, region->len);
    *p++ = '/';
    p = ngx_cpymem(p, service->data, service->len);
    p = ngx_cpymem(p, "/aws4_request\n", 14);
    ngx_http_llm_sha256_hex(creq->data, creq->len, p);
    p += 2 * SHA256_DIGEST_LENGTH;

    /* the signing key: secret, date, region, service, "aws4_request" */

    n = ngx_min(secret->len, sizeof(key) - 4);
    ngx_memcpy(key, "AWS4", 4);
    ngx_memcpy(key + 4, secret->data, n);

    ngx_http_llm_hmac(key, 4 + n, amzdate->data, 8, k);
    ngx_http_llm_hmac(k, sizeof(k), region->data, region->len, k);
    ngx_http_llm_hmac(k, sizeof(k), service->data, service->len, k);
    ngx_http_llm_hmac(k, sizeof(k), (u_char *) "aws4_request", 12, k);

    ngx_http_llm_hmac(k, sizeof(k), sts, p - sts, sig);

    (void) ngx_http_llm_hex(hex, sig, SHA256_DIGEST_LENGTH);

    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(k, sizeof(k));
}


/* lowercase hex, as SigV4 wants (and without nginx's runtime) */

static u_char *
ngx_http_llm_hex(u_char *dst, u_char *src, size_t len)
{
    static u_char  hex[] = "0123456789abcdef";

    while (len--) {
        *dst++ = hex[*src >> 4];
        *dst++ = hex[*src++ & 0xf];
    }

    return dst;
}


static void
ngx_http_llm_hmac(u_char *key, size_t key_len, u_char *data, size_t len,
    u_char *out)
{
    u_char        md[EVP_MAX_MD_SIZE];
    unsigned int  n;

    (void) HMAC(EVP_sha256(), key, (int) key_len, data, len, md, &n);

    ngx_memcpy(out, md, SHA256_DIGEST_LENGTH);
}


/*
 * A path segment for the request (once) and for the canonical URI (twice,
 * for every service but S3): all but the unreserved characters escaped.
 */

u_char *
ngx_http_llm_sigv4_escape(u_char *dst, u_char *src, size_t len)
{
    u_char  c;

    static u_char  hex[] = "0123456789ABCDEF";

    while (len--) {
        c = *src++;

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
            || c == '~')
        {
            *dst++ = c;
            continue;
        }

        *dst++ = '%';
        *dst++ = hex[c >> 4];
        *dst++ = hex[c & 0xf];
    }

    return dst;
}
