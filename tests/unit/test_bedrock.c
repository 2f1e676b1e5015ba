
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <zlib.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_bedrock.h"
#include "ngx_http_llm_openai_canon.h"
#include "ngx_http_llm_aws.h"
#include "unit.h"


/* a string literal and its length */
#define S(s)  (u_char *) s, sizeof(s) - 1


static void
be32(u_char *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}


/* an event stream frame with string headers (name, value pairs) */

static size_t
frame(u_char *buf, const char **headers, const char *payload)
{
    u_char  *p;
    size_t   n, hlen, total;

    p = buf + 12;

    for ( /* void */ ; *headers; headers += 2) {
        n = strlen(headers[0]);
        *p++ = (u_char) n;
        p = ngx_cpymem(p, headers[0], n);
        *p++ = 7;
        n = strlen(headers[1]);
        *p++ = (u_char) (n >> 8);
        *p++ = (u_char) n;
        p = ngx_cpymem(p, headers[1], n);
    }

    hlen = p - (buf + 12);
    p = ngx_cpymem(p, payload, strlen(payload));
    total = p - buf + 4;

    be32(buf, total);
    be32(buf + 4, hlen);
    be32(buf + 8, crc32(0, buf, 8));
    be32(p, crc32(0, buf, total - 4));

    return total;
}


static size_t
event(u_char *buf, const char *type, const char *payload)
{
    const char  *h[] = { ":event-type", type, ":message-type", "event",
                         NULL };

    return frame(buf, h, payload);
}


static char *
to_bedrock(const char *in, ngx_http_llm_tr_err_t *e)
{
    char   *s;
    cJSON  *req, *canon, *out;

    ngx_memzero(e, sizeof(ngx_http_llm_tr_err_t));
    s = NULL;
    out = NULL;

    req = cJSON_Parse(in);
    canon = ngx_http_llm_openai_request_to_canon(req, NULL, 0, e);

    if (canon) {
        out = ngx_http_llm_canon_to_bedrock_request(canon, 1024, e);
    }

    if (out) {
        s = cJSON_PrintUnformatted(out);
    }

    cJSON_Delete(req);
    cJSON_Delete(canon);
    cJSON_Delete(out);

    return s;
}



int
main(void)
{
    u_char                    buf[4096], out[4096], hex[64], *o;
    u_char                    sts[NGX_HTTP_LLM_SIGV4_STS + 16];
    char                     *s;
    size_t                    n;
    cJSON                    *resp, *canon, *oa;
    ngx_str_t                 secret, date, region, service, creq;
    ngx_http_llm_tr_err_t     e;
    ngx_http_llm_chunks_t     st;
    ngx_http_llm_es_frame_t   f;

    /*
     * SigV4: the GET Object example of Amazon S3's documentation
     * ("Signature calculations for the Authorization header").
     */

    ngx_str_set(&secret, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    ngx_str_set(&date, "20130524T000000Z");
    ngx_str_set(&region, "us-east-1");
    ngx_str_set(&service, "s3");
    ngx_str_set(&creq, "GET\n/test.txt\n\n"
                "host:examplebucket.s3.amazonaws.com\n"
                "range:bytes=0-9\n"
                "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae"
                "41e4649b934ca495991b7852b855\n"
                "x-amz-date:20130524T000000Z\n\n"
                "host;range;x-amz-content-sha256;x-amz-date\n"
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
                "7852b855");

    ngx_http_llm_sha256_hex(creq.data, creq.len, hex);
    CHECK(ngx_strncmp(hex, "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48"
                      "bbb2dc43964946972", 64) == 0);

    ngx_http_llm_sigv4_sign(&secret, &date, &region, &service, &creq, sts,
                            hex);
    CHECK(ngx_strncmp(hex, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48"
                      "dd91039c6036bdb41", 64) == 0);

    o = ngx_http_llm_sigv4_escape(out, S("anthropic.claude-v1:0 a/b~"));
    CHECK(o - out == 32
          && ngx_strncmp(out, "anthropic.claude-v1%3A0%20a%2Fb~", 32) == 0);

    /* event stream frames */

    n = event(buf, "messageStart", "{\"role\":\"assistant\"}");
    CHECK(ngx_http_llm_eventstream_size(buf, 3) == 0);
    CHECK(ngx_http_llm_eventstream_size(buf, n) == n);
    CHECK(ngx_http_llm_eventstream_frame(buf, n, &f) == NGX_OK);
    CHECK(f.size == n);
    CHECK(f.event_type.len == 12
          && ngx_strncmp(f.event_type.data, "messageStart", 12) == 0);
    CHECK(f.message_type.len == 5);
    CHECK(f.payload.len == 20 && f.payload.data[0] == '{');

    /* truncated: not yet; a flipped bit in either CRC'd part: refused */
    CHECK(ngx_http_llm_eventstream_frame(buf, 11, &f) == NGX_AGAIN);
    CHECK(ngx_http_llm_eventstream_frame(buf, n - 1, &f) == NGX_AGAIN);

    buf[n - 10] ^= 1;
    CHECK(ngx_http_llm_eventstream_frame(buf, n, &f) == NGX_ERROR);
    buf[n - 10] ^= 1;

    buf[5] ^= 1;
    CHECK(ngx_http_llm_eventstream_frame(buf, n, &f) == NGX_ERROR);
    buf[5] ^= 1;

    /* headers longer than the frame, a bad value type */
    be32(buf + 4, n);
    be32(buf + 8, crc32(0, buf, 8));
    CHECK(ngx_http_llm_eventstream_frame(buf, n, &f) == NGX_ERROR);

    n = event(buf, "x", "{}");
    buf[12 + 1 + 11] = 42;
    be32(buf + n - 4, crc32(0, buf, n - 4));
    CHECK(ngx_http_llm_eventstream_frame(buf, n, &f) == NGX_ERROR);

    /* ConverseStream frames as chunks */

    ngx_memzero(&st, sizeof(st));
    st.include_usage = 1;

    n = event(buf, "contentBlockDelta", "{\"delta\":{\"text\":\"x\"}}");
    o = out;
    CHECK(ngx_http_llm_bedrock_stream_event(&st, buf, n, &o,
                                            out + sizeof(out))
          == NGX_ERROR);

    n = event(buf, "messageStart", "{\"role\":\"assistant\"}");
    o = out;
    CHECK(ngx_http_llm_bedrock_stream_event(&st, buf, n, &o,
                                            out + sizeof(out))
          == NGX_OK);

    /* one frame and part of the next is not a frame */
    o = out;
    CHECK(ngx_http_llm_bedrock_stream_event(&st, buf, n + 1, &o,
                                            out + sizeof(out))
          == NGX_ERROR);

    /* a toolUse delta with no toolUse block open */
    n = event(buf, "contentBlockDelta",
              "{\"delta\":{\"toolUse\":{\"input\":\"{}\"}}}");
    o = out;
    CHECK(ngx_http_llm_bedrock_stream_event(&st, buf, n, &o,
                                            out + sizeof(out))
          == NGX_ERROR);

    n = event(buf, "messageStop", "{\"stopReason\":\"max_tokens\"}");
    o = out;
    CHECK(ngx_http_llm_bedrock_stream_event(&st, buf, n, &o,
                                            out + sizeof(out))
          == NGX_OK);
    *o = '\0';
    CHECK(ngx_strstr(out, "\"finish_reason\":\"length\"") != NULL);

    n = event(buf, "metadata", "{\"usage\":{\"inputTokens\":7,"
              "\"outputTokens\":2,\"cacheWriteInputTokens\":3}}");
    o = out;
    CHECK(ngx_http_llm_bedrock_stream_event(&st, buf, n, &o,
                                            out + sizeof(out))
          == NGX_DONE);
    CHECK(st.usage.input == 7 && st.usage.output == 2
          && st.usage.cache_write == 3 && st.usage.seen);
    *o = '\0';
    CHECK(ngx_strstr(out, "\"prompt_tokens\":10,\"completion_tokens\":2")
          != NULL);
    CHECK(ngx_strstr(out, "data: [DONE]\n\n") != NULL);

    /* an exception frame: an OpenAI error chunk */
    {
        const char  *h[] = { ":exception-type", "modelStreamErrorException",
                             ":message-type", "exception", NULL };

        n = frame(buf, h, "{\"message\":\"boom\"}");
    }

    o = out;
    CHECK(ngx_http_llm_bedrock_stream_event(&st, buf, n, &o,
                                            out + sizeof(out))
          == NGX_DECLINED);
    *o = '\0';
    CHECK(ngx_strstr(out, "{\"error\":{\"message\":\"boom\"") != NULL);

    /* requests */

    /* tool results of one turn join one user turn, after the call */
    CHECK(unit_same(
        to_bedrock("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                          "\"content\":\"x\"},{\"role\":\"assistant\","
                          "\"tool_calls\":[{\"id\":\"a\",\"type\":"
                          "\"function\",\"function\":{\"name\":\"f\","
                          "\"arguments\":\"\"}},{\"id\":\"b\",\"type\":"
                          "\"function\",\"function\":{\"name\":\"f\","
                          "\"arguments\":\"{}\"}}]},{\"role\":\"tool\","
                          "\"tool_call_id\":\"a\",\"content\":\"1\"},"
                          "{\"role\":\"tool\",\"tool_call_id\":\"b\","
                          "\"content\":\"2\"}],\"user\":\"u\"}", &e),
               "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":"
               "\"x\"}]},{\"role\":\"assistant\",\"content\":[{\"toolUse\":"
               "{\"toolUseId\":\"a\",\"name\":\"f\",\"input\":{}}},"
               "{\"toolUse\":{\"toolUseId\":\"b\",\"name\":\"f\","
               "\"input\":{}}}]},{\"role\":\"user\",\"content\":[{"
               "\"toolResult\":{\"content\":[{\"text\":\"1\"}],"
               "\"toolUseId\":\"a\"}},{\"toolResult\":{\"content\":[{"
               "\"text\":\"2\"}],\"toolUseId\":\"b\"}}]}],"
               "\"inferenceConfig\":{\"maxTokens\":1024}}"));
    CHECK(strstr(e.dropped, "user") != NULL);

    CHECK(to_bedrock("{\"model\":\"m\",\"tool_choice\":{\"type\":\"function\","
                     "\"function\":{\"name\":\"g\"}},\"tools\":[{\"type\":"
                     "\"function\",\"function\":{\"name\":\"g\"}}],"
                     "\"messages\":[{\"role\":\"assistant\",\"tool_calls\":"
                     "[{\"id\":\"a\",\"type\":\"function\",\"function\":{"
                     "\"name\":\"g\",\"arguments\":\"[1]\"}}]}]}", &e)
          == NULL);
    CHECK(strstr(e.msg, "not a JSON object") != NULL);

    /* answers */

    resp = cJSON_Parse("{\"output\":{\"message\":{\"content\":[{"
                       "\"reasoningContent\":{}},{\"text\":\"a\"},"
                       "{\"toolUse\":{\"toolUseId\":\"t\",\"name\":\"f\","
                       "\"input\":{\"k\":[1]}}}]}},\"stopReason\":"
                       "\"guardrail_intervened\",\"usage\":{"
                       "\"inputTokens\":5,\"outputTokens\":6}}");
    ngx_memzero(&e, sizeof(e));
    canon = ngx_http_llm_bedrock_response_to_canon(resp, &e);
    CHECK(canon != NULL);
    oa = canon ? ngx_http_llm_canon_to_openai_response(canon, 1, NULL) : NULL;
    s = oa ? cJSON_PrintUnformatted(oa) : NULL;
    CHECK(s && strstr(s, "\"finish_reason\":\"content_filter\"")
          && strstr(s, "\"arguments\":\"{\\\"k\\\":[1]}\"")
          && strstr(s, "\"prompt_tokens\":5,\"completion_tokens\":6"));
    free(s);
    cJSON_Delete(oa);
    cJSON_Delete(canon);
    cJSON_Delete(resp);

    resp = cJSON_Parse("{\"output\":{}}");
    CHECK(ngx_http_llm_bedrock_response_to_canon(resp, &e) == NULL);
    cJSON_Delete(resp);

    UNIT_DONE("bedrock");
}
