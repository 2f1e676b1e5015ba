
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_anthropic.h"
#include "ngx_http_llm_anthropic_surface.h"
#include "ngx_http_llm_bedrock.h"
#include "ngx_http_llm_gemini.h"
#include "ngx_http_llm_gemini_surface.h"
#include "ngx_http_llm_openai_canon.h"
#include "ngx_http_llm_relay.h"
#include "ngx_http_llm_rewrite.h"
#include "json_mutate.h"


/*
 * Any bytes as a client's request (OpenAI's, Anthropic's, Gemini's), as
 * each provider's response or error (Bedrock's Converse included), and
 * as each provider's stream into each other surface's: every
 * translator must refuse or translate, never crash, overflow or leak.
 * The token-copying rewrites must agree with the canonical path whenever
 * they accept an input (a crash otherwise).  The mutator (json_mutate.h)
 * changes the inputs' JSON structure, a line's when there are many.
 */


static void fuzz_print(cJSON *out);
static void fuzz_agree(cJSON *slow, u_char *fast, size_t len);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                             *s, *nl;
    size_t                            n;
    u_char                            buf[4096], *o, *rest;
    cJSON                            *doc, *canon, *out;
    static u_char                     big[65536];
    const char                       *msg, *code;
    ngx_http_llm_tr_err_t             err;
    ngx_http_llm_messages_t           os, gms;
    ngx_http_llm_chunks_t             as, gs;
    ngx_http_llm_gchunks_t            og, ags;
    ngx_http_llm_relay_t              ag, gm;
    ngx_http_llm_stream_usage_t       u, gu;
    static u_char                     mid[4096];
    ngx_http_llm_json_value_t         jdoc;

    /* the bytes as streams' events, one per line, into a small buffer */
    ngx_memzero(&as, sizeof(as));
    ngx_memzero(&os, sizeof(os));
    ngx_memzero(&gs, sizeof(gs));
    ngx_memzero(&gm, sizeof(gm));
    ngx_memzero(&gms, sizeof(gms));
    ngx_memzero(&ags, sizeof(ags));
    ngx_memzero(&u, sizeof(u));
    ngx_memzero(&gu, sizeof(gu));
    ngx_memzero(&og, sizeof(og));
    ngx_memzero(&ag, sizeof(ag));
    ag.reader = &ngx_http_llm_anthropic_dialect;
    ag.writer = &ngx_http_llm_gemini_surface;
    ag.w = &ags;
    ag.a.include_usage = 1;
    gm.reader = &ngx_http_llm_gemini_dialect;
    gm.writer = &ngx_http_llm_anthropic_surface;
    gm.w = &gms;
    gm.a.include_usage = 1;
    as.include_usage = 1;

    for (s = (char *) data; s < (char *) data + size; s++) {
        nl = memchr(s, '\n', (char *) data + size - s);
        n = nl ? (size_t) (nl - s) : (size_t) ((char *) data + size - s);

        o = buf;
        (void) ngx_http_llm_anthropic_stream_event(&as, (u_char *) s, n, &o,
                                                   buf + sizeof(buf));
        o = buf;
        (void) ngx_http_llm_messages_write(&os, &os.usage, 0, (u_char *) s, n,
                                           &o, buf + sizeof(buf));
        o = buf;
        (void) ngx_http_llm_gemini_stream_event(&gs, (u_char *) s, n, &o,
                                                buf + sizeof(buf));
        o = buf;
        (void) ngx_http_llm_relay_event(&gm, (u_char *) s, n, mid,
                                        mid + sizeof(mid), &o,
                                        buf + sizeof(buf));
        o = buf;
        (void) ngx_http_llm_gchunks_write(&og, &og.usage, 0, (u_char *) s, n,
                                          &o, buf + sizeof(buf));
        o = buf;
        (void) ngx_http_llm_relay_event(&ag, (u_char *) s, n, mid,
                                        mid + sizeof(mid), &o,
                                        buf + sizeof(buf));
        (void) ngx_http_llm_anthropic_stream_observe(&u, (u_char *) s, n);
        (void) ngx_http_llm_gemini_observe(&gu, (u_char *) s, n);
        s += n;
    }

    o = buf;
    (void) ngx_http_llm_relay_end(&ag, mid, mid + sizeof(mid), &o,
                                  buf + sizeof(buf));
    ngx_http_llm_gchunks_free(&og);
    ngx_http_llm_gchunks_free(&ags);

    o = buf;
    (void) ngx_http_llm_openai_chunk_body_end(&gs, &o, buf + sizeof(buf));
    o = buf;
    (void) ngx_http_llm_relay_end(&gm, mid, mid + sizeof(mid), &o,
                                  buf + sizeof(buf));
    (void) ngx_http_llm_anthropic_usage(&u, (u_char *) data, size);

    doc = cJSON_ParseWithLength((const char *) data, size);
    if (doc == NULL) {
        return 0;
    }

    o = big;

    /* the gateway gives the rewrite a validated document */
    if (ngx_http_llm_json_document((u_char *) data, (u_char *) data + size,
                                   &jdoc)
        == NGX_OK
        && ngx_http_llm_rewrite_openai_request((u_char *) data, size, 1024,
                                               &o, big + sizeof(big), &rest)
           == NGX_OK)
    {
        ngx_memzero(&err, sizeof(err));
        canon = ngx_http_llm_openai_request_to_canon(doc, NULL, 0, &err);
        out = canon ? ngx_http_llm_canon_to_anthropic_request(canon, 1024,
                                                              &err)
                    : NULL;
        fuzz_agree(out, big, o - big);
        cJSON_Delete(out);
        cJSON_Delete(canon);
    }

    o = big;

    if (ngx_http_llm_rewrite_anthropic_response((u_char *) data, size, 1, &u,
                                                &o, big + sizeof(big))
        == NGX_OK)
    {
        ngx_memzero(&err, sizeof(err));
        canon = ngx_http_llm_anthropic_response_to_canon(doc, &err);
        out = canon ? ngx_http_llm_canon_to_openai_response(canon, 1, NULL)
                    : NULL;
        fuzz_agree(out, big, o - big);
        cJSON_Delete(out);
        cJSON_Delete(canon);
    }

    ngx_memzero(&err, sizeof(err));
    canon = ngx_http_llm_openai_request_to_canon(doc, NULL, 0, &err);

    if (canon) {
        fuzz_print(ngx_http_llm_canon_to_anthropic_request(canon, 1024,
                                                           &err));
        fuzz_print(ngx_http_llm_canon_to_openai_request(canon, 0, &err));
        fuzz_print(ngx_http_llm_canon_to_gemini_request(canon, 0, &err));
        fuzz_print(ngx_http_llm_canon_to_bedrock_request(canon, 1024,
                                                         &err));
        cJSON_Delete(canon);
    }

    ngx_memzero(&err, sizeof(err));
    canon = ngx_http_llm_anthropic_request_to_canon(doc, NULL, 0, &err);

    if (canon) {
        fuzz_print(ngx_http_llm_canon_to_openai_request(canon, 0, &err));
        fuzz_print(ngx_http_llm_canon_to_anthropic_request(canon, 1024,
                                                           &err));
        fuzz_print(ngx_http_llm_canon_to_gemini_request(canon, 0, &err));
        fuzz_print(ngx_http_llm_canon_to_bedrock_request(canon, 1024,
                                                         &err));
        cJSON_Delete(canon);
    }

    ngx_memzero(&err, sizeof(err));
    canon = ngx_http_llm_gemini_request_to_canon(doc, "m", 1, &err);

    if (canon) {
        fuzz_print(ngx_http_llm_canon_to_openai_request(canon, 0, &err));
        fuzz_print(ngx_http_llm_canon_to_anthropic_request(canon, 1024,
                                                           &err));
        fuzz_print(ngx_http_llm_canon_to_gemini_request(canon, 0, &err));
        fuzz_print(ngx_http_llm_canon_to_bedrock_request(canon, 1024,
                                                         &err));
        cJSON_Delete(canon);
    }

    ngx_memzero(&err, sizeof(err));
    canon = ngx_http_llm_gemini_response_to_canon(doc, &err);

    if (canon) {
        fuzz_print(ngx_http_llm_canon_to_openai_response(canon, 1, NULL));
        fuzz_print(ngx_http_llm_canon_to_anthropic_response(canon, 0, &err));
        fuzz_print(ngx_http_llm_canon_to_gemini_response(canon, 0, &err));
        cJSON_Delete(canon);
    }

    ngx_memzero(&err, sizeof(err));
    canon = ngx_http_llm_anthropic_response_to_canon(doc, &err);

    if (canon) {
        fuzz_print(ngx_http_llm_canon_to_openai_response(canon, 1, NULL));
        fuzz_print(ngx_http_llm_canon_to_anthropic_response(canon, 0, &err));
        fuzz_print(ngx_http_llm_canon_to_gemini_response(canon, 0, &err));
        cJSON_Delete(canon);
    }

    ngx_memzero(&err, sizeof(err));
    canon = ngx_http_llm_openai_response_to_canon(doc, &err);

    if (canon) {
        fuzz_print(ngx_http_llm_canon_to_anthropic_response(canon, 0, &err));
        fuzz_print(ngx_http_llm_canon_to_openai_response(canon, 1, NULL));
        fuzz_print(ngx_http_llm_canon_to_gemini_response(canon, 0, &err));
        cJSON_Delete(canon);
    }

    ngx_memzero(&err, sizeof(err));
    canon = ngx_http_llm_bedrock_response_to_canon(doc, &err);

    if (canon) {
        fuzz_print(ngx_http_llm_canon_to_openai_response(canon, 1, NULL));
        fuzz_print(ngx_http_llm_canon_to_anthropic_response(canon, 0, &err));
        fuzz_print(ngx_http_llm_canon_to_gemini_response(canon, 0, &err));
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


static void
fuzz_agree(cJSON *slow, u_char *fast, size_t len)
{
    char   *s;
    cJSON  *a, *b;

    /* printed and parsed again: raw integers become numbers */
    s = slow ? cJSON_PrintUnformatted(slow) : NULL;
    a = s ? cJSON_Parse(s) : NULL;
    b = cJSON_ParseWithLength((char *) fast, len);

    if (a == NULL || b == NULL || !cJSON_Compare(a, b, 1)) {
        fprintf(stderr, "fast: %.*s\nslow: %s\n", (int) len, fast,
                s ? s : "(refused)");
        abort();
    }

    cJSON_free(s);
    cJSON_Delete(a);
    cJSON_Delete(b);
}
