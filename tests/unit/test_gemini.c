
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_anthropic_surface.h"
#include "ngx_http_llm_gemini.h"
#include "ngx_http_llm_openai_canon.h"
#include "ngx_http_llm_relay.h"
#include "unit.h"


/* OpenAI request -> canonical -> Gemini request, printed compactly */

static char *
to_gemini(const char *in, ngx_http_llm_tr_err_t *e)
{
    char   *s;
    cJSON  *req, *canon, *out;

    ngx_memzero(e, sizeof(ngx_http_llm_tr_err_t));
    s = NULL;
    out = NULL;

    req = cJSON_Parse(in);
    canon = ngx_http_llm_openai_request_to_canon(req, NULL, 0, e);

    if (canon) {
        out = ngx_http_llm_canon_to_gemini_request(canon, 0, e);
    }

    if (out) {
        s = cJSON_PrintUnformatted(out);
    }

    cJSON_Delete(req);
    cJSON_Delete(canon);
    cJSON_Delete(out);

    return s;
}


/* Gemini response -> canonical -> OpenAI response */

static char *
to_openai(const char *in, ngx_http_llm_tr_err_t *e)
{
    char   *s;
    cJSON  *resp, *canon, *out;

    ngx_memzero(e, sizeof(ngx_http_llm_tr_err_t));
    s = NULL;
    out = NULL;

    resp = cJSON_Parse(in);
    canon = ngx_http_llm_gemini_response_to_canon(resp, e);

    if (canon) {
        out = ngx_http_llm_canon_to_openai_response(canon, 1, NULL);
    }

    if (out) {
        s = cJSON_PrintUnformatted(out);
    }

    cJSON_Delete(resp);
    cJSON_Delete(canon);
    cJSON_Delete(out);

    return s;
}



int
main(void)
{
    u_char                  buf[2048], *o;
    ngx_int_t               rc;
    const char             *in;
    ngx_http_llm_tr_err_t   e;
    ngx_http_llm_chunks_t   st;

    /* a named tool choice; an error result; the user is left out */
    CHECK(unit_same(to_gemini(
        "{\"model\":\"g\",\"user\":\"u\",\"tool_choice\":{\"type\":"
        "\"function\",\"function\":{\"name\":\"f\"}},\"tools\":[{\"type\":"
        "\"function\",\"function\":{\"name\":\"f\"}}],\"messages\":["
        "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":"
        "\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
        "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"boom\"}]}",
        &e),
        "{\"contents\":[{\"role\":\"model\",\"parts\":[{\"functionCall\":"
        "{\"name\":\"f\",\"args\":{}}}]},{\"role\":\"user\",\"parts\":"
        "[{\"functionResponse\":{\"response\":{\"content\":\"boom\"},"
        "\"name\":\"f\"}}]}],\"tools\":[{\"functionDeclarations\":[{\"name\":"
        "\"f\",\"parametersJsonSchema\":{\"type\":\"object\",\"properties\":"
        "{}}}]}],\"toolConfig\":{\"functionCallingConfig\":"
        "{\"allowedFunctionNames\":[\"f\"],\"mode\":\"ANY\"}}}"));
    CHECK(strcmp(e.dropped, "user") == 0);

    /*
     * Gemini 3's thought signatures: kept in the call's id by the reader
     * ('+' '/' as '-' '_', no padding), given back as thoughtSignature
     */
    CHECK(unit_same(to_openai("{\"candidates\":[{\"content\":{\"parts\":"
                         "[{\"functionCall\":{\"name\":\"f\",\"args\":{}},"
                         "\"thoughtSignature\":\"Ab+/9z==\"},{\"functionCall\":"
                         "{\"name\":\"g\",\"args\":{}}}]},\"finishReason\":"
                         "\"STOP\"}]}", &e),
               "{\"id\":\"chatcmpl-llm\",\"object\":\"chat.completion\","
               "\"created\":1,\"choices\":[{\"index\":0,\"message\":"
               "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
               "[{\"id\":\"call_0_ts_Ab-_9z\",\"type\":\"function\","
               "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}},"
               "{\"id\":\"call_1\",\"type\":\"function\",\"function\":"
               "{\"name\":\"g\",\"arguments\":\"{}\"}}]},"
               "\"finish_reason\":\"tool_calls\"}]}"));
    CHECK(unit_same(to_gemini(
        "{\"model\":\"gemini-3-pro-preview\",\"messages\":["
        "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"call_0_ts_Ab-_9z\","
        "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":"
        "\"{}\"}},{\"id\":\"call_1\",\"type\":\"function\",\"function\":"
        "{\"name\":\"g\",\"arguments\":\"{}\"}}]}]}", &e),
        "{\"contents\":[{\"role\":\"model\",\"parts\":[{\"functionCall\":"
        "{\"name\":\"f\",\"args\":{}},\"thoughtSignature\":\"Ab+/9z==\"},"
        "{\"functionCall\":{\"name\":\"g\",\"args\":{}}}]}]}"));

    /* Gemini 3 history without a signature: the first call gets Google's
     * validator-skipping value; other models get none */
    CHECK(unit_same(to_gemini(
        "{\"model\":\"vx/gemini-3-flash\",\"messages\":["
        "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"a\","
        "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":"
        "\"{}\"}},{\"id\":\"b\",\"type\":\"function\",\"function\":"
        "{\"name\":\"g\",\"arguments\":\"{}\"}}]}]}", &e),
        "{\"contents\":[{\"role\":\"model\",\"parts\":[{\"functionCall\":"
        "{\"name\":\"f\",\"args\":{}},\"thoughtSignature\":"
        "\"skip_thought_signature_validator\"},"
        "{\"functionCall\":{\"name\":\"g\",\"args\":{}}}]}]}"));
    CHECK(unit_same(to_gemini(
        "{\"model\":\"gemini-2.5-flash\",\"messages\":["
        "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"a\","
        "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":"
        "\"{}\"}}]}]}", &e),
        "{\"contents\":[{\"role\":\"model\",\"parts\":[{\"functionCall\":"
        "{\"name\":\"f\",\"args\":{}}}]}]}"));

    /* a signature that is not base64 is not kept */
    CHECK(unit_same(to_openai("{\"candidates\":[{\"content\":{\"parts\":"
                         "[{\"functionCall\":{\"name\":\"f\"},"
                         "\"thoughtSignature\":\"a\\\"b\"}]}}]}", &e),
               "{\"id\":\"chatcmpl-llm\",\"object\":\"chat.completion\","
               "\"created\":1,\"choices\":[{\"index\":0,\"message\":"
               "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
               "[{\"id\":\"call_0\",\"type\":\"function\","
               "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
               "\"finish_reason\":\"tool_calls\"}]}"));

    /* arguments that are not an object, no message at all */
    CHECK(to_gemini("{\"model\":\"g\",\"messages\":[{\"role\":\"assistant\","
                    "\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\","
                    "\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}}]}]}",
                    &e) == NULL
          && strcmp(e.msg, "the arguments of tool call \"c\" are not a JSON "
                    "object") == 0);
    CHECK(to_gemini("{\"model\":\"g\",\"messages\":[{\"role\":\"system\","
                    "\"content\":\"s\"}]}", &e) == NULL
          && strcmp(e.msg, "at least one user or assistant message is "
                    "needed") == 0);

    /* a blocked prompt: no candidates, a refusal */
    CHECK(unit_same(
        to_openai("{\"promptFeedback\":{\"blockReason\":\"SAFETY\"},"
                         "\"usageMetadata\":{\"promptTokenCount\":4}}", &e),
               "{\"id\":\"chatcmpl-llm\",\"object\":\"chat.completion\","
               "\"created\":1,\"choices\":[{\"index\":0,\"message\":"
               "{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":"
               "\"content_filter\"}],\"usage\":{\"prompt_tokens\":4,"
               "\"completion_tokens\":0,\"total_tokens\":4,"
               "\"prompt_tokens_details\":{\"cached_tokens\":0}}}"));
    CHECK(to_openai("{\"candidates\":[{\"content\":{\"parts\":"
                    "[{\"functionCall\":{\"args\":{}}}]}}]}", &e) == NULL
          && strcmp(e.msg, "a functionCall needs a name and args as an "
                    "object") == 0);
    CHECK(to_openai("[]", &e) == NULL
          && strcmp(e.msg, "not a GenerateContentResponse") == 0);

    /* streams: no end before a start; the usage counts thoughts */
    ngx_memzero(&st, sizeof(st));
    o = buf;
    CHECK(ngx_http_llm_openai_chunk_body_end(&st, &o, buf + sizeof(buf))
          == NGX_ERROR);

    in = "{\"candidates\":[],\"usageMetadata\":{\"promptTokenCount\":10,"
         "\"cachedContentTokenCount\":4,\"candidatesTokenCount\":3,"
         "\"thoughtsTokenCount\":2}}";
    o = buf;
    rc = ngx_http_llm_gemini_stream_event(&st, (u_char *) in, strlen(in), &o,
                                          buf + sizeof(buf));
    CHECK(rc == NGX_OK && st.usage.input == 6 && st.usage.cache_read == 4
          && st.usage.output == 5 && st.usage.seen);

    /* a streamed call keeps its signature in its id too */
    in = "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":"
         "{\"name\":\"f\",\"args\":{\"q\":1}},\"thoughtSignature\":"
         "\"x/y+\"}]}}]}";
    o = buf;
    rc = ngx_http_llm_gemini_stream_event(&st, (u_char *) in, strlen(in), &o,
                                          buf + sizeof(buf));
    *o = '\0';
    CHECK(rc == NGX_OK
          && strstr((char *) buf, "\"id\":\"call_0_ts_x_y-\",\"type\":"
                    "\"function\",\"function\":{\"name\":\"f\","
                    "\"arguments\":\"{\\\"q\\\":1}\"}") != NULL);

    o = buf;
    CHECK(ngx_http_llm_gemini_stream_event(&st, (u_char *) "{\"error\":{}}",
                                           12, &o, buf + sizeof(buf))
          == NGX_DECLINED);
    CHECK(ngx_http_llm_gemini_stream_event(&st, (u_char *) "nope", 4, &o,
                                           buf + sizeof(buf))
          == NGX_ERROR);

    /* the same stream as Messages events, through the relay: an end only
     * after a start */
    {
        u_char                   mid[8192];
        ngx_http_llm_relay_t     rs;
        ngx_http_llm_messages_t  ms;

        ngx_memzero(&ms, sizeof(ms));
        ngx_memzero(&rs, sizeof(rs));
        rs.reader = &ngx_http_llm_gemini_dialect;
        rs.writer = &ngx_http_llm_anthropic_surface;
        rs.w = &ms;
        rs.a.include_usage = 1;

        o = buf;
        CHECK(ngx_http_llm_relay_end(&rs, mid, mid + sizeof(mid), &o,
                                     buf + sizeof(buf))
              == NGX_ERROR);

        in = "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":"
             "{\"name\":\"f\"}}]},\"finishReason\":\"MAX_TOKENS\"}]}";
        o = buf;
        rc = ngx_http_llm_relay_event(&rs, (u_char *) in, strlen(in), mid,
                                      mid + sizeof(mid), &o,
                                      buf + sizeof(buf));
        *o = '\0';
        CHECK(rc == NGX_OK && strcmp(ms.stop, "tool_calls") == 0
              && strstr((char *) buf, "\"type\":\"tool_use\",\"id\":"
                        "\"call_0\",\"name\":\"f\"") != NULL);

        in = "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":"
             "{\"name\":\"g\"},\"thoughtSignature\":\"Zz==\"}]}}]}";
        o = buf;
        rc = ngx_http_llm_relay_event(&rs, (u_char *) in, strlen(in), mid,
                                      mid + sizeof(mid), &o,
                                      buf + sizeof(buf));
        *o = '\0';
        CHECK(rc == NGX_OK
              && strstr((char *) buf, "\"type\":\"tool_use\",\"id\":"
                        "\"call_1_ts_Zz\",\"name\":\"g\"") != NULL);

        o = buf;
        CHECK(ngx_http_llm_relay_end(&rs, mid, mid + sizeof(mid), &o,
                                     buf + sizeof(buf))
              == NGX_DONE);
        *o = '\0';
        CHECK(strstr((char *) buf, "\"stop_reason\":\"tool_use\"") != NULL);

        o = buf;
        CHECK(ngx_http_llm_relay_event(&rs, (u_char *) in, 20, mid,
                                       mid + sizeof(mid), &o,
                                       buf + sizeof(buf))
              == NGX_ERROR);
    }

    UNIT_DONE("gemini");
}
