
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_anthropic.h"
#include "ngx_http_llm_openai_canon.h"
#include "ngx_http_llm_rewrite.h"
#include "unit.h"


/*
 * The token-copying rewrites against the canonical path, their
 * reference: NGX_OK when both give the same document, NGX_DECLINED when
 * the rewrite declined, NGX_ERROR when they differ.
 */

static ngx_int_t
agree(cJSON *slow, u_char *fast, size_t len, const char *err)
{
    char       *s;
    cJSON      *a, *b;
    ngx_int_t   rc;

    /* printed and parsed again: raw integers become numbers */
    s = slow ? cJSON_PrintUnformatted(slow) : NULL;
    a = s ? cJSON_Parse(s) : NULL;
    b = cJSON_ParseWithLength((char *) fast, len);

    rc = (a && b && cJSON_Compare(a, b, 1)) ? NGX_OK : NGX_ERROR;

    if (rc != NGX_OK) {
        fprintf(stderr, "fast: %.*s\nslow: %s\n", (int) len, fast,
                s ? s : err);
    }

    cJSON_free(s);
    cJSON_Delete(a);
    cJSON_Delete(b);

    return rc;
}


static ngx_int_t
request(const char *in)
{
    u_char                      buf[8192], *o, *rest;
    cJSON                      *req, *canon, *slow;
    ngx_int_t                   rc;
    ngx_http_llm_tr_err_t       e;
    ngx_http_llm_json_value_t   doc;

    /* the gateway gives the rewrite a validated document */
    if (ngx_http_llm_json_document((u_char *) in, (u_char *) in + strlen(in),
                                   &doc)
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    o = buf;
    rc = ngx_http_llm_rewrite_openai_request((u_char *) in, strlen(in), 4096,
                                             &o, buf + sizeof(buf), &rest);
    if (rc != NGX_OK) {
        return rc;
    }

    ngx_memzero(&e, sizeof(e));
    req = cJSON_Parse(in);
    canon = ngx_http_llm_openai_request_to_canon(req, NULL, 0, &e);
    slow = canon ? ngx_http_llm_canon_to_anthropic_request(canon, 4096, &e)
                 : NULL;
    rc = agree(slow, buf, o - buf, e.msg);

    cJSON_Delete(req);
    cJSON_Delete(canon);
    cJSON_Delete(slow);

    return rc;
}


static ngx_http_llm_stream_usage_t  usage;


static ngx_int_t
response(const char *in)
{
    u_char                       buf[8192], *o;
    cJSON                        *resp, *canon, *slow;
    ngx_int_t                     rc;
    ngx_http_llm_tr_err_t         e;
    ngx_http_llm_stream_usage_t   u;

    o = buf;
    rc = ngx_http_llm_rewrite_anthropic_response((u_char *) in, strlen(in),
                                                 7, &u, &o,
                                                 buf + sizeof(buf));
    if (rc != NGX_OK) {
        return rc;
    }

    usage = u;

    ngx_memzero(&e, sizeof(e));
    resp = cJSON_Parse(in);
    canon = ngx_http_llm_anthropic_response_to_canon(resp, &e);
    slow = canon ? ngx_http_llm_canon_to_openai_response(canon, 7, NULL) : NULL;
    rc = agree(slow, buf, o - buf, e.msg);

    cJSON_Delete(resp);
    cJSON_Delete(canon);
    cJSON_Delete(slow);

    return rc;
}


int
main(void)
{
    u_char                        buf[512], *o, *rest;
    const char                   *in;
    ngx_http_llm_stream_usage_t   u;

    /* the common shapes are rewritten, and agree with the reference */
    CHECK(request("{\"model\":\"anth/claude-sonnet-4-6\",\"max_tokens\":256,"
                  "\"messages\":[{\"role\":\"system\",\"content\":\"You are "
                  "terse.\"},{\"role\":\"user\",\"content\":\"a\\\"b\\u00e9"
                  "\\n\"}]}") == NGX_OK);
    CHECK(request("{\"model\":\"m\",\"stream\":true,\"stream_options\":"
                  "{\"include_usage\":true},\"temperature\":1.7,\"top_p\":"
                  "0.25,\"stop\":\"END\",\"user\":\"u-1\",\"fallbacks\":"
                  "[\"x\"],\"messages\":[{\"role\":\"developer\",\"content\":"
                  "\"A\"},{\"role\":\"user\",\"content\":\"1\",\"name\":"
                  "\"ann\"},{\"role\":\"user\",\"content\":\"2\"},{\"role\":"
                  "\"assistant\",\"content\":\"3\"},{\"role\":\"system\","
                  "\"content\":\"B\"},{\"role\":\"user\",\"content\":\"\"}]}")
          == NGX_OK);
    CHECK(request("{\"messages\":[{\"content\":\"x\",\"role\":\"user\"}],"
                  "\"model\":\"m\",\"max_completion_tokens\":5,\"stop\":[],"
                  "\"temperature\":0.1,\"top_p\":1e-1}") == NGX_OK);
    CHECK(request("{\"model\":\"m\",\"stop\":[\"a\",\"b\"],\"temperature\":"
                  "0,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
          == NGX_OK);

    /* anything else goes the canonical way */
    CHECK(request("{\"model\":\"m\",\"n\":1,\"messages\":[{\"role\":\"user\","
                  "\"content\":\"x\"}]}") == NGX_DECLINED);
    CHECK(request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                  "\"content\":[{\"type\":\"text\",\"text\":\"x\"}]}]}")
          == NGX_DECLINED);
    CHECK(request("{\"model\":\"m\",\"messages\":[{\"role\":\"tool\","
                  "\"tool_call_id\":\"t\",\"content\":\"x\"}]}")
          == NGX_DECLINED);
    CHECK(request("{\"model\":\"m\",\"messages\":[{\"role\":\"system\","
                  "\"content\":\"only\"}]}") == NGX_DECLINED);
    CHECK(request("{\"model\":\"m\",\"max_tokens\":1.5,\"messages\":"
                  "[{\"role\":\"user\",\"content\":\"x\"}]}")
          == NGX_DECLINED);
    CHECK(request("{\"model\":\"m\",\"max_tokens\":1,\"max_tokens\":2,"
                  "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
          == NGX_DECLINED);
    CHECK(request("{\"model\":\"m\",\"stop\":[1],\"messages\":"
                  "[{\"role\":\"user\",\"content\":\"x\"}]}")
          == NGX_DECLINED);
    CHECK(request("{\"model\":\"m\",\"tools\":[],\"messages\":"
                  "[{\"role\":\"user\",\"content\":\"x\"}]}")
          == NGX_DECLINED);
    CHECK(request("{\"model\":\"m\",\"messages\":[{\"role\":\"us\\u0065r\","
                  "\"content\":\"x\"}]}") == NGX_DECLINED);
    CHECK(request("[1]") == NGX_DECLINED);

    CHECK(request("{\"model\":\"\",\"messages\":[{\"role\":\"user\","
                  "\"content\":\"x\"}]}") == NGX_DECLINED);

    CHECK(request("{\"model\":\"m\",\"temperature\":1e309,\"messages\":"
                  "[{\"role\":\"user\",\"content\":\"x\"}]}")
          == NGX_DECLINED);

    /* left out, but typed as the reader types them */
    CHECK(request("{\"model\":\"m\",\"stream\":true,\"stream_options\":"
                  "\"user\",\"messages\":[{\"role\":\"user\","
                  "\"content\":\"x\"}]}") == NGX_DECLINED);
    CHECK(request("{\"model\":\"m\",\"stream_options\":null,"
                  "\"fallbacks\":[\"a\"],\"messages\":[{\"role\":"
                  "\"user\",\"content\":\"x\"}]}") == NGX_OK);
    CHECK(request("{\"model\":\"m\",\"fallbacks\":[1],\"messages\":"
                  "[{\"role\":\"user\",\"content\":\"x\"}]}")
          == NGX_DECLINED);

    /* a message's name is dropped, but only a string or null, once */
    CHECK(request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                  "\"content\":\"x\",\"name\":\"n\"}]}") == NGX_OK);
    CHECK(request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                  "\"content\":\"x\",\"name\":18446744073709551616}]}")
          == NGX_DECLINED);
    CHECK(request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                  "\"content\":\"x\",\"name\":\"a\",\"name\":\"b\"}]}")
          == NGX_DECLINED);

    /* text answers, with every count; joined blocks */
    CHECK(response("{\"id\":\"msg_b\",\"type\":\"message\",\"role\":"
                   "\"assistant\",\"model\":\"claude-sonnet-4-6\",\"content\":"
                   "[{\"type\":\"text\",\"text\":\"Hello \\\"x\\\"\\u00e9\"},"
                   "{\"text\":\" and more\",\"type\":\"text\"}],"
                   "\"stop_reason\":\"max_tokens\",\"stop_sequence\":null,"
                   "\"usage\":{\"input_tokens\":500,\"output_tokens\":7,"
                   "\"cache_read_input_tokens\":20,"
                   "\"cache_creation_input_tokens\":3,\"service_tier\":"
                   "\"standard\"}}") == NGX_OK);
    CHECK(usage.input == 500 && usage.output == 7 && usage.cache_read == 20
          && usage.cache_write == 3 && usage.seen);
    CHECK(response("{\"type\":\"message\",\"content\":[],\"usage\":{}}")
          == NGX_OK);
    CHECK(response("{\"type\":\"message\",\"id\":null,\"content\":[],"
                   "\"stop_reason\":\"tool_use\",\"usage\":"
                   "{\"input_tokens\":3}}") == NGX_OK);
    /* an id of another type: the canonical path refuses the answer */
    CHECK(response("{\"type\":\"message\",\"id\":7,\"content\":[],"
                   "\"stop_reason\":\"tool_use\",\"usage\":"
                   "{\"input_tokens\":3}}") == NGX_DECLINED);

    CHECK(response("{\"type\":\"message\",\"content\":[{\"type\":"
                   "\"tool_use\",\"id\":\"t\",\"name\":\"f\",\"input\":{}}],"
                   "\"usage\":{}}") == NGX_DECLINED);
    CHECK(response("{\"type\":\"message\",\"content\":[],\"usage\":"
                   "{\"input_tokens\":1.5}}") == NGX_DECLINED);
    CHECK(response("{\"type\":\"message\",\"type\":\"message\","
                   "\"content\":[],\"usage\":{}}") == NGX_DECLINED);
    CHECK(response("{\"type\":\"message\",\"content\":[]}")
          == NGX_DECLINED);
    CHECK(response("{\"type\":\"error\",\"error\":{}}") == NGX_DECLINED);

    /* no room is an error, never an overflow */
    in = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
         "\"0123456789012345678901234567890123456789\"}]}";
    o = buf;
    CHECK(ngx_http_llm_rewrite_openai_request((u_char *) in, strlen(in), 1,
                                              &o, buf + 64, &rest)
          == NGX_ERROR && o <= buf + 64);

    in = "{\"type\":\"message\",\"content\":[],\"usage\":{}}";
    o = buf;
    CHECK(ngx_http_llm_rewrite_anthropic_response((u_char *) in, strlen(in),
                                                  1, &u, &o, buf + 32)
          == NGX_ERROR && o <= buf + 32);

    UNIT_DONE("rewrite");
}
