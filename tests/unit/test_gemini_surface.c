
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_anthropic.h"
#include "ngx_http_llm_gemini.h"
#include "ngx_http_llm_gemini_surface.h"
#include "ngx_http_llm_openai_canon.h"
#include "ngx_http_llm_relay.h"
#include "unit.h"


/* Gemini request -> canonical -> OpenAI request, printed compactly */

static char *
to_openai(const char *in, ngx_uint_t stream, ngx_http_llm_tr_err_t *e)
{
    char   *s;
    cJSON  *req, *canon, *out;

    ngx_memzero(e, sizeof(ngx_http_llm_tr_err_t));
    s = NULL;
    out = NULL;

    req = cJSON_Parse(in);
    canon = ngx_http_llm_gemini_request_to_canon(req, "m", stream, e);

    if (canon) {
        out = ngx_http_llm_canon_to_openai_request(canon, 0, e);
    }

    if (out) {
        s = cJSON_PrintUnformatted(out);
    }

    cJSON_Delete(req);
    cJSON_Delete(canon);
    cJSON_Delete(out);

    return s;
}


/* OpenAI response -> canonical -> Gemini response */

static char *
to_gemini(const char *in, ngx_http_llm_tr_err_t *e)
{
    char   *s;
    cJSON  *resp, *canon, *out;

    ngx_memzero(e, sizeof(ngx_http_llm_tr_err_t));
    s = NULL;
    out = NULL;

    resp = cJSON_Parse(in);
    canon = ngx_http_llm_openai_response_to_canon(resp, e);

    if (canon) {
        out = ngx_http_llm_canon_to_gemini_response(canon, 0, e);
    }

    if (out) {
        s = cJSON_PrintUnformatted(out);
    }

    cJSON_Delete(resp);
    cJSON_Delete(canon);
    cJSON_Delete(out);

    return s;
}



/* one chunk's data through the OpenAI -> Gemini stream writer */

static ngx_int_t
feed(ngx_http_llm_gchunks_t *st, const char *data, u_char *buf, size_t size,
    ngx_str_t *out)
{
    u_char     *p;
    ngx_int_t   rc;

    p = buf;
    rc = ngx_http_llm_gchunks_write(st, &st->usage, 0, (u_char *) data,
                                    strlen(data), &p, buf + size);
    out->data = buf;
    out->len = p - buf;

    return rc;
}


static int
out_is(ngx_str_t *out, const char *want)
{
    int  ok;

    ok = (out->len == strlen(want)
          && ngx_strncmp(out->data, want, out->len) == 0);

    if (!ok) {
        fprintf(stderr, "  got:  %.*s\n  want: %s\n", (int) out->len,
                out->data, want);
    }

    return ok;
}


int
main(void)
{
    u_char                        buf[8192], mid[8192], *p;
    ngx_str_t                     out;
    ngx_http_llm_relay_t          rs;
    ngx_http_llm_tr_err_t         e;
    ngx_http_llm_gchunks_t        st;
    ngx_http_llm_stream_usage_t   u;

/* a string literal and its length */
#define S(s)  (u_char *) s, sizeof(s) - 1

#define H  "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1," \
           "\"model\":\"m\",\"choices\":"

    /* requests */

    CHECK(unit_same(
        to_openai("{\"contents\":[{\"parts\":[{\"text\":\"Hi\"}]}]}",
                         1, &e),
               "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
               "\"content\":\"Hi\"}],\"stream\":true,\"stream_options\":"
               "{\"include_usage\":true}}"));

    /* nested OpenAPI types lower-cased, arrays' items too */
    CHECK(unit_same(to_openai("{\"contents\":[{\"parts\":[{\"text\":\"x\"}]}],"
                         "\"tools\":[{\"functionDeclarations\":[{\"name\":"
                         "\"f\",\"parameters\":{\"type\":\"OBJECT\","
                         "\"properties\":{\"l\":{\"type\":\"ARRAY\","
                         "\"items\":{\"type\":\"INTEGER\"}}}}}]}]}", 0, &e),
               "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
               "\"content\":\"x\"}],\"tools\":[{\"type\":\"function\","
               "\"function\":{\"name\":\"f\",\"parameters\":{\"type\":"
               "\"object\",\"properties\":{\"l\":{\"type\":\"array\","
               "\"items\":{\"type\":\"integer\"}}}}}}]}"));

    /* two calls of one name: the responses answer them in order */
    CHECK(unit_same(to_openai("{\"contents\":[{\"role\":\"model\",\"parts\":["
                         "{\"functionCall\":{\"name\":\"f\",\"args\":"
                         "{\"a\":1}}},{\"functionCall\":{\"name\":\"f\"}}]},"
                         "{\"role\":\"user\",\"parts\":[{\"functionResponse\":"
                         "{\"name\":\"f\",\"response\":{\"n\":1,\"m\":2}}},"
                         "{\"functionResponse\":{\"name\":\"f\",\"response\":"
                         "{\"content\":\"two\"}}}]}]}", 0, &e),
               "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\","
               "\"tool_calls\":[{\"id\":\"call_0\",\"type\":\"function\","
               "\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}},"
               "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{"
               "\"name\":\"f\",\"arguments\":\"{}\"}}],\"content\":null},"
               "{\"role\":\"tool\",\"tool_call_id\":\"call_0\",\"content\":"
               "\"{\\\"n\\\":1,\\\"m\\\":2}\"},{\"role\":\"tool\","
               "\"tool_call_id\":\"call_1\",\"content\":\"two\"}]}"));

    /* a third response of that name answers nothing */
    CHECK(to_openai("{\"contents\":[{\"role\":\"model\",\"parts\":["
                    "{\"functionCall\":{\"name\":\"f\"}}]},{\"parts\":["
                    "{\"functionResponse\":{\"name\":\"f\",\"response\":{}}},"
                    "{\"functionResponse\":{\"name\":\"f\",\"response\":{}}}"
                    "]}]}", 0, &e) == NULL);
    CHECK(strstr(e.msg, "answers no functionCall") != NULL);

    /* NONE, thoughts and unknown fields dropped and named */
    CHECK(unit_same(to_openai("{\"contents\":[{\"parts\":[{\"text\":\"t\","
                         "\"thought\":true},{\"text\":\"x\"}]}],"
                         "\"toolConfig\":{\"functionCallingConfig\":{\"mode\":"
                         "\"NONE\"}},\"labels\":{\"a\":\"b\"}}", 0, &e),
               "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
               "\"content\":\"x\"}],\"tool_choice\":\"none\"}"));
    CHECK(strstr(e.dropped, "thought") != NULL);
    CHECK(strstr(e.dropped, "labels") != NULL);

    /* wrong types */
    CHECK(to_openai("[]", 0, &e) == NULL);
    CHECK(to_openai("{\"contents\":[{\"parts\":{}}]}", 0, &e) == NULL);
    CHECK(strcmp(e.msg, "Invalid type for \"contents[0].parts\": "
                 "expected an array, but got an object instead") == 0);
    CHECK(e.code && strcmp(e.code, "invalid_type") == 0
          && strcmp(e.path, "contents[0].parts") == 0);
    CHECK(to_openai("{\"contents\":[{\"parts\":[{\"functionCall\":"
                    "{\"name\":\"f\"}}]}]}", 0, &e) == NULL);
    CHECK(to_openai("{\"contents\":[{\"role\":\"model\",\"parts\":["
                    "{\"functionCall\":{\"name\":\"f\",\"args\":[]}}]}]}",
                    0, &e) == NULL);
    CHECK(to_openai("{\"contents\":[],\"generationConfig\":"
                    "{\"responseMimeType\":\"application/json\"}}", 0, &e)
          == NULL);
    CHECK(to_openai("{\"contents\":[],\"toolConfig\":{"
                    "\"functionCallingConfig\":{\"mode\":\"SOME\"}}}", 0, &e)
          == NULL);

    /* responses */

    CHECK(unit_same(to_gemini("{\"id\":\"r\",\"model\":\"m\",\"choices\":[{"
                         "\"message\":{\"content\":\"\"},\"finish_reason\":"
                         "\"content_filter\"}],\"usage\":{\"prompt_tokens\":1,"
                         "\"completion_tokens\":0}}", &e),
               "{\"candidates\":[{\"content\":{\"parts\":[],"
               "\"role\":\"model\"},\"finishReason\":\"SAFETY\","
               "\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":1,"
               "\"candidatesTokenCount\":0,\"totalTokenCount\":1},"
               "\"modelVersion\":\"m\",\"responseId\":\"r\"}"));

    /* arguments that are not an object cannot be a functionCall */
    CHECK(to_gemini("{\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":"
                    "\"c\",\"type\":\"function\",\"function\":{\"name\":"
                    "\"f\",\"arguments\":\"[1]\"}}]},\"finish_reason\":"
                    "\"tool_calls\"}]}", &e) == NULL);

    /* streams */

    ngx_memzero(&st, sizeof(st));

    /* [DONE] with nothing before it is not a stream */
    CHECK(feed(&st, "[DONE]", buf, sizeof(buf), &out) == NGX_ERROR);

    CHECK(feed(&st, H "[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}",
               buf, sizeof(buf), &out) == NGX_OK);
    CHECK(out.len == 0);

    /* arguments for a call that never began */
    CHECK(feed(&st, H "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":3,"
               "\"function\":{\"arguments\":\"{}\"}}]}}]}", buf, sizeof(buf),
               &out) == NGX_ERROR);

    CHECK(feed(&st, H "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
               "\"id\":\"c1\",\"function\":{\"name\":\"f\",\"arguments\":"
               "\"[1,\"}}]}}]}", buf, sizeof(buf), &out) == NGX_OK);

    /* the arguments closed as an array, not an object */
    CHECK(feed(&st, H "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
               "\"function\":{\"arguments\":\"2]\"}}]},\"finish_reason\":"
               "\"tool_calls\"}]}", buf, sizeof(buf), &out) == NGX_ERROR);

    ngx_http_llm_gchunks_free(&st);
    CHECK(st.calls == NULL);

    /* no room: an error, never a partial chunk taken as whole */
    ngx_memzero(&st, sizeof(st));
    CHECK(feed(&st, H "[{\"index\":0,\"delta\":{\"content\":\"hello\"}}]}",
               buf, 40, &out) == NGX_ERROR);

    /* a length finish, and usage with cached tokens */
    ngx_memzero(&st, sizeof(st));
    CHECK(feed(&st, H "[{\"index\":0,\"delta\":{},\"finish_reason\":"
               "\"length\"}]}", buf, sizeof(buf), &out) == NGX_OK);
    CHECK(feed(&st, H "[],\"usage\":{\"prompt_tokens\":10,"
               "\"completion_tokens\":2,\"prompt_tokens_details\":{"
               "\"cached_tokens\":4}}}", buf, sizeof(buf), &out) == NGX_OK);
    CHECK(feed(&st, "[DONE]", buf, sizeof(buf), &out) == NGX_DONE);
    CHECK(out_is(&out, "data: {\"candidates\":[{\"content\":{\"parts\":["
                 "{\"text\":\"\"}],\"role\":\"model\"},\"finishReason\":"
                 "\"MAX_TOKENS\",\"index\":0}],\"usageMetadata\":{"
                 "\"promptTokenCount\":10,\"candidatesTokenCount\":2,"
                 "\"totalTokenCount\":12,\"cachedContentTokenCount\":4},"
                 "\"modelVersion\":\"m\",\"responseId\":\"c\"}\r\n\r\n"));
    CHECK(st.usage.input == 6 && st.usage.cache_read == 4 && st.usage.seen);
    ngx_http_llm_gchunks_free(&st);

    /* a Messages stream relayed: an error event ends it in Google's shape */
    ngx_memzero(&rs, sizeof(rs));
    ngx_memzero(&st, sizeof(st));
    rs.reader = &ngx_http_llm_anthropic_dialect;
    rs.writer = &ngx_http_llm_gemini_surface;
    rs.w = &st;
    rs.a.include_usage = 1;
    p = buf;
    CHECK(ngx_http_llm_relay_event(&rs,
              S("{\"type\":\"message_start\",\"message\":{\"id\":"
                "\"msg\",\"model\":\"c\",\"usage\":{\"input_tokens\":3}}}"),
              mid, mid + sizeof(mid), &p, buf + sizeof(buf)) == NGX_OK);
    CHECK(p == buf);
    CHECK(ngx_http_llm_relay_event(&rs,
              S("{\"type\":\"error\",\"error\":{\"type\":"
                "\"overloaded_error\",\"message\":\"Overloaded\"}}"),
              mid, mid + sizeof(mid), &p, buf + sizeof(buf))
          == NGX_DECLINED);
    out.data = buf;
    out.len = p - buf;
    CHECK(out_is(&out, "data: {\"error\":{\"code\":502,\"message\":"
                 "\"Overloaded\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n"));
    CHECK(rs.a.usage.input == 3);
    ngx_http_llm_gchunks_free(&st);

    /* a passed-through Gemini stream: usage as it comes, the end */
    ngx_memzero(&u, sizeof(u));
    CHECK(ngx_http_llm_gemini_observe(&u, S("{\"candidates\":[{"
              "\"content\":{\"parts\":[{\"text\":\"abc\"}]}}],"
              "\"usageMetadata\":{\"promptTokenCount\":5}}")) == NGX_OK);
    CHECK(u.input == 5 && u.streamed == 3);
    CHECK(ngx_http_llm_gemini_observe(&u, S("{\"candidates\":[{"
              "\"finishReason\":\"STOP\"}],\"usageMetadata\":{"
              "\"promptTokenCount\":5,\"candidatesTokenCount\":4}}"))
          == NGX_DONE);
    CHECK(u.output == 4 && u.seen);
    CHECK(ngx_http_llm_gemini_observe(&u, S("not json")) == NGX_OK);

    UNIT_DONE("gemini_surface");
}
