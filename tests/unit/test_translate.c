
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_anthropic.h"
#include "ngx_http_llm_openai_canon.h"
#include "unit.h"


/* OpenAI request -> canonical -> Anthropic request, printed compactly */

static char *
openai_to_anthropic(const char *in, char *err)
{
    char                   *s;
    cJSON                  *req, *canon, *out;
    ngx_http_llm_tr_err_t   e;

    ngx_memzero(&e, sizeof(e));
    s = NULL;
    canon = NULL;
    out = NULL;

    req = cJSON_Parse(in);
    if (req == NULL) {
        strcpy(err, "bad test input");
        return NULL;
    }

    canon = ngx_http_llm_openai_request_to_canon(req, NULL, 0, &e);

    if (canon) {
        out = ngx_http_llm_canon_to_anthropic_request(canon, 4096, &e);
    }

    if (out) {
        s = cJSON_PrintUnformatted(out);
    }

    strcpy(err, e.msg);

    cJSON_Delete(req);
    cJSON_Delete(canon);
    cJSON_Delete(out);

    return s;
}


static char *
anthropic_to_openai(const char *in, char *err)
{
    char                   *s;
    cJSON                  *resp, *canon, *out;
    ngx_http_llm_tr_err_t   e;

    ngx_memzero(&e, sizeof(e));
    s = NULL;
    out = NULL;

    resp = cJSON_Parse(in);
    canon = ngx_http_llm_anthropic_response_to_canon(resp, &e);

    if (canon) {
        out = ngx_http_llm_canon_to_openai_response(canon, 1700000000, NULL);
    }

    if (out) {
        s = cJSON_PrintUnformatted(out);
    }

    strcpy(err, e.msg);

    cJSON_Delete(resp);
    cJSON_Delete(canon);
    cJSON_Delete(out);

    return s;
}



/* the text bytes ngx_http_llm_openai_chunk_scan() counts, and its usage */
static size_t
scan(const char *chunk, ngx_uint_t *usage)
{
    return ngx_http_llm_openai_chunk_scan((u_char *) chunk,
                                          (u_char *) chunk + strlen(chunk),
                                          usage);
}


int
main(void)
{
    ngx_uint_t  usage;
    char    err[NGX_HTTP_LLM_TR_ERRLEN];
    char   *s;
    cJSON  *e;

    /* system prompts, turns, sampling, stop, user */
    CHECK(unit_same(openai_to_anthropic(
        "{\"model\":\"claude-sonnet-4-6\",\"messages\":["
        "{\"role\":\"system\",\"content\":\"Be brief.\"},"
        "{\"role\":\"developer\",\"content\":[{\"type\":\"text\","
        "\"text\":\"No lists.\"}]},"
        "{\"role\":\"user\",\"content\":\"Hi\"},"
        "{\"role\":\"assistant\",\"content\":\"Hello.\"},"
        "{\"role\":\"user\",\"content\":\"Again\"}],"
        "\"temperature\":0.5,\"top_p\":0.9,\"max_tokens\":100,"
        "\"stop\":\"END\",\"user\":\"u-1\",\"n\":1,\"seed\":7}", err),
        "{\"model\":\"claude-sonnet-4-6\",\"system\":["
        "{\"type\":\"text\",\"text\":\"Be brief.\"},"
        "{\"type\":\"text\",\"text\":\"No lists.\"}],\"messages\":["
        "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}]},"
        "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\","
        "\"text\":\"Hello.\"}]},"
        "{\"role\":\"user\",\"content\":[{\"type\":\"text\","
        "\"text\":\"Again\"}]}],"
        "\"max_tokens\":100,\"stop_sequences\":[\"END\"],"
        "\"temperature\":0.5,\"top_p\":0.9,"
        "\"metadata\":{\"user_id\":\"u-1\"}}"));

    /* no max_tokens: the default; temperature above Anthropic's range */
    CHECK(unit_same(openai_to_anthropic(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
        "\"x\"}],\"temperature\":1.5,\"stream\":true}", err),
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
        "{\"type\":\"text\",\"text\":\"x\"}]}],\"max_tokens\":4096,"
        "\"temperature\":1,\"stream\":true}"));

    /* images: a URL and a data: URL */
    CHECK(unit_same(openai_to_anthropic(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
        "{\"type\":\"text\",\"text\":\"What is this?\"},"
        "{\"type\":\"image_url\",\"image_url\":{\"url\":"
        "\"https://example.com/a.png\"}},"
        "{\"type\":\"image_url\",\"image_url\":{\"url\":"
        "\"data:image/jpeg;base64,/9j/4AAQ\",\"detail\":\"low\"}}]}]}", err),
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
        "{\"type\":\"text\",\"text\":\"What is this?\"},"
        "{\"type\":\"image\",\"source\":{\"type\":\"url\","
        "\"url\":\"https://example.com/a.png\"}},"
        "{\"type\":\"image\",\"source\":{\"type\":\"base64\","
        "\"media_type\":\"image/jpeg\",\"data\":\"/9j/4AAQ\"}}]}],"
        "\"max_tokens\":4096}"));

    /* tools: definitions, a call with its arguments as an object, the
     * results merged into one user turn */
    CHECK(unit_same(openai_to_anthropic(
        "{\"model\":\"m\",\"messages\":["
        "{\"role\":\"user\",\"content\":\"Weather in Paris and Rome?\"},"
        "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
        "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{"
        "\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
        "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{"
        "\"name\":\"weather\",\"arguments\":"
        "\"{\\\"city\\\":\\\"Rome\\\"}\"}}]},"
        "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18C\"},"
        "{\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":\"24C\"}],"
        "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
        "\"weather\",\"description\":\"Current weather\",\"parameters\":"
        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":"
        "\"string\"}},\"required\":[\"city\"]}}}],"
        "\"tool_choice\":\"required\"}", err),
        "{\"model\":\"m\",\"messages\":["
        "{\"role\":\"user\",\"content\":[{\"type\":\"text\","
        "\"text\":\"Weather in Paris and Rome?\"}]},"
        "{\"role\":\"assistant\",\"content\":["
        "{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"weather\","
        "\"input\":{\"city\":\"Paris\"}},"
        "{\"type\":\"tool_use\",\"id\":\"call_2\",\"name\":\"weather\","
        "\"input\":{\"city\":\"Rome\"}}]},"
        "{\"role\":\"user\",\"content\":["
        "{\"type\":\"tool_result\",\"tool_use_id\":\"call_1\",\"content\":"
        "[{\"type\":\"text\",\"text\":\"18C\"}]},"
        "{\"type\":\"tool_result\",\"tool_use_id\":\"call_2\",\"content\":"
        "[{\"type\":\"text\",\"text\":\"24C\"}]}]}],"
        "\"max_tokens\":4096,\"tools\":[{\"name\":\"weather\","
        "\"description\":\"Current weather\",\"input_schema\":{\"type\":"
        "\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
        "\"required\":[\"city\"]}}],\"tool_choice\":{\"type\":\"any\"}}"));

    CHECK(unit_same(openai_to_anthropic(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
        "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
        "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":"
        "\"f\"}}}", err),
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
        "{\"type\":\"text\",\"text\":\"x\"}]}],\"max_tokens\":4096,"
        "\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\","
        "\"properties\":{}}}],\"tool_choice\":{\"type\":\"tool\","
        "\"name\":\"f\"}}"));

    /* what cannot be said in Messages is refused by name */
    s = openai_to_anthropic("{\"model\":\"m\",\"messages\":[{\"role\":"
                            "\"user\",\"content\":\"x\"}],\"n\":2}", err);
    CHECK(s == NULL && strcmp(err, "\"n\" other than 1 cannot be "
                              "translated") == 0);
    s = openai_to_anthropic("{\"model\":\"m\",\"messages\":[{\"role\":"
                            "\"user\",\"content\":\"x\"}],\"logprobs\":true}",
                            err);
    CHECK(s == NULL && strcmp(err, "\"logprobs\" cannot be translated") == 0);
    s = openai_to_anthropic("{\"model\":\"m\",\"messages\":[{\"role\":"
                            "\"user\",\"content\":[{\"type\":\"input_audio\"}"
                            "]}]}", err);
    CHECK(s == NULL && strcmp(err, "messages[0]: content part type "
                              "\"input_audio\" cannot be translated") == 0);
    s = openai_to_anthropic("{\"model\":\"m\",\"messages\":[{\"role\":"
                            "\"assistant\",\"tool_calls\":[{\"id\":\"c\","
                            "\"function\":{\"name\":\"f\",\"arguments\":"
                            "\"[1\"}}]}]}", err);
    CHECK(s == NULL && strcmp(err, "the arguments of tool call \"c\" are "
                              "not a JSON object") == 0);
    s = openai_to_anthropic("{\"model\":\"m\",\"messages\":[{\"role\":"
                            "\"system\",\"content\":\"only\"}]}", err);
    CHECK(s == NULL && strcmp(err, "at least one user or assistant message "
                              "is needed") == 0);
    s = openai_to_anthropic("{\"model\":\"m\",\"messages\":[{\"role\":"
                            "\"critic\",\"content\":\"x\"}]}", err);
    CHECK(s == NULL && strcmp(err, "messages[0].role \"critic\" cannot be "
                              "translated") == 0);
    s = openai_to_anthropic("{\"model\":\"m\",\"messages\":{}}", err);
    CHECK(s == NULL && strcmp(err, "Invalid type for \"messages\": expected "
                              "an array, but got an object instead") == 0);

    /* responses: text, tool use, stop reasons, usage with cache tokens */
    CHECK(unit_same(anthropic_to_openai(
        "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\","
        "\"model\":\"claude-sonnet-4-6\",\"content\":[{\"type\":\"text\","
        "\"text\":\"Hi! \"},{\"type\":\"text\",\"text\":\"How can I help?\"}],"
        "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":"
        "{\"input_tokens\":12,\"output_tokens\":6,"
        "\"cache_read_input_tokens\":100,"
        "\"cache_creation_input_tokens\":20}}", err),
        "{\"id\":\"msg_01\",\"object\":\"chat.completion\",\"created\":"
        "1700000000,\"model\":\"claude-sonnet-4-6\",\"choices\":[{\"index\":0,"
        "\"message\":{\"role\":\"assistant\",\"content\":"
        "\"Hi! How can I help?\"},\"finish_reason\":\"stop\"}],\"usage\":{"
        "\"prompt_tokens\":132,\"completion_tokens\":6,\"total_tokens\":138,"
        "\"prompt_tokens_details\":{\"cached_tokens\":100,"
        "\"cache_write_tokens\":20}}}"));

    CHECK(unit_same(anthropic_to_openai(
        "{\"id\":\"msg_02\",\"type\":\"message\",\"model\":\"c\",\"content\":["
        "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"weather\","
        "\"input\":{\"city\":\"Paris\"}}],\"stop_reason\":\"tool_use\","
        "\"usage\":{\"input_tokens\":5,\"output_tokens\":9}}", err),
        "{\"id\":\"msg_02\",\"object\":\"chat.completion\",\"created\":"
        "1700000000,\"model\":\"c\",\"choices\":[{\"index\":0,\"message\":{"
        "\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":"
        "\"toolu_1\",\"type\":\"function\",\"function\":{\"name\":"
        "\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
        "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":5,"
        "\"completion_tokens\":9,\"total_tokens\":14,"
        "\"prompt_tokens_details\":{\"cached_tokens\":0}}}"));

    CHECK(unit_same(anthropic_to_openai(
        "{\"type\":\"message\",\"content\":[{\"type\":\"thinking\","
        "\"thinking\":\"...\"},{\"type\":\"text\",\"text\":\"cut\"}],"
        "\"stop_reason\":\"max_tokens\"}", err),
        "{\"id\":\"chatcmpl-llm\",\"object\":\"chat.completion\",\"created\":"
        "1700000000,\"choices\":[{\"index\":0,\"message\":{\"role\":"
        "\"assistant\",\"content\":\"cut\"},\"finish_reason\":\"length\"}]}"));

    /* not a message, or malformed blocks */
    CHECK(anthropic_to_openai("{\"type\":\"error\"}", err) == NULL
          && strcmp(err, "not a Messages response") == 0);
    CHECK(anthropic_to_openai("[1,2]", err) == NULL);
    CHECK(anthropic_to_openai("{\"type\":\"message\",\"content\":[{\"type\":"
                              "\"tool_use\",\"id\":\"t\",\"name\":\"f\","
                              "\"input\":3}]}", err) == NULL
          && strcmp(err, "Invalid type for \"content[0].input\": "
                    "expected an object, but got a number instead") == 0);

    /* a provider's error, either dialect: its message and its code */
    {
        const char  *msg, *code;

        e = cJSON_Parse("{\"type\":\"error\",\"error\":{\"type\":"
                        "\"overloaded_error\",\"message\":\"Overloaded\"}}");
        CHECK(ngx_http_llm_provider_error(e, &msg, &code) == NGX_OK
              && strcmp(msg, "Overloaded") == 0
              && strcmp(code, "overloaded_error") == 0);
        cJSON_Delete(e);

        e = cJSON_Parse("{\"error\":{\"message\":\"Bad model\",\"type\":"
                        "\"invalid_request_error\",\"param\":null,"
                        "\"code\":\"model_not_found\"}}");
        CHECK(ngx_http_llm_provider_error(e, &msg, &code) == NGX_OK
              && strcmp(msg, "Bad model") == 0
              && strcmp(code, "model_not_found") == 0);
        cJSON_Delete(e);

        e = cJSON_Parse("{\"error\":\"upstream broke\"}");
        CHECK(ngx_http_llm_provider_error(e, &msg, &code) == NGX_OK
              && strcmp(msg, "upstream broke") == 0 && code == NULL);
        cJSON_Delete(e);

        CHECK(ngx_http_llm_provider_error(NULL, &msg, &code)
              == NGX_DECLINED);
    }

    /* streams: Anthropic's documented examples, event by event */
    {
        u_char                           buf[8192], *o;
        ngx_int_t                        rc;
        ngx_uint_t                       i;
        ngx_http_llm_chunks_t  st;

        static const char  *text[] = {
            "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1nZ\","
            "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
            "\"model\":\"claude-sonnet-4-6\",\"stop_reason\":null,"
            "\"usage\":{\"input_tokens\":25,\"output_tokens\":1,"
            "\"cache_read_input_tokens\":10}}}",
            "{\"type\":\"content_block_start\",\"index\":0,"
            "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
            "{\"type\": \"ping\"}",
            "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
            "{\"type\":\"text_delta\",\"text\":\"Hello \\\"you\\\"\"}}",
            "{\"type\":\"content_block_stop\",\"index\":0}",
            "{\"type\":\"content_block_start\",\"index\":1,"
            "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01T\","
            "\"name\":\"get_weather\",\"input\":{}}}",
            "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
            "{\"type\":\"input_json_delta\",\"partial_json\":"
            "\"{\\\"city\\\": \\\"Ro\"}}",
            "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
            "{\"type\":\"input_json_delta\",\"partial_json\":\"me\\\"}\"}}",
            "{\"type\":\"content_block_stop\",\"index\":1}",
            "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
            "\"tool_use\",\"stop_sequence\":null},\"usage\":"
            "{\"output_tokens\":15}}",
            "{\"type\":\"message_delta\",\"delta\":{},\"usage\":"
            "{\"output_tokens\":17}}",
            "{\"type\":\"message_stop\"}",
            NULL
        };

        static const char  *want =
            "data: {\"id\":\"msg_1nZ\",\"object\":\"chat.completion.chunk\","
            "\"created\":7,\"model\":\"claude-sonnet-4-6\",\"choices\":[{"
            "\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
            "\"finish_reason\":null}]}\n\n"
            "data: {\"id\":\"msg_1nZ\",\"object\":\"chat.completion.chunk\","
            "\"created\":7,\"model\":\"claude-sonnet-4-6\",\"choices\":[{"
            "\"index\":0,\"delta\":{\"content\":\"Hello \\\"you\\\"\"},"
            "\"finish_reason\":null}]}\n\n"
            "data: {\"id\":\"msg_1nZ\",\"object\":\"chat.completion.chunk\","
            "\"created\":7,\"model\":\"claude-sonnet-4-6\",\"choices\":[{"
            "\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":"
            "\"toolu_01T\",\"type\":\"function\",\"function\":{\"name\":"
            "\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}"
            "\n\n"
            "data: {\"id\":\"msg_1nZ\",\"object\":\"chat.completion.chunk\","
            "\"created\":7,\"model\":\"claude-sonnet-4-6\",\"choices\":[{"
            "\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
            "\"function\":{\"arguments\":\"{\\\"city\\\": \\\"Ro\"}}]},"
            "\"finish_reason\":null}]}\n\n"
            "data: {\"id\":\"msg_1nZ\",\"object\":\"chat.completion.chunk\","
            "\"created\":7,\"model\":\"claude-sonnet-4-6\",\"choices\":[{"
            "\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
            "\"function\":{\"arguments\":\"me\\\"}\"}}]},"
            "\"finish_reason\":null}]}\n\n"
            "data: {\"id\":\"msg_1nZ\",\"object\":\"chat.completion.chunk\","
            "\"created\":7,\"model\":\"claude-sonnet-4-6\",\"choices\":[{"
            "\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
            "data: {\"id\":\"msg_1nZ\",\"object\":\"chat.completion.chunk\","
            "\"created\":7,\"model\":\"claude-sonnet-4-6\",\"choices\":[],"
            "\"usage\":{\"prompt_tokens\":35,\"completion_tokens\":17,"
            "\"total_tokens\":52,\"prompt_tokens_details\":{"
            "\"cached_tokens\":10}}}\n\n"
            "data: [DONE]\n\n";

        ngx_memzero(&st, sizeof(st));
        st.created = 7;
        st.include_usage = 1;
        o = buf;
        rc = NGX_OK;

        for (i = 0; text[i]; i++) {
            rc = ngx_http_llm_anthropic_stream_event(&st, (u_char *) text[i],
                                                     strlen(text[i]), &o,
                                                     buf + sizeof(buf));
            if (rc == NGX_ERROR) {
                break;
            }
        }

        *o = '\0';
        CHECK(rc == NGX_DONE);
        CHECK(strcmp((char *) buf, want) == 0);
        if (strcmp((char *) buf, want) != 0) {
            fprintf(stderr, "got:  %s\nwant: %s\n", buf, want);
        }
        /* message_delta usage is cumulative: 17, not 15 + 17 */
        CHECK(st.usage.output == 17 && st.usage.input == 25
              && st.usage.cache_read == 10);
        CHECK(st.usage.streamed == strlen("Hello \\\"you\\\"")
                             + strlen("{\\\"city\\\": \\\"Ro")
                             + strlen("me\\\"}"));

        /* an error event ends the stream with an OpenAI error event */
        static const char  *error =
            "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
            "\"message\":\"Overloaded\"}}";

        o = buf;
        rc = ngx_http_llm_anthropic_stream_event(&st, (u_char *) error,
                                                 strlen(error), &o,
                                                 buf + sizeof(buf));
        *o = '\0';
        CHECK(rc == NGX_DECLINED);
        CHECK(strcmp((char *) buf, "data: {\"error\":{\"message\":"
                     "\"Overloaded\",\"type\":\"api_error\",\"param\":null,"
                     "\"code\":\"stream_interrupted\"}}\n\n") == 0);

        /* garbage, a foreign first event, no room */
        ngx_memzero(&st, sizeof(st));
        o = buf;
        CHECK(ngx_http_llm_anthropic_stream_event(&st, (u_char *) "{\"ty", 4,
                                                  &o, buf + sizeof(buf))
              == NGX_ERROR);
        CHECK(ngx_http_llm_anthropic_stream_event(&st, (u_char *)
                  "{\"type\":\"content_block_stop\"}",
                  strlen("{\"type\":\"content_block_stop\"}"), &o,
                  buf + sizeof(buf))
              == NGX_ERROR);
        CHECK(ngx_http_llm_anthropic_stream_event(&st, (u_char *) text[0],
                                                  strlen(text[0]), &o,
                                                  buf + 20)
              == NGX_ERROR);
    }

    /* the passthrough chunk scan: text length and usage */
    CHECK(scan("{\"choices\":[{\"index\":0,\"delta\":{\"content\":"
               "\"token \"}}],\"usage\":null}", &usage) == 6
          && usage == 0);
    CHECK(scan("{\"choices\":[],\"usage\" : {\"prompt_tokens\":1}}",
               &usage) == 0 && usage == 1);
    /* colons and quoted keys inside the text are text */
    CHECK(scan("{\"delta\":{\"content\":\"a: \\\"content\\\": b\","
               "\"role\":\"assistant\"}}", &usage) == 17 && usage == 0);
    CHECK(scan("{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
               "{\"arguments\":\"{\\\"a\\\":1}\"}}]}}", &usage) == 9
          && usage == 0);
    /* "content": null, a key that only ends in "content", a cut chunk */
    CHECK(scan("{\"delta\":{\"content\":null,\"xcontent\":\"abc\"}}",
               &usage) == 0);
    CHECK(scan("{\"delta\":{\"content\":\"abc", &usage) == 0);
    CHECK(scan("\"usage\":", &usage) == 0 && usage == 0);
    CHECK(scan(":", &usage) == 0 && scan("", &usage) == 0);

    UNIT_DONE("translate");
}
