
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"


/*
 * Any bytes as a client's request (OpenAI's and Anthropic's), as either
 * provider's response or error, and as either provider's stream: every
 * translator must refuse or translate, never crash, overflow or leak.
 */


static void fuzz_print(cJSON *out);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                             *s, *nl;
    size_t                            n;
    u_char                            buf[4096], *o;
    cJSON                            *doc, *canon;
    const char                       *msg, *code;
    ngx_http_llm_tr_err_t             err;
    ngx_http_llm_openai_stream_t      os;
    ngx_http_llm_anthropic_stream_t   as;
    ngx_http_llm_stream_usage_t       u;

    /* the bytes as streams' events, one per line, into a small buffer */
    ngx_memzero(&as, sizeof(as));
    ngx_memzero(&os, sizeof(os));
    ngx_memzero(&u, sizeof(u));
    as.include_usage = 1;

    for (s = (char *) data; s < (char *) data + size; s++) {
        nl = memchr(s, '\n', (char *) data + size - s);
        n = nl ? (size_t) (nl - s) : (size_t) ((char *) data + size - s);

        o = buf;
        (void) ngx_http_llm_anthropic_stream_event(&as, (u_char *) s, n, &o,
                                                   buf + sizeof(buf));
        o = buf;
        (void) ngx_http_llm_openai_stream_event(&os, (u_char *) s, n, &o,
                                                buf + sizeof(buf));
        (void) ngx_http_llm_anthropic_stream_observe(&u, (u_char *) s, n);
        s += n;
    }

    (void) ngx_http_llm_anthropic_usage((u_char *) data, size, &u);

    doc = cJSON_ParseWithLength((const char *) data, size);
    if (doc == NULL) {
        return 0;
    }

    ngx_memzero(&err, sizeof(err));
    canon = ngx_http_llm_openai_request_to_canon(doc, &err);

    if (canon) {
        fuzz_print(ngx_http_llm_canon_to_anthropic_request(canon, 1024,
                                                           &err));
        fuzz_print(ngx_http_llm_canon_to_openai_request(canon, &err));
        cJSON_Delete(canon);
    }

    ngx_memzero(&err, sizeof(err));
    canon = ngx_http_llm_anthropic_request_to_canon(doc, &err);

    if (canon) {
        fuzz_print(ngx_http_llm_canon_to_openai_request(canon, &err));
        fuzz_print(ngx_http_llm_canon_to_anthropic_request(canon, 1024,
                                                           &err));
        cJSON_Delete(canon);
    }

    ngx_memzero(&err, sizeof(err));
    canon = ngx_http_llm_anthropic_response_to_canon(doc, &err);

    if (canon) {
        fuzz_print(ngx_http_llm_canon_to_openai_response(canon, 1));
        fuzz_print(ngx_http_llm_canon_to_anthropic_response(canon, &err));
        cJSON_Delete(canon);
    }

    ngx_memzero(&err, sizeof(err));
    canon = ngx_http_llm_openai_response_to_canon(doc, &err);

    if (canon) {
        fuzz_print(ngx_http_llm_canon_to_anthropic_response(canon, &err));
        fuzz_print(ngx_http_llm_canon_to_openai_response(canon, 1));
        cJSON_Delete(canon);
    }

    (void) ngx_http_llm_provider_error(doc, &msg, &code);

    cJSON_Delete(doc);

    return 0;
}


static void
fuzz_print(cJSON *out)
{
    char  *s;

    s = out ? cJSON_PrintUnformatted(out) : NULL;
    cJSON_free(s);
    cJSON_Delete(out);
}
