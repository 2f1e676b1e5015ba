
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <zlib.h>
#include "ngx_http_llm_aws.h"


/*
 * The AWS event stream encoding (Bedrock's ConverseStream): binary
 * frames of a prelude (total length, headers length, the prelude's
 * CRC32), headers (name length, name, value type, value), a payload and
 * the CRC32 of all before it.  Both CRCs are checked: a frame that fails
 * either is refused, never read.
 */


#define ngx_http_llm_be32(p)                                                 \
    ((uint32_t) (p)[0] << 24 | (uint32_t) (p)[1] << 16                       \
     | (uint32_t) (p)[2] << 8 | (uint32_t) (p)[3])


/* the frame's total size, once its first four bytes are in; 0: not yet */

size_t
ngx_http_llm_eventstream_size(u_char *p, size_t len)
{
    return (len < 4) ? 0 : ngx_http_llm_be32(p);
}


/*
 * One whole frame at p: NGX_AGAIN while fewer than its bytes are in;
 * NGX_ERROR for a bad length, CRC or header.
 */

ngx_int_t
ngx_http_llm_eventstream_frame(u_char *p, size_t len,
    ngx_http_llm_es_frame_t *f)
{
    u_char    *h, *end, type;
    size_t     total, hlen, nlen, vlen;
    ngx_str_t  name, *slot;

    ngx_memzero(f, sizeof(ngx_http_llm_es_frame_t));

    if (len < 12) {
        return NGX_AGAIN;
    }

    total = ngx_http_llm_be32(p);
    hlen = ngx_http_llm_be32(p + 4);

    if (crc32(0, p, 8) != ngx_http_llm_be32(p + 8)
        || total < NGX_HTTP_LLM_ES_MIN || hlen > total - NGX_HTTP_LLM_ES_MIN)
    {
        return NGX_ERROR;
    }

    if (len < total) {
        return NGX_AGAIN;
    }

    if (crc32(0, p, total - 4) != ngx_http_llm_be32(p + total - 4)) {
        return NGX_ERROR;
    }

    f->size = total;
    f->payload.data = p + 12 + hlen;
    f->payload.len = total - NGX_HTTP_LLM_ES_MIN - hlen;

    h = p + 12;
    end = h + hlen;

    while (h < end) {
        nlen = *h++;

        if (nlen == 0 || (size_t) (end - h) < nlen + 1) {
            return NGX_ERROR;
        }

        name.data = h;
        name.len = nlen;
        h += nlen;
        type = *h++;

        /* the value's size by its type */
        switch (type) {

        case 0:     /* true */
        case 1:     /* false */
            vlen = 0;
            break;

        case 2:     /* byte */
            vlen = 1;
            break;

        case 3:     /* short */
            vlen = 2;
            break;

        case 4:     /* integer */
            vlen = 4;
            break;

        case 5:     /* long */
        case 8:     /* timestamp */
            vlen = 8;
            break;

        case 9:     /* uuid */
            vlen = 16;
            break;

        case 6:     /* bytes */
        case 7:     /* string */
            if (end - h < 2) {
                return NGX_ERROR;
            }

            vlen = (size_t) h[0] << 8 | h[1];
            h += 2;
            break;

        default:
            return NGX_ERROR;
        }

        if ((size_t) (end - h) < vlen) {
            return NGX_ERROR;
        }

        slot = NULL;

        if (type == 7) {
            if (name.len == 11
                && ngx_strncmp(name.data, ":event-type", 11) == 0)
            {
                slot = &f->event_type;

            } else if (name.len == 13
                       && ngx_strncmp(name.data, ":message-type", 13) == 0)
            {
                slot = &f->message_type;

            } else if ((name.len == 15
                        && ngx_strncmp(name.data, ":exception-type", 15)
                           == 0)
                       || (name.len == 11
                           && ngx_strncmp(name.data, ":error-code", 11)
                              == 0))
            {
                slot = &f->exception_type;
            }
        }

        if (slot) {
            slot->data = h;
            slot->len = vlen;
        }

        h += vlen;
    }

    return NGX_OK;
}
