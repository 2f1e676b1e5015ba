
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_bedrock.h"
#include "ngx_http_llm_openai_canon.h"
#include "ngx_http_llm_aws.h"


/*
 * Bedrock's Converse dialect against the canonical model: requests
 * rendered for /model/{id}/converse (the model is in the URL), answers
 * parsed back, and ConverseStream's event stream frames turned into
 * chat.completion.chunk events.  Converse has neither a response id nor
 * a model name in its answers.
 */


static ngx_int_t ngx_http_llm_bedrock_parts(cJSON *parts, cJSON *out,
    ngx_http_llm_tr_err_t *err);
static ngx_int_t ngx_http_llm_bedrock_tools(cJSON *canon, cJSON *req,
    ngx_http_llm_tr_err_t *err);
static void ngx_http_llm_bedrock_usage(ngx_http_llm_stream_usage_t *u,
    ngx_http_llm_json_value_t *usage);


/* Converse's stopReason in the canonical model's words */
static const char *const  ngx_http_llm_bedrock_stops[][2] = {
    { "end_turn", "end" },
    { "tool_use", "tool_calls" },
    { "max_tokens", "max_tokens" },
    { "stop_sequence", "stop" },
    { "guardrail_intervened", "refusal" },
    { "content_filtered", "refusal" },
    { NULL, NULL }
};


cJSON *
ngx_http_llm_canon_to_bedrock_request(cJSON *canon,
    int64_t default_max_tokens, ngx_http_llm_tr_err_t *err)
{
    cJSON       *req, *msgs, *msg, *messages, *parts, *sys, *ic, *v, *last;
    const char  *role, *s;
    ngx_uint_t   i;

    static const char  *names[][2] = {
        { "temperature", "temperature" },
        { "top_p", "topP" },
        { "stop", "stopSequences" },
        { NULL, NULL }
    };

    req = cJSON_CreateObject();
    messages = cJSON_AddArrayToObject(req, "messages");
    last = NULL;

    if (messages == NULL) {
        goto failed;
    }

    msgs = cJSON_GetObjectItemCaseSensitive(canon, "messages");

    cJSON_ArrayForEach(msg, msgs) {
        role = ngx_http_llm_canon_str(msg, "role");

        /* tool results travel in a user turn */
        parts = ngx_http_llm_canon_turn(messages, &last,
                    (role && strcmp(role, "assistant") == 0) ? "assistant"
                                                             : "user",
                    "content");
        if (parts == NULL
            || ngx_http_llm_bedrock_parts(
                   cJSON_GetObjectItemCaseSensitive(msg, "content"), parts,
                   err)
               != NGX_OK)
        {
            goto failed;
        }
    }

    sys = cJSON_GetObjectItemCaseSensitive(canon, "system");

    if (cJSON_GetArraySize(sys) > 0) {
        v = cJSON_AddArrayToObject(req, "system");

        if (v == NULL || ngx_http_llm_bedrock_parts(sys, v, err) != NGX_OK) {
            goto failed;
        }
    }

    ic = cJSON_AddObjectToObject(req, "inferenceConfig");
    v = cJSON_GetObjectItemCaseSensitive(canon, "max_tokens");

    if (ic == NULL
        || ngx_http_llm_canon_add_int(ic, "maxTokens",
               cJSON_IsNumber(v) ? (int64_t) v->valuedouble
                                 : default_max_tokens)
           == NULL)
    {
        goto failed;
    }

    for (i = 0; names[i][0]; i++) {
        v = cJSON_GetObjectItemCaseSensitive(canon, names[i][0]);

        if (v == NULL || (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 0)) {
            continue;
        }

        v = cJSON_Duplicate(v, 1);

        if (v == NULL || !cJSON_AddItemToObject(ic, names[i][1], v)) {
            cJSON_Delete(v);
            goto failed;
        }
    }

    if (ngx_http_llm_bedrock_tools(canon, req, err) != NGX_OK) {
        goto failed;
    }

    s = ngx_http_llm_canon_str(canon, "user");

    if (s) {
        ngx_http_llm_canon_drop(err, "user");
    }

    if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(canon, "parallel"))) {
        ngx_http_llm_canon_drop(err, "parallel_tool_calls");
    }

    return req;

failed:

    if (err->msg[0] == '\0') {
        ngx_http_llm_canon_error(err, "out of memory");
    }

    cJSON_Delete(req);

    return NULL;
}


static ngx_int_t
ngx_http_llm_bedrock_parts(cJSON *parts, cJSON *out,
    ngx_http_llm_tr_err_t *err)
{
    cJSON       *part, *p, *o, *args, *c, *t;
    const char  *type, *s;

    cJSON_ArrayForEach(part, parts) {
        type = ngx_http_llm_canon_str(part, "type");
        p = cJSON_CreateObject();

        if (ngx_http_llm_canon_add(out, p) != NGX_OK || type == NULL) {
            return NGX_ERROR;
        }

        if (strcmp(type, "text") == 0) {
            if (cJSON_AddStringToObject(p, "text",
                    ngx_http_llm_canon_str(part, "text")) == NULL)
            {
                return NGX_ERROR;
            }

            continue;
        }

        if (strcmp(type, "image") == 0) {
            s = ngx_http_llm_canon_str(part, "media_type");

            if (ngx_http_llm_canon_str(part, "url") || s == NULL
                || strncmp(s, "image/", 6) != 0)
            {
                return ngx_http_llm_canon_error(err, "an image URL cannot be "
                                 "translated for Bedrock, which takes "
                                 "images as base64 data");
            }

            o = cJSON_AddObjectToObject(p, "image");

            if (o == NULL
                || cJSON_AddStringToObject(o, "format",
                       strcmp(s + 6, "jpg") == 0 ? "jpeg" : s + 6) == NULL
                || cJSON_AddStringToObject(cJSON_AddObjectToObject(o,
                                                                   "source"),
                       "bytes", ngx_http_llm_canon_str(part, "data"))
                   == NULL)
            {
                return NGX_ERROR;
            }

            continue;
        }

        if (strcmp(type, "tool_call") == 0) {
            s = ngx_http_llm_canon_str(part, "arguments");
            args = (s && *s) ? cJSON_Parse(s) : cJSON_CreateObject();

            if (!cJSON_IsObject(args)) {
                cJSON_Delete(args);
                return ngx_http_llm_canon_error(err, "the arguments of tool "
                                 "call \"%s\" are not a JSON object",
                                 ngx_http_llm_canon_str(part, "id"));
            }

            o = cJSON_AddObjectToObject(p, "toolUse");

            if (o == NULL
                || cJSON_AddStringToObject(o, "toolUseId",
                       ngx_http_llm_canon_str(part, "id")) == NULL
                || cJSON_AddStringToObject(o, "name",
                       ngx_http_llm_canon_str(part, "name")) == NULL
                || !cJSON_AddItemToObject(o, "input", args))
            {
                cJSON_Delete(args);
                return NGX_ERROR;
            }

            continue;
        }

        if (strcmp(type, "tool_result") != 0) {
            return ngx_http_llm_canon_error(err, "a \"%s\" part cannot be "
                                            "translated for Bedrock", type);
        }

        o = cJSON_AddObjectToObject(p, "toolResult");
        c = o ? cJSON_AddArrayToObject(o, "content") : NULL;

        if (c == NULL
            || cJSON_AddStringToObject(o, "toolUseId",
                   ngx_http_llm_canon_str(part, "id")) == NULL
            || (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(part,
                                                              "is_error"))
                && cJSON_AddStringToObject(o, "status", "error") == NULL))
        {
            return NGX_ERROR;
        }

        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(part,
                                                               "content"))
        {
            s = ngx_http_llm_canon_str(t, "text");

            if (s == NULL) {
                return ngx_http_llm_canon_error(err, "a tool result may hold "
                                                "text only for Bedrock");
            }

            t = cJSON_CreateObject();

            if (ngx_http_llm_canon_add(c, t) != NGX_OK
                || cJSON_AddStringToObject(t, "text", s) == NULL)
            {
                return NGX_ERROR;
            }
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_bedrock_tools(cJSON *canon, cJSON *req,
    ngx_http_llm_tr_err_t *err)
{
    cJSON       *tools, *tool, *tc, *out, *spec, *t, *v, *choice;
    const char  *s;

    tools = cJSON_GetObjectItemCaseSensitive(canon, "tools");
    tc = cJSON_GetObjectItemCaseSensitive(canon, "tool_choice");

    if (cJSON_GetArraySize(tools) == 0) {
        return NGX_OK;
    }

    s = cJSON_IsString(tc) ? tc->valuestring : NULL;

    if (s && strcmp(s, "none") == 0) {
        return ngx_http_llm_canon_error(err, "tool_choice \"none\" cannot "
                                        "be translated for Bedrock");
    }

    t = cJSON_AddObjectToObject(req, "toolConfig");
    out = t ? cJSON_AddArrayToObject(t, "tools") : NULL;

    if (out == NULL) {
        return NGX_ERROR;
    }

    cJSON_ArrayForEach(tool, tools) {
        v = cJSON_CreateObject();
        spec = cJSON_AddObjectToObject(v, "toolSpec");

        if (ngx_http_llm_canon_add(out, v) != NGX_OK || spec == NULL) {
            return NGX_ERROR;
        }

        v = ngx_http_llm_canon_tool_out(tool, spec);

        if (v == NULL
            || !cJSON_AddItemToObject(cJSON_AddObjectToObject(spec,
                                                              "inputSchema"),
                                      "json", v))
        {
            cJSON_Delete(v);
            return NGX_ERROR;
        }
    }

    if (tc == NULL) {
        return NGX_OK;
    }

    choice = cJSON_AddObjectToObject(t, "toolChoice");
    if (choice == NULL) {
        return NGX_ERROR;
    }

    s = cJSON_IsString(tc) ? tc->valuestring : NULL;

    if (s) {
        return cJSON_AddObjectToObject(choice,
                   strcmp(s, "required") == 0 ? "any" : "auto")
               ? NGX_OK : NGX_ERROR;
    }

    v = cJSON_AddObjectToObject(choice, "tool");

    return (v && cJSON_AddStringToObject(v, "name",
                     ngx_http_llm_canon_str(tc, "name")))
           ? NGX_OK : NGX_ERROR;
}


/* the members of an answer translation reads, with their types */

static const ngx_http_llm_shape_member_t  ngx_http_llm_bedrock_tool_use[] = {
    { "toolUseId", &ngx_http_llm_shape_string },
    { "name", &ngx_http_llm_shape_string },
    { "input", &ngx_http_llm_shape_object },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_bedrock_tool_use_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_bedrock_tool_use
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_bedrock_block[] = {
    { "text", &ngx_http_llm_shape_string },
    { "toolUse", &ngx_http_llm_bedrock_tool_use_shape },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_bedrock_block_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_bedrock_block
};

static const ngx_http_llm_shape_t  ngx_http_llm_bedrock_blocks_shape = {
    NGX_HTTP_LLM_SHAPE_ARRAY, &ngx_http_llm_bedrock_block_shape, NULL
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_bedrock_message[] = {
    { "role", &ngx_http_llm_shape_string },
    { "content", &ngx_http_llm_bedrock_blocks_shape },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_bedrock_message_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_bedrock_message
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_bedrock_output[] = {
    { "message", &ngx_http_llm_bedrock_message_shape },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_bedrock_output_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_bedrock_output
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_bedrock_usage_m[] = {
    { "inputTokens", &ngx_http_llm_shape_count_null },
    { "outputTokens", &ngx_http_llm_shape_count_null },
    { "totalTokens", &ngx_http_llm_shape_count_null },
    { "cacheReadInputTokens", &ngx_http_llm_shape_count_null },
    { "cacheWriteInputTokens", &ngx_http_llm_shape_count_null },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_bedrock_usage_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT|NGX_HTTP_LLM_SHAPE_NULL, NULL,
    ngx_http_llm_bedrock_usage_m
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_bedrock_answer[] = {
    { "output", &ngx_http_llm_bedrock_output_shape },
    { "stopReason", &ngx_http_llm_shape_string_null },
    { "usage", &ngx_http_llm_bedrock_usage_shape },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_bedrock_answer_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_bedrock_answer
};


/* a Converse answer into the canonical one; reasoning is left out */

cJSON *
ngx_http_llm_bedrock_response_to_canon(cJSON *resp,
    ngx_http_llm_tr_err_t *err)
{
    char        *args;
    cJSON       *canon, *content, *msg, *part, *tu, *p, *v;
    const char  *s;

    static const char *const  counts[][2] = {
        { "inputTokens", "input" },
        { "outputTokens", "output" },
        { "cacheReadInputTokens", "cache_read" },
        { "cacheWriteInputTokens", "cache_write" },
        { NULL, NULL }
    };

    canon = cJSON_CreateObject();
    content = cJSON_AddArrayToObject(canon, "content");

    if (content == NULL) {
        goto failed;
    }

    if (ngx_http_llm_canon_check(resp, &ngx_http_llm_bedrock_answer_shape,
                                 err)
        != NGX_OK)
    {
        goto failed;
    }

    msg = cJSON_GetObjectItemCaseSensitive(
              cJSON_GetObjectItemCaseSensitive(resp, "output"), "message");

    if (!cJSON_IsObject(msg)) {
        ngx_http_llm_canon_error(err, "not a Converse response");
        goto failed;
    }

    cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(msg,
                                                              "content"))
    {
        s = ngx_http_llm_canon_str(part, "text");

        if (s) {
            if (ngx_http_llm_canon_add(content, ngx_http_llm_canon_text(s))
                != NGX_OK)
            {
                goto failed;
            }

            continue;
        }

        tu = cJSON_GetObjectItemCaseSensitive(part, "toolUse");

        if (tu == NULL) {
            continue;
        }

        v = cJSON_GetObjectItemCaseSensitive(tu, "input");

        if (ngx_http_llm_canon_str(tu, "toolUseId") == NULL
            || ngx_http_llm_canon_str(tu, "name") == NULL
            || (v && !cJSON_IsObject(v)))
        {
            ngx_http_llm_canon_error(err, "a toolUse needs a toolUseId, a "
                                     "name and input as an object");
            goto failed;
        }

        args = v ? cJSON_PrintUnformatted(v) : NULL;
        p = cJSON_CreateObject();

        if (ngx_http_llm_canon_add(content, p) != NGX_OK
            || cJSON_AddStringToObject(p, "type", "tool_call") == NULL
            || cJSON_AddStringToObject(p, "id",
                   ngx_http_llm_canon_str(tu, "toolUseId")) == NULL
            || cJSON_AddStringToObject(p, "name",
                   ngx_http_llm_canon_str(tu, "name")) == NULL
            || cJSON_AddStringToObject(p, "arguments", args ? args : "{}")
               == NULL)
        {
            cJSON_free(args);
            goto failed;
        }

        cJSON_free(args);
    }

    if (cJSON_AddStringToObject(canon, "stop_reason",
            ngx_http_llm_canon_map(ngx_http_llm_canon_str(resp, "stopReason"),
                                   ngx_http_llm_bedrock_stops, "end"))
        == NULL)
    {
        goto failed;
    }

    if (ngx_http_llm_canon_add_usage(canon,
            cJSON_GetObjectItemCaseSensitive(resp, "usage"), counts)
        != NGX_OK)
    {
        goto failed;
    }

    return canon;

failed:

    if (err->msg[0] == '\0') {
        ngx_http_llm_canon_error(err, "out of memory");
    }

    cJSON_Delete(canon);

    return NULL;
}


/*
 * One ConverseStream frame as chat.completion.chunk events: messageStart
 * the role chunk, text deltas content, a toolUse block a tool call with
 * its input's deltas as streamed arguments, messageStop the finish
 * reason, metadata (the last frame) the usage and [DONE].  NGX_OK: go
 * on; NGX_DONE: complete; NGX_DECLINED: an exception frame, written as an
 * OpenAI error event; NGX_ERROR: a bad frame, or no room.
 */

ngx_int_t
ngx_http_llm_bedrock_stream_event(ngx_http_llm_chunks_t *st, u_char *data,
    size_t len, u_char **out, u_char *end)
{
    ngx_http_llm_es_frame_t     f;
    ngx_http_llm_json_value_t   doc, v, start, tu, delta, usage;

    if (ngx_http_llm_eventstream_frame(data, len, &f) != NGX_OK
        || f.size != len
        || ngx_http_llm_json_document(f.payload.data,
                                      f.payload.data + f.payload.len, &doc)
           != NGX_OK
        || doc.type != NGX_HTTP_LLM_JSON_OBJECT)
    {
        return NGX_ERROR;
    }

#define is(s)  (f.event_type.len == sizeof(s) - 1                            \
                && ngx_strncmp(f.event_type.data, s, sizeof(s) - 1) == 0)

    if (f.message_type.len != 5
        || ngx_strncmp(f.message_type.data, "event", 5) != 0)
    {
        return ngx_http_llm_openai_chunk_error(
                   ngx_http_llm_json_get(&doc, "message", &v) == NGX_OK
                   ? &v : NULL,
                   out, end);
    }

    if (is("messageStart")) {
        st->started = 1;
        st->tool = -1;

        if (ngx_http_llm_openai_chunk_head(st, out, end) != NGX_OK) {
            return NGX_ERROR;
        }

        ngx_http_llm_put("{\"role\":\"assistant\",\"content\":\"\"},"
                         "\"finish_reason\":null}]}\n\n");
        return NGX_OK;
    }

    if (!st->started) {
        return NGX_ERROR;
    }

    if (is("contentBlockStart")) {
        if (ngx_http_llm_json_get(&doc, "start", &start) != NGX_OK
            || ngx_http_llm_json_get(&start, "toolUse", &tu) != NGX_OK)
        {
            return NGX_OK;
        }

        if (ngx_http_llm_json_get(&tu, "toolUseId", &v) != NGX_OK
            || v.type != NGX_HTTP_LLM_JSON_STRING
            || ngx_http_llm_json_get(&tu, "name", &start) != NGX_OK
            || start.type != NGX_HTTP_LLM_JSON_STRING)
        {
            return NGX_ERROR;
        }

        return ngx_http_llm_openai_chunk_tool(st, &v, &start, out, end);
    }

    if (is("contentBlockDelta")) {
        if (ngx_http_llm_json_get(&doc, "delta", &delta) != NGX_OK) {
            return NGX_ERROR;
        }

        if (ngx_http_llm_json_get(&delta, "text", &v) == NGX_OK
            && v.type == NGX_HTTP_LLM_JSON_STRING)
        {
            return ngx_http_llm_openai_chunk_text(st, &v, out, end);
        }

        if (ngx_http_llm_json_get(&delta, "toolUse", &tu) != NGX_OK) {
            /* reasoning has no OpenAI form */
            return NGX_OK;
        }

        if (st->tool < 0
            || ngx_http_llm_json_get(&tu, "input", &v) != NGX_OK
            || v.type != NGX_HTTP_LLM_JSON_STRING)
        {
            return NGX_ERROR;
        }

        return ngx_http_llm_openai_chunk_args(st, &v, out, end);
    }

    if (is("contentBlockStop")) {
        st->tool = -1;
        return NGX_OK;
    }

    if (is("messageStop")) {
        if (st->finished) {
            return NGX_OK;
        }

        st->finished = 1;

        return ngx_http_llm_openai_chunk_finish(st,
                   (ngx_http_llm_json_get(&doc, "stopReason", &v) == NGX_OK
                    && v.type == NGX_HTTP_LLM_JSON_STRING)
                   ? ngx_http_llm_canon_map_token(&v,
                                                  ngx_http_llm_bedrock_stops,
                                                  "end")
                   : "end",
                   out, end);
    }

    if (is("metadata")) {
        if (ngx_http_llm_json_get(&doc, "usage", &usage) == NGX_OK) {
            ngx_http_llm_bedrock_usage(&st->usage, &usage);
        }

        return ngx_http_llm_openai_chunk_end(st, out, end);
    }

#undef is

    return NGX_OK;
}


static void
ngx_http_llm_bedrock_usage(ngx_http_llm_stream_usage_t *u,
    ngx_http_llm_json_value_t *usage)
{
    static const char *const  names[4] = { "inputTokens", "outputTokens",
                                           "cacheReadInputTokens",
                                           "cacheWriteInputTokens" };

    ngx_http_llm_canon_usage(u, usage, names);
    u->seen = 1;
}


/*
 * The body ended.  Converse's end marker is its metadata frame: without
 * it the answer is complete only if messageStop came (the usage then
 * estimated).
 */

ngx_int_t
ngx_http_llm_bedrock_stream_end(ngx_http_llm_chunks_t *st, u_char **out,
    u_char *end)
{
    if (!st->finished) {
        return NGX_DECLINED;
    }

    return ngx_http_llm_openai_chunk_body_end(st, out, end);
}


const ngx_http_llm_dialect_t  ngx_http_llm_bedrock_dialect = {
    NULL, NULL, NULL, 0, NULL, NULL,        /* no client speaks it */
    ngx_http_llm_canon_to_bedrock_request,
    ngx_http_llm_bedrock_response_to_canon,
    ngx_http_llm_bedrock_stream_event,
    ngx_http_llm_bedrock_stream_end,
    NULL, NULL,
    1, 1
};
