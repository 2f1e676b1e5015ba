
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_sse.h"


/*
 * A provider's stream for a client of a third dialect (an Anthropic or
 * Bedrock stream for a Gemini client, a Bedrock stream for an Anthropic
 * one): each event read into chat completion chunks in "mid", and those
 * written in the client's dialect, so that one reader and one writer of
 * each dialect serve every pair.  The reader's usage is the truer (it
 * has the cache writes apart): the writer is given it.  "mid" must hold
 * 2 * len + 1024 bytes and the ids.
 */


static ngx_int_t ngx_http_llm_relay_write(ngx_http_llm_relay_t *st,
    u_char *mid, u_char *last, u_char **out, u_char *end);


ngx_int_t
ngx_http_llm_relay_event(ngx_http_llm_relay_t *st, u_char *data, size_t len,
    u_char *mid, u_char *mid_end, u_char **out, u_char *end)
{
    u_char     *last;
    ngx_int_t   rc, wrc;

    st->a.include_usage = 1;

    last = mid;
    rc = st->read(&st->a, data, len, &last, mid_end);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    wrc = ngx_http_llm_relay_write(st, mid, last, out, end);

    return (wrc == NGX_OK) ? rc : wrc;
}


/* the provider's body ended: a stream with no end marker is complete */

ngx_int_t
ngx_http_llm_relay_end(ngx_http_llm_relay_t *st, u_char *mid,
    u_char *mid_end, u_char **out, u_char *end)
{
    u_char     *last;
    ngx_int_t   rc;

    st->a.include_usage = 1;

    last = mid;

    if (ngx_http_llm_openai_chunk_body_end(&st->a, &last, mid_end)
        != NGX_DONE)
    {
        return NGX_ERROR;
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

    st->m.relayed = 1;
    st->g.relayed = 1;
    st->m.usage = st->a.usage;
    st->g.usage = st->a.usage;

    rc = NGX_OK;

    for (p = mid; (e = ngx_http_llm_sse_event_end(p, last)); p = e) {
        if (ngx_http_llm_sse_data(p, e, &chunk) != NGX_OK) {
            continue;
        }

        rc = st->gemini
             ? ngx_http_llm_openai_gemini_event(&st->g, chunk.data,
                                                chunk.len, out, end)
             : ngx_http_llm_openai_stream_event(&st->m, chunk.data,
                                                chunk.len, out, end);
        if (rc != NGX_OK) {
            break;
        }
    }

    return rc;
}
