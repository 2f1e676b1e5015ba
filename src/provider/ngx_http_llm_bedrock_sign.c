
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/evp.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_bedrock_sign.h"
#include "ngx_http_llm_aws.h"


/*
 * Bedrock's side of an attempt: the path (/model/{id}/converse, the id
 * escaped, as model ids hold ':'), and the SigV4 headers over the exact
 * body sent: x-amz-date, x-amz-security-token with temporary
 * credentials, and Authorization.  The secret never leaves this file.
 */


ngx_int_t
ngx_http_llm_bedrock_path(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_candidate_t *c, ngx_str_t *path)
{
    u_char  *p;

    p = ngx_pnalloc(r->pool, sizeof("/model//converse-stream") - 1
                             + 3 * c->model.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    path->data = p;
    p = ngx_http_llm_cpystr(p, "/model/");
    p = ngx_http_llm_sigv4_escape(p, c->model.data, c->model.len);

    if (ctx->stream) {
        p = ngx_http_llm_cpystr(p, "/converse-stream");

    } else {
        p = ngx_http_llm_cpystr(p, "/converse");
    }

    path->len = p - path->data;

    return NGX_OK;
}


/*
 * The signed headers are content-type, host, x-amz-date and, with a
 * session token, x-amz-security-token; the canonical URI is the path
 * with each segment escaped once more (every service but S3).
 */

ngx_int_t
ngx_http_llm_bedrock_sign(ngx_http_request_t *r, ngx_http_llm_provider_t *pr,
    ngx_str_t *path, ngx_chain_t *body, ngx_str_t *headers)
{
    u_char          *p, *sts, hash[64], sig[64], date[17], md[EVP_MAX_MD_SIZE];
    size_t           len;
    ngx_tm_t         tm;
    ngx_str_t        creq, amzdate, *id, *secret, *token, uri, signed_h;
    ngx_chain_t     *cl;
    unsigned int     n;
    EVP_MD_CTX      *mdctx;

    static ngx_str_t  service = ngx_string("bedrock");

    id = &pr->aws[0].value;
    secret = &pr->aws[1].value;
    token = &pr->aws[2].value;

    if (id->len == 0 || secret->len == 0) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "llm: provider \"%V\" has no AWS credentials here",
                      &pr->name);
        return NGX_ERROR;
    }

    /* the payload's hash, over the body as sent */

    mdctx = EVP_MD_CTX_new();
    if (mdctx == NULL) {
        return NGX_ERROR;
    }

    if (EVP_DigestInit_ex(mdctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(mdctx);
        return NGX_ERROR;
    }

    for (cl = body; cl; cl = cl->next) {
        if (EVP_DigestUpdate(mdctx, cl->buf->pos, cl->buf->last - cl->buf->pos)
            != 1)
        {
            EVP_MD_CTX_free(mdctx);
            return NGX_ERROR;
        }
    }

    n = 0;

    if (EVP_DigestFinal_ex(mdctx, md, &n) != 1 || n != 32) {
        EVP_MD_CTX_free(mdctx);
        return NGX_ERROR;
    }

    EVP_MD_CTX_free(mdctx);

    p = hash;

    for (n = 0; n < 32; n++) {
        *p++ = "0123456789abcdef"[md[n] >> 4];
        *p++ = "0123456789abcdef"[md[n] & 0xf];
    }

    ngx_gmtime(ngx_time(), &tm);

    amzdate.data = date;
    amzdate.len = ngx_sprintf(date, "%4d%02d%02dT%02d%02d%02dZ",
                              tm.ngx_tm_year, tm.ngx_tm_mon, tm.ngx_tm_mday,
                              tm.ngx_tm_hour, tm.ngx_tm_min, tm.ngx_tm_sec)
                  - date;

    if (token->len) {
        ngx_str_set(&signed_h,
                    "content-type;host;x-amz-date;x-amz-security-token");

    } else {
        ngx_str_set(&signed_h, "content-type;host;x-amz-date");
    }

    /* the canonical URI: the path's escapes escaped again */

    uri.data = ngx_pnalloc(r->pool, 3 * (pr->base_path.len + path->len));
    if (uri.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(uri.data, pr->base_path.data, pr->base_path.len);

    for (len = 0; len < path->len; len++) {
        if (path->data[len] == '%') {
            p = ngx_http_llm_cpystr(p, "%25");

        } else {
            *p++ = path->data[len];
        }
    }

    uri.len = p - uri.data;

    len = sizeof("POST\n\n\ncontent-type:application/json\nhost:\n"
                 "x-amz-date:\nx-amz-security-token:\n\n\n") - 1
          + uri.len + pr->host.len + amzdate.len + token->len
          + signed_h.len + 64;

    creq.data = ngx_pnalloc(r->pool, len);
    if (creq.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(creq.data, "POST\n%V\n\ncontent-type:application/json\n"
                    "host:%V\nx-amz-date:%V\n", &uri, &pr->host, &amzdate);

    if (token->len) {
        p = ngx_sprintf(p, "x-amz-security-token:%V\n", token);
    }

    p = ngx_sprintf(p, "\n%V\n", &signed_h);
    p = ngx_cpymem(p, hash, 64);
    creq.len = p - creq.data;

    sts = ngx_pnalloc(r->pool, NGX_HTTP_LLM_SIGV4_STS + pr->region.len
                               + service.len);
    if (sts == NULL) {
        return NGX_ERROR;
    }

    ngx_http_llm_sigv4_sign(secret, &amzdate, &pr->region, &service, &creq,
                            sts, sig);

    len = sizeof("X-Amz-Date: \r\nX-Amz-Security-Token: \r\n"
                 "Authorization: AWS4-HMAC-SHA256 Credential=////"
                 "aws4_request, SignedHeaders=, Signature=\r\n") - 1
          + amzdate.len + token->len + id->len + 8 + pr->region.len
          + service.len + signed_h.len + 64;

    headers->data = ngx_pnalloc(r->pool, len);
    if (headers->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(headers->data, "X-Amz-Date: %V\r\n", &amzdate);

    if (token->len) {
        p = ngx_sprintf(p, "X-Amz-Security-Token: %V\r\n", token);
    }

    p = ngx_sprintf(p, "Authorization: AWS4-HMAC-SHA256 Credential=%V/%*s/"
                    "%V/%V/aws4_request, SignedHeaders=%V, Signature=%*s"
                    "\r\n", id, (size_t) 8, date, &pr->region, &service,
                    &signed_h, (size_t) 64, sig);

    headers->len = p - headers->data;

    return NGX_OK;
}
