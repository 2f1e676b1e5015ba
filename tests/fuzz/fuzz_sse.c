
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_sse.h"


/* framing and field extraction over any bytes, as a provider may send */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char     *p, *pos, *end, *e;
    ngx_str_t   field;

    p = malloc(size ? size : 1);
    if (p == NULL) {
        return 0;
    }

    memcpy(p, data, size);

    pos = p;
    end = p + size;

    while ((e = ngx_http_llm_sse_event_end(pos, end)) != NULL) {

        if (e <= pos || e > end) {
            abort();
        }

        if (ngx_http_llm_sse_data(pos, e, &field) == NGX_OK) {
            if (field.data < pos || field.data + field.len > e) {
                abort();
            }

            (void) ngx_http_llm_sse_is_done(&field);
        }

        pos = e;
    }

    free(p);

    return 0;
}
