
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_anthropic_surface.h"
#include "ngx_http_llm_openai_canon.h"
#include "unit.h"


/* Anthropic request -> canonical -> OpenAI request, printed compactly */

static char *
to_openai(const char *in, ngx_http_llm_tr_err_t *e)
{
    char   *s;
    cJSON  *req, *canon, *out;

    ngx_memzero(e, sizeof(ngx_http_llm_tr_err_t));
    s = NULL;
    out = NULL;

    req = cJSON_Parse(in);
    canon = ngx_http_llm_anthropic_request_to_canon(req, NULL, 0, e);

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


/* OpenAI response -> canonical -> Anthropic response */

static char *
to_anthropic(const char *in, ngx_http_llm_tr_err_t *e)
{
    char   *s;
    cJSON  *resp, *canon, *out;

    ngx_memzero(e, sizeof(ngx_http_llm_tr_err_t));
    s = NULL;
    out = NULL;

    resp = cJSON_Parse(in);
    canon = ngx_http_llm_openai_response_to_canon(resp, e);

    if (canon) {
        out = ngx_http_llm_canon_to_anthropic_response(canon, 0, e);
    }

    if (out) {
        s = cJSON_PrintUnformatted(out);
    }

    cJSON_Delete(resp);
    cJSON_Delete(canon);
    cJSON_Delete(out);

    return s;
}



/* events of an OpenAI stream, one per string, into one buffer */

static ngx_int_t
stream(ngx_http_llm_messages_t *st, const char **ev, u_char *buf,
    size_t size, size_t *len)
{
    u_char     *o;
    ngx_int_t   rc;

    ngx_memzero(st, sizeof(ngx_http_llm_messages_t));
    o = buf;
    rc = NGX_OK;

    for ( /* void */ ; *ev; ev++) {
        rc = ngx_http_llm_messages_write(st, &st->usage, 0, (u_char *) *ev,
                                         strlen(*ev), &o, buf + size);
        if (rc != NGX_OK) {
            break;
        }
    }

    *len = o - buf;

    return rc;
}


int
main(void)
{
    u_char                        buf[4096];
    size_t                        len;
    ngx_http_llm_tr_err_t         e;
    ngx_http_llm_messages_t       st;

    /* a tool result with an error flag and text blocks; thinking left out */
    CHECK(unit_same(to_openai(
        "{\"model\":\"m\",\"system\":[{\"type\":\"text\",\"text\":\"A\"},"
        "{\"type\":\"text\",\"text\":\"B\"}],\"messages\":["
        "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\","
        "\"thinking\":\"hmm\",\"signature\":\"x\"},{\"type\":\"tool_use\","
        "\"id\":\"t1\",\"name\":\"f\",\"input\":{}}]},"
        "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
        "\"tool_use_id\":\"t1\",\"is_error\":true,\"content\":[{\"type\":"
        "\"text\",\"text\":\"no \"},{\"type\":\"text\",\"text\":\"such\"}]}]}"
        "],\"tool_choice\":{\"type\":\"tool\",\"name\":\"f\"},"
        "\"service_tier\":\"auto\"}", &e),
        "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":"
        "[{\"type\":\"text\",\"text\":\"A\"},{\"type\":\"text\",\"text\":"
        "\"B\"}]},{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"t1\","
        "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":"
        "\"{}\"}}],\"content\":null},{\"role\":\"tool\",\"tool_call_id\":"
        "\"t1\",\"content\":\"no such\"}],\"tool_choice\":{\"type\":"
        "\"function\",\"function\":{\"name\":\"f\"}}}"));
    CHECK(strcmp(e.dropped, "thinking, service_tier") == 0);

    /* what OpenAI cannot take is refused by name */
    CHECK(to_openai("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                    "\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":"
                    "\"t\",\"content\":[{\"type\":\"image\",\"source\":"
                    "{\"type\":\"url\",\"url\":\"http://x/i.png\"}}]}]}]}",
                    &e) == NULL
          && strcmp(e.msg, "messages[0]: an assistant message or tool "
                    "result may hold text only for OpenAI") == 0);
    CHECK(to_openai("{\"model\":\"m\",\"messages\":[],\"mcp_servers\":[]}",
                    &e) == NULL
          && strcmp(e.msg, "\"mcp_servers\" cannot be translated") == 0);
    CHECK(to_openai("{\"model\":\"m\",\"messages\":[{\"role\":\"system\","
                    "\"content\":\"x\"}]}", &e) == NULL
          && strcmp(e.msg, "messages[0].role must be \"user\" or "
                    "\"assistant\"") == 0);
    CHECK(to_openai("{\"model\":\"m\",\"messages\":[],\"stop_sequences\":"
                    "[\"a\",1]}", &e) == NULL
          && strcmp(e.msg, "Invalid type for \"stop_sequences[1]\": "
                    "expected a string, but got a number instead") == 0);
    CHECK(to_openai("{\"model\":\"m\",\"messages\":[],\"tool_choice\":"
                    "{\"type\":\"tool\"}}", &e) == NULL);
    CHECK(to_openai("{\"model\":3,\"messages\":[]}", &e) == NULL
          && strcmp(e.msg, "Invalid type for \"model\": expected a "
                    "non-empty string, but got a number instead") == 0);

    /* answers: a refusal is the text; content_filter is "refusal" */
    CHECK(unit_same(to_anthropic(
        "{\"id\":\"c\",\"model\":\"g\",\"choices\":[{\"message\":{\"role\":"
        "\"assistant\",\"content\":null,\"refusal\":\"I can't.\"},"
        "\"finish_reason\":\"content_filter\"}]}", &e),
        "{\"id\":\"c\",\"type\":\"message\",\"role\":\"assistant\","
        "\"model\":\"g\",\"content\":[{\"type\":\"text\",\"text\":"
        "\"I can't.\"}],\"stop_reason\":\"refusal\",\"stop_sequence\":null,"
        "\"usage\":{\"input_tokens\":0,\"cache_creation_input_tokens\":0,"
        "\"cache_read_input_tokens\":0,\"output_tokens\":0}}"));
    CHECK(to_anthropic("{\"choices\":[]}", &e) == NULL
          && strcmp(e.msg, "not a chat completion") == 0);
    CHECK(to_anthropic("{\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":"
                       "\"c\",\"function\":{\"name\":\"f\"}}]}}]}", &e)
          == NULL);

    /* streams: [DONE] alone is still a whole (empty) message */
    {
        static const char  *done[] = { "[DONE]", NULL };

        CHECK(stream(&st, done, buf, sizeof(buf), &len) == NGX_DONE);
        buf[len] = '\0';
        CHECK(strstr((char *) buf, "\"stop_reason\":\"end_turn\"")
              && strstr((char *) buf, "event: message_stop"));
    }

    /* arguments for a call that never began, a chunk that is not JSON */
    {
        static const char  *orphan[] = {
            "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,"
            "\"function\":{\"arguments\":\"{}\"}}]}}]}", NULL };
        static const char  *garbage[] = { "{\"choices\":[", NULL };
        static const char  *error[] = {
            "{\"error\":{\"message\":\"quota\"}}", NULL };

        CHECK(stream(&st, orphan, buf, sizeof(buf), &len) == NGX_ERROR);
        CHECK(stream(&st, garbage, buf, sizeof(buf), &len) == NGX_ERROR);
        CHECK(stream(&st, error, buf, sizeof(buf), &len) == NGX_DECLINED
              && len == sizeof("event: error\ndata: {\"type\":\"error\","
                               "\"error\":{\"type\":\"api_error\","
                               "\"message\":\"quota\"}}\n\n") - 1);
    }

    /* no room is an error, never an overflow */
    {
        static const char  *text[] = {
            "{\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}",
            NULL };

        CHECK(stream(&st, text, buf, 64, &len) == NGX_ERROR && len <= 64);
    }

    /* usage: cached input apart from the rest */
    {
        static const char  *usage[] = {
            "{\"choices\":[],\"usage\":{\"prompt_tokens\":100,"
            "\"completion_tokens\":7,\"prompt_tokens_details\":"
            "{\"cached_tokens\":60}}}", NULL };

        CHECK(stream(&st, usage, buf, sizeof(buf), &len) == NGX_OK
              && st.usage.input == 40 && st.usage.cache_read == 60
              && st.usage.output == 7 && st.usage.seen);
    }

    UNIT_DONE("surface");
}
