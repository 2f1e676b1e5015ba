
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_anthropic_surface.h"
#include "ngx_http_llm_bedrock.h"
#include "ngx_http_llm_gemini_surface.h"
#include "ngx_http_llm_openai_canon.h"
#include "ngx_http_llm_relay.h"
#include "ngx_http_llm_aws.h"

/* frames mutated with their CRCs made right again */
#define JSON_MUTATE_EVENTSTREAM  1
#include "json_mutate.h"


/*
 * Any bytes as an AWS event stream (Bedrock's ConverseStream): framed by
 * their own lengths, each frame read with its CRCs checked and turned
 * into chunks, Messages events and Gemini chunks (the relays); and any
 * bytes as a Converse answer and as a request rendered for Converse.
 * Never a crash, an overflow or a leak.
 */


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                    buf[4096], *o, *p, *end;
    size_t                    n;
    cJSON                    *doc, *canon, *out;
    char                     *s;
    static u_char             mid[8192];
    ngx_http_llm_tr_err_t     err;
    ngx_http_llm_chunks_t     cs;
    ngx_http_llm_relay_t      rm, rg;
    ngx_http_llm_messages_t   ms;
    ngx_http_llm_gchunks_t    gs;
    ngx_http_llm_es_frame_t   f;

    ngx_memzero(&cs, sizeof(cs));
    ngx_memzero(&rm, sizeof(rm));
    ngx_memzero(&rg, sizeof(rg));
    cs.include_usage = 1;
    ngx_memzero(&ms, sizeof(ms));
    ngx_memzero(&gs, sizeof(gs));
    rm.reader = &ngx_http_llm_bedrock_dialect;
    rm.writer = &ngx_http_llm_anthropic_surface;
    rm.w = &ms;
    rm.a.include_usage = 1;
    rg.reader = &ngx_http_llm_bedrock_dialect;
    rg.writer = &ngx_http_llm_gemini_surface;
    rg.w = &gs;
    rg.a.include_usage = 1;

    p = (u_char *) data;
    end = p + size;

    while (p < end) {
        n = ngx_http_llm_eventstream_size(p, end - p);

        /* as the response filter frames them */
        n = (n < NGX_HTTP_LLM_ES_MIN || n > (size_t) (end - p))
            ? (size_t) (end - p) : n;

        (void) ngx_http_llm_eventstream_frame(p, n, &f);

        o = buf;
        (void) ngx_http_llm_bedrock_stream_event(&cs, p, n, &o,
                                                 buf + sizeof(buf));
        o = buf;
        (void) ngx_http_llm_relay_event(&rm, p, n, mid, mid + sizeof(mid),
                                        &o, buf + sizeof(buf));
        o = buf;
        (void) ngx_http_llm_relay_event(&rg, p, n, mid, mid + sizeof(mid),
                                        &o, buf + sizeof(buf));
        p += n;
    }

    o = buf;
    (void) ngx_http_llm_openai_chunk_body_end(&cs, &o, buf + sizeof(buf));
    o = buf;
    (void) ngx_http_llm_relay_end(&rm, mid, mid + sizeof(mid), &o,
                                  buf + sizeof(buf));
    o = buf;
    (void) ngx_http_llm_relay_end(&rg, mid, mid + sizeof(mid), &o,
                                  buf + sizeof(buf));
    ngx_http_llm_gchunks_free(&gs);

    doc = cJSON_ParseWithLength((const char *) data, size);
    if (doc == NULL) {
        return 0;
    }

    ngx_memzero(&err, sizeof(err));
    canon = ngx_http_llm_bedrock_response_to_canon(doc, &err);
    cJSON_Delete(canon);

    ngx_memzero(&err, sizeof(err));
    canon = ngx_http_llm_openai_request_to_canon(doc, NULL, 0, &err);

    if (canon) {
        out = ngx_http_llm_canon_to_bedrock_request(canon, 1024, &err);
        s = out ? cJSON_PrintUnformatted(out) : NULL;
        cJSON_free(s);
        cJSON_Delete(out);
        cJSON_Delete(canon);
    }

    cJSON_Delete(doc);

    return 0;
}
