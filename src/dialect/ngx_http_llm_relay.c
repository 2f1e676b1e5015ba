
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_relay.h"
#include "ngx_http_llm_sse.h"


/*
 * A provider's stream for a client of another dialect: each event read
 * into chat completion chunks in "mid", and those written in the
 * client's dialect, so that one reader and one writer of each dialect
 * serve every pair.  The reader's usage is the truer (it has the cache
 * writes apart): the writer is given it.  With an OpenAI provider its
 * events are the chunks; for an OpenAI client the chunks are the events.
 * "mid" must hold 2 * len + 1024 bytes and the ids.
 */


static ngx_int_t ngx_http_llm_relay_write(ngx_http_llm_relay_t *st,
    u_char *mid, u_char *last, u_char **out, u_char *end);


ngx_int_t
ngx_http_llm_relay_event(ngx_http_llm_relay_t *st, u_char *data, size_t len,
    u_char *mid, u_char *mid_end, u_char **out, u_char *end)
{
    u_char     *last;
    ngx_int_t   rc, wrc;

    if (st->writer->stream_write == NULL) {
        return st->reader->stream_read(&st->a, data, len, out, end);
    }

    if (st->reader->stream_read == NULL) {
        return st->writer->stream_write(st->w, &st->a.usage, 0, data, len,
                                        out, end);
    }

    last = mid;
    rc = st->reader->stream_read(&st->a, data, len, &last, mid_end);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    wrc = ngx_http_llm_relay_write(st, mid, last, out, end);

    return (wrc == NGX_OK) ? rc : wrc;
}


/*
 * The provider's body ended, in a dialect with no end marker: the last
 * events.  NGX_DONE: they are out; NGX_DECLINED: the stream is not
 * complete.
 */

ngx_int_t
ngx_http_llm_relay_end(ngx_http_llm_relay_t *st, u_char *mid,
    u_char *mid_end, u_char **out, u_char *end)
{
    u_char     *last;
    ngx_int_t   rc;

    if (st->reader->stream_end == NULL) {
        return NGX_DECLINED;
    }

    if (st->writer->stream_write == NULL) {
        return st->reader->stream_end(&st->a, out, end);
    }

    last = mid;

    rc = st->reader->stream_end(&st->a, &last, mid_end);
    if (rc != NGX_DONE) {
        return rc;
    }

    rc = ngx_http_llm_relay_write(st, mid, last, out, end);

    return (rc == NGX_OK) ? NGX_ERROR : rc;
}


static ngx_int_t
ngx_http_llm_relay_write(ngx_http_llm_relay_t *st, u_char *mid,
    u_char *last, u_char **out, u_char *end)
{
    u_char     *p, *e;
    ngx_int_t   rc;
    ngx_str_t   chunk;

    rc = NGX_OK;

    for (p = mid; (e = ngx_http_llm_sse_event_end(p, last)); p = e) {
        if (ngx_http_llm_sse_data(p, e, &chunk) != NGX_OK) {
            continue;
        }

        rc = st->writer->stream_write(st->w, &st->a.usage, 1, chunk.data,
                                      chunk.len, out, end);
        if (rc != NGX_OK) {
            break;
        }
    }

    return rc;
}
