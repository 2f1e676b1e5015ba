
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_sse.h"


/*
 * Server-sent events: an event ends at a blank line.  Lines end with LF or
 * CRLF (providers do not use bare CR).  Returns one past the blank line
 * that ends the first event in [p, end), or NULL when it has not arrived.
 * Line ends are found with memchr() (vectorised in libc): every byte of a
 * stream passes here.
 */

u_char *
ngx_http_llm_sse_event_end(u_char *p, u_char *end)
{
    u_char  *lf;

    while (p < end) {
        lf = memchr(p, '\n', end - p);
        if (lf == NULL) {
            return NULL;
        }

        p = lf + 1;

        if (p < end && *p == '\r') {
            if (p + 1 >= end) {
                return NULL;
            }

            if (p[1] == '\n') {
                return p + 2;
            }

            continue;
        }

        if (p < end && *p == '\n') {
            return p + 1;
        }
    }

    return NULL;
}


/*
 * The value of the event's "data" field.  Several data lines are
 * joined by the SSE rules with LF; providers send one, so only the first
 * is returned and NGX_DECLINED tells the caller there was none.
 */

ngx_int_t
ngx_http_llm_sse_data(u_char *p, u_char *end, ngx_str_t *data)
{
    u_char  *eol;

    while (p < end) {
        eol = memchr(p, '\n', end - p);
        if (eol == NULL) {
            eol = end;
        }

        if (eol - p >= 5 && ngx_strncmp(p, "data:", 5) == 0) {
            p += 5;

            if (p < eol && *p == ' ') {
                p++;
            }

            data->data = p;
            data->len = eol - p;

            if (data->len && p[data->len - 1] == '\r') {
                data->len--;
            }

            return NGX_OK;
        }

        p = eol + 1;
    }

    return NGX_DECLINED;
}


ngx_int_t
ngx_http_llm_sse_is_done(ngx_str_t *data)
{
    return data->len == 6 && ngx_strncmp(data->data, "[DONE]", 6) == 0;
}
