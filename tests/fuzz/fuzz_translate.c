
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"


/*
 * Any bytes as a client's OpenAI request and as Anthropic's response or
 * error: every translator must refuse or translate, never crash or leak.
 */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                             *s;
    u_char                            buf[4096], *o;
    cJSON                            *doc, *canon, *out;
    ngx_http_llm_tr_err_t             err;
    ngx_http_llm_anthropic_stream_t   st;

    /* the bytes as a stream's events, one per line, into a small buffer */
    ngx_memzero(&st, sizeof(st));
    st.include_usage = 1;

    for (s = (char *) data; s < (char *) data + size; s++) {
        char  *nl = memchr(s, '\n', (char *) data + size - s);
        size_t n = nl ? (size_t) (nl - s) : (size_t) ((char *) data + size - s);

        o = buf;
        (void) ngx_http_llm_anthropic_stream_event(&st, (u_char *) s, n, &o,
                                                   buf + sizeof(buf));
        s += n;
    }

    doc = cJSON_ParseWithLength((const char *) data, size);
    if (doc == NULL) {
        return 0;
    }

    err.msg[0] = '\0';
    canon = ngx_http_llm_openai_request_to_canon(doc, &err);

    if (canon) {
        out = ngx_http_llm_canon_to_anthropic_request(canon, 1024, &err);
        s = out ? cJSON_PrintUnformatted(out) : NULL;
        cJSON_free(s);
        cJSON_Delete(out);
        cJSON_Delete(canon);
    }

    err.msg[0] = '\0';
    canon = ngx_http_llm_anthropic_response_to_canon(doc, &err);

    if (canon) {
        out = ngx_http_llm_canon_to_openai_response(canon, 1);
        s = out ? cJSON_PrintUnformatted(out) : NULL;
        cJSON_free(s);
        cJSON_Delete(out);
        cJSON_Delete(canon);
    }

    out = ngx_http_llm_anthropic_error_to_openai(doc, 529);
    cJSON_Delete(out);

    cJSON_Delete(doc);

    return 0;
}
