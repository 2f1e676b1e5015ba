
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_json.h"
#include "ngx_http_llm_gcp.h"
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_openai_canon.h"
#include "json_mutate.h"


/*
 * The scanner must never read outside the input, whatever it is; and what
 * it accepts must walk, decode and re-escape without faults.  The same
 * bytes as a service account key file and as a token answer (Vertex).
 */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                     *p, *q, *out, *esc;
    u_char                      token[NGX_HTTP_LLM_GCP_TOKEN_MAX];
    size_t                      tlen;
    time_t                      ttl;
    int64_t                     n;
    ssize_t                     len;
    const char                 *err;
    ngx_uint_t                  usage;
    ngx_http_llm_gcp_account_t  a;
    ngx_http_llm_json_iter_t    it;
    ngx_http_llm_json_value_t   doc, k, v, sub;

    /* an exact-size copy, so ASan sees any overread */
    p = malloc(size ? size : 1);
    if (p == NULL) {
        return 0;
    }

    memcpy(p, data, size);

    (void) ngx_http_llm_gcp_token(p, size, token, &tlen, &ttl);

    /* a passthrough stream chunk's text and usage, valid JSON or not */
    if (ngx_http_llm_openai_chunk_scan(p, p + size, &usage) > size) {
        abort();
    }

    if (ngx_http_llm_gcp_account(p, size, &a, &err) == NGX_OK) {
        ngx_http_llm_gcp_account_free(&a);
    }

    /* the request path: members walked and validated in one pass */
    q = ngx_http_llm_json_ws(p, p + size);

    if (q < p + size && *q == '{') {
        it.pos = q + 1;
        it.end = p + size;
        it.first = 1;

        while (ngx_http_llm_json_next(&it, &k, &v) == NGX_OK) {
            if (v.start < p || v.end > p + size || k.end > v.start) {
                abort();
            }
        }
    }

    if (ngx_http_llm_json_document(p, p + size, &doc) != NGX_OK) {
        free(p);
        return 0;
    }

    if (doc.type == NGX_HTTP_LLM_JSON_OBJECT) {
        ngx_http_llm_json_iter_init(&it, &doc);

        while (ngx_http_llm_json_next(&it, &k, &v) == NGX_OK) {
            (void) ngx_http_llm_json_int(&v, &n);

            if (v.type == NGX_HTTP_LLM_JSON_OBJECT) {
                (void) ngx_http_llm_json_get(&v, "cached_tokens", &sub);
            }

            if (v.type != NGX_HTTP_LLM_JSON_STRING) {
                continue;
            }

            out = malloc(v.end - v.start);
            if (out == NULL) {
                break;
            }

            len = ngx_http_llm_json_unescape(&v, out);

            if (len >= 0) {
                esc = malloc(ngx_http_llm_json_escape_len(out, len) + 1);
                if (esc) {
                    (void) ngx_http_llm_json_escape(esc, out, len);
                    free(esc);
                }
            }

            free(out);
        }

        (void) ngx_http_llm_json_get(&doc, "usage", &v);
    }

    free(p);

    return 0;
}
