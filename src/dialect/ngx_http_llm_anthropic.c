
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_anthropic.h"
#include "ngx_http_llm_openai_canon.h"
#include "ngx_http_llm_json.h"
#include "ngx_http_llm_window.h"


/*
 * The Anthropic Messages dialect against the canonical model: requests
 * rendered for the provider, its responses and errors parsed back.
 * Anthropic wants alternating user/assistant turns, tool results inside
 * a user turn, tool inputs as objects and max_tokens always.
 */


static cJSON *ngx_http_llm_anthropic_block(cJSON *part,
    ngx_http_llm_tr_err_t *err);


/* Anthropic's stop_reason in the canonical model's words */
const char *const  ngx_http_llm_anthropic_stops[][2] = {
    { "end_turn", "end" },
    { "max_tokens", "max_tokens" },
    { "stop_sequence", "stop" },
    { "tool_use", "tool_calls" },
    { "refusal", "refusal" },
    { NULL, NULL }
};


cJSON *
ngx_http_llm_canon_to_anthropic_request(cJSON *canon,
    int64_t default_max_tokens, ngx_http_llm_tr_err_t *err)
{
    cJSON       *req, *system, *messages, *msg, *part, *content, *block;
    cJSON       *v, *tools, *tool, *t, *tc, *out, *last;
    const char  *role, *s;

    req = cJSON_CreateObject();
    last = NULL;
    if (req == NULL) {
        goto failed;
    }

    s = ngx_http_llm_canon_str(canon, "model");

    if (s == NULL || cJSON_AddStringToObject(req, "model", s) == NULL) {
        goto failed;
    }

    /* the system prompt: its text parts, as text blocks */

    system = cJSON_GetObjectItemCaseSensitive(canon, "system");

    if (cJSON_GetArraySize(system) > 0) {
        out = cJSON_AddArrayToObject(req, "system");
        if (out == NULL) {
            goto failed;
        }

        cJSON_ArrayForEach(part, system) {
            s = ngx_http_llm_canon_str(part, "type");

            if (s == NULL || strcmp(s, "text") != 0) {
                ngx_http_llm_canon_error(err, "a system message may hold "
                                         "text only");
                goto failed;
            }

            if (ngx_http_llm_canon_add(out,
                                       ngx_http_llm_anthropic_block(part, err))
                != NGX_OK)
            {
                goto failed;
            }
        }
    }

    messages = cJSON_AddArrayToObject(req, "messages");
    if (messages == NULL) {
        goto failed;
    }

    cJSON_ArrayForEach(msg, cJSON_GetObjectItemCaseSensitive(canon,
                                                             "messages"))
    {
        role = ngx_http_llm_canon_str(msg, "role");

        /* tool results travel in a user turn */
        content = ngx_http_llm_canon_turn(messages, &last,
                      (role && strcmp(role, "assistant") == 0)
                      ? "assistant" : "user", "content");
        if (content == NULL) {
            goto failed;
        }

        cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(msg,
                                                                  "content"))
        {
            block = ngx_http_llm_anthropic_block(part, err);

            if (ngx_http_llm_canon_add(content, block) != NGX_OK) {
                goto failed;
            }
        }
    }

    if (cJSON_GetArraySize(messages) == 0) {
        ngx_http_llm_canon_error(err, "at least one user or assistant "
                                 "message is needed");
        goto failed;
    }

    v = cJSON_GetObjectItemCaseSensitive(canon, "max_tokens");

    if (ngx_http_llm_canon_add_int(req, "max_tokens",
                                   cJSON_IsNumber(v) ? (int64_t) v->valuedouble
                                                     : default_max_tokens)
        == NULL)
    {
        goto failed;
    }

    v = cJSON_GetObjectItemCaseSensitive(canon, "stop");

    if (cJSON_GetArraySize(v) > 0) {
        v = cJSON_Duplicate(v, 1);

        if (v == NULL || !cJSON_AddItemToObject(req, "stop_sequences", v)) {
            cJSON_Delete(v);
            goto failed;
        }
    }

    v = cJSON_GetObjectItemCaseSensitive(canon, "temperature");

    if (cJSON_IsNumber(v)) {
        /* OpenAI allows up to 2, Anthropic up to 1 */
        if (cJSON_AddNumberToObject(req, "temperature",
                                    v->valuedouble > 1 ? 1 : v->valuedouble)
            == NULL)
        {
            goto failed;
        }
    }

    v = cJSON_GetObjectItemCaseSensitive(canon, "top_p");

    if (cJSON_IsNumber(v)
        && cJSON_AddNumberToObject(req, "top_p", v->valuedouble) == NULL)
    {
        goto failed;
    }

    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(canon, "stream"))
        && cJSON_AddTrueToObject(req, "stream") == NULL)
    {
        goto failed;
    }

    s = ngx_http_llm_canon_str(canon, "user");

    if (s) {
        v = cJSON_AddObjectToObject(req, "metadata");

        if (v == NULL || cJSON_AddStringToObject(v, "user_id", s) == NULL) {
            goto failed;
        }
    }

    tools = cJSON_GetObjectItemCaseSensitive(canon, "tools");

    if (cJSON_GetArraySize(tools) > 0) {
        out = cJSON_AddArrayToObject(req, "tools");
        if (out == NULL) {
            goto failed;
        }

        cJSON_ArrayForEach(tool, tools) {
            t = cJSON_CreateObject();

            if (ngx_http_llm_canon_add(out, t) != NGX_OK) {
                goto failed;
            }

            v = ngx_http_llm_canon_tool_out(tool, t);

            if (v == NULL || !cJSON_AddItemToObject(t, "input_schema", v)) {
                cJSON_Delete(v);
                goto failed;
            }
        }
    }

    tc = cJSON_GetObjectItemCaseSensitive(canon, "tool_choice");

    if (tc) {
        v = cJSON_AddObjectToObject(req, "tool_choice");
        if (v == NULL) {
            goto failed;
        }

        s = cJSON_IsString(tc) ? tc->valuestring : "tool";

        if (cJSON_AddStringToObject(v, "type",
                strcmp(s, "required") == 0 ? "any" : s) == NULL)
        {
            goto failed;
        }

        s = ngx_http_llm_canon_str(tc, "name");

        if (s && cJSON_AddStringToObject(v, "name", s) == NULL) {
            goto failed;
        }
    }

    return req;

failed:

    if (err->msg[0] == '\0') {
        ngx_http_llm_canon_error(err, "out of memory");
    }

    cJSON_Delete(req);

    return NULL;
}


static cJSON *
ngx_http_llm_anthropic_block(cJSON *part, ngx_http_llm_tr_err_t *err)
{
    cJSON       *b, *src, *input, *content, *p;
    const char  *type, *s;

    type = ngx_http_llm_canon_str(part, "type");
    b = cJSON_CreateObject();

    if (b == NULL || type == NULL) {
        goto failed;
    }

    if (strcmp(type, "text") == 0) {
        if (cJSON_AddStringToObject(b, "type", "text") == NULL
            || cJSON_AddStringToObject(b, "text",
                   ngx_http_llm_canon_str(part, "text")) == NULL)
        {
            goto failed;
        }

        return b;
    }

    if (strcmp(type, "image") == 0) {
        if (cJSON_AddStringToObject(b, "type", "image") == NULL
            || (src = cJSON_AddObjectToObject(b, "source")) == NULL)
        {
            goto failed;
        }

        s = ngx_http_llm_canon_str(part, "url");

        if (s) {
            if (cJSON_AddStringToObject(src, "type", "url") == NULL
                || cJSON_AddStringToObject(src, "url", s) == NULL)
            {
                goto failed;
            }

            return b;
        }

        if (cJSON_AddStringToObject(src, "type", "base64") == NULL
            || cJSON_AddStringToObject(src, "media_type",
                   ngx_http_llm_canon_str(part, "media_type")) == NULL
            || cJSON_AddStringToObject(src, "data",
                   ngx_http_llm_canon_str(part, "data")) == NULL)
        {
            goto failed;
        }

        return b;
    }

    if (strcmp(type, "tool_call") == 0) {
        /* OpenAI carries the arguments as JSON text, Anthropic as JSON */
        s = ngx_http_llm_canon_str(part, "arguments");
        input = s ? cJSON_Parse(s) : NULL;

        if (!cJSON_IsObject(input)) {
            cJSON_Delete(input);
            ngx_http_llm_canon_error(err, "the arguments of tool call \"%s\" "
                                     "are not a JSON object",
                                     ngx_http_llm_canon_str(part, "id"));
            goto failed;
        }

        if (cJSON_AddStringToObject(b, "type", "tool_use") == NULL
            || cJSON_AddStringToObject(b, "id",
                   ngx_http_llm_canon_str(part, "id")) == NULL
            || cJSON_AddStringToObject(b, "name",
                   ngx_http_llm_canon_str(part, "name")) == NULL
            || !cJSON_AddItemToObject(b, "input", input))
        {
            cJSON_Delete(input);
            goto failed;
        }

        return b;
    }

    if (strcmp(type, "tool_result") == 0) {
        if (cJSON_AddStringToObject(b, "type", "tool_result") == NULL
            || cJSON_AddStringToObject(b, "tool_use_id",
                   ngx_http_llm_canon_str(part, "id")) == NULL
            || (content = cJSON_AddArrayToObject(b, "content")) == NULL)
        {
            goto failed;
        }

        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(part,
                                                               "content"))
        {
            if (ngx_http_llm_canon_add(content,
                                       ngx_http_llm_anthropic_block(p, err))
                != NGX_OK)
            {
                goto failed;
            }
        }

        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(part, "is_error"))
            && cJSON_AddTrueToObject(b, "is_error") == NULL)
        {
            goto failed;
        }

        return b;
    }

    ngx_http_llm_canon_error(err, "a \"%s\" part cannot be translated", type);

failed:

    cJSON_Delete(b);

    return NULL;
}


/* the members of an answer translation reads, with their types */

static const ngx_http_llm_shape_member_t  ngx_http_llm_anthropic_rblock[] = {
    { "type", &ngx_http_llm_shape_string },
    { "text", &ngx_http_llm_shape_string },
    { "id", &ngx_http_llm_shape_string },
    { "name", &ngx_http_llm_shape_string },
    { "input", &ngx_http_llm_shape_object },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_rblock_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_anthropic_rblock
};

static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_rblocks_shape = {
    NGX_HTTP_LLM_SHAPE_ARRAY|NGX_HTTP_LLM_SHAPE_NULL,
    &ngx_http_llm_anthropic_rblock_shape, NULL
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_anthropic_usage_m[] = {
    { "input_tokens", &ngx_http_llm_shape_count_null },
    { "output_tokens", &ngx_http_llm_shape_count_null },
    { "cache_read_input_tokens", &ngx_http_llm_shape_count_null },
    { "cache_creation_input_tokens", &ngx_http_llm_shape_count_null },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_usage_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT|NGX_HTTP_LLM_SHAPE_NULL, NULL,
    ngx_http_llm_anthropic_usage_m
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_anthropic_answer[] = {
    { "type", &ngx_http_llm_shape_string },
    { "id", &ngx_http_llm_shape_string_null },
    { "model", &ngx_http_llm_shape_string_null },
    { "content", &ngx_http_llm_anthropic_rblocks_shape },
    { "stop_reason", &ngx_http_llm_shape_string_null },
    { "usage", &ngx_http_llm_anthropic_usage_shape },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_answer_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_anthropic_answer
};


/* a Messages response into the canonical one */

cJSON *
ngx_http_llm_anthropic_response_to_canon(cJSON *resp,
    ngx_http_llm_tr_err_t *err)
{
    char        *args;
    cJSON       *canon, *content, *block, *part, *v;
    const char  *type, *s;

    static const char *const  counts[][2] = {
        { "input_tokens", "input" },
        { "output_tokens", "output" },
        { "cache_read_input_tokens", "cache_read" },
        { "cache_creation_input_tokens", "cache_write" },
        { NULL, NULL }
    };

    canon = cJSON_CreateObject();
    if (canon == NULL) {
        goto failed;
    }

    if (ngx_http_llm_canon_check(resp, &ngx_http_llm_anthropic_answer_shape,
                                 err)
        != NGX_OK)
    {
        goto failed;
    }

    s = ngx_http_llm_canon_str(resp, "type");

    if (s == NULL || strcmp(s, "message") != 0) {
        ngx_http_llm_canon_error(err, "not a Messages response");
        goto failed;
    }

    s = ngx_http_llm_canon_str(resp, "id");

    if (s && cJSON_AddStringToObject(canon, "id", s) == NULL) {
        goto failed;
    }

    s = ngx_http_llm_canon_str(resp, "model");

    if (s && cJSON_AddStringToObject(canon, "model", s) == NULL) {
        goto failed;
    }

    content = cJSON_AddArrayToObject(canon, "content");
    if (content == NULL) {
        goto failed;
    }

    cJSON_ArrayForEach(block, cJSON_GetObjectItemCaseSensitive(resp,
                                                               "content"))
    {
        type = ngx_http_llm_canon_str(block, "type");

        if (type == NULL) {
            ngx_http_llm_canon_error(err, "a content block has no type");
            goto failed;
        }

        if (strcmp(type, "text") == 0) {
            s = ngx_http_llm_canon_str(block, "text");

            if (s == NULL
                || ngx_http_llm_canon_add(content,
                                          ngx_http_llm_canon_text(s))
                   != NGX_OK)
            {
                ngx_http_llm_canon_error(err, "a text block without text");
                goto failed;
            }

            continue;
        }

        if (strcmp(type, "tool_use") == 0) {
            v = cJSON_GetObjectItemCaseSensitive(block, "input");
            args = cJSON_IsObject(v) ? cJSON_PrintUnformatted(v) : NULL;
            part = args ? cJSON_CreateObject() : NULL;

            if (part == NULL
                || ngx_http_llm_canon_add(content, part) != NGX_OK
                || ngx_http_llm_canon_str(block, "id") == NULL
                || ngx_http_llm_canon_str(block, "name") == NULL
                || cJSON_AddStringToObject(part, "type", "tool_call") == NULL
                || cJSON_AddStringToObject(part, "id",
                       ngx_http_llm_canon_str(block, "id")) == NULL
                || cJSON_AddStringToObject(part, "name",
                       ngx_http_llm_canon_str(block, "name")) == NULL
                || cJSON_AddStringToObject(part, "arguments", args) == NULL)
            {
                cJSON_free(args);
                ngx_http_llm_canon_error(err, "a tool_use block needs id, "
                                         "name and an input object");
                goto failed;
            }

            cJSON_free(args);
            continue;
        }

        /* thinking and other blocks have no OpenAI form: left out */
    }

    s = ngx_http_llm_canon_map(ngx_http_llm_canon_str(resp, "stop_reason"),
                               ngx_http_llm_anthropic_stops, "end");

    if (cJSON_AddStringToObject(canon, "stop_reason", s) == NULL) {
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
 * One event of a Messages stream (its data: JSON) as zero or more
 * OpenAI chunk events, written at *out (up to end).  String values are
 * copied as the JSON tokens they arrive as: no unescaping, no escaping.
 * NGX_OK: go on; NGX_DONE: message_stop, the stream is complete ([DONE]
 * written); NGX_DECLINED: an error event, written as an OpenAI error
 * event, which ends the stream; NGX_ERROR: not a Messages event, or no
 * room.
 */

static void ngx_http_llm_stream_usage(ngx_http_llm_stream_usage_t *u,
    ngx_http_llm_json_value_t *usage);


ngx_int_t
ngx_http_llm_anthropic_stream_event(ngx_http_llm_chunks_t *st,
    u_char *data, size_t len, u_char **out, u_char *end)
{
    ngx_http_llm_json_value_t   doc, type, msg, v, block, delta, dt, usage,
                                err, text, json, stop;

    /* the members any event may need, in one walk; delta's in another */

    ngx_http_llm_json_pick_t  picks[] = {
        { "type", &type }, { "message", &msg }, { "content_block", &block },
        { "delta", &delta }, { "usage", &usage }, { "error", &err }
    };

    ngx_http_llm_json_pick_t  dpicks[] = {
        { "type", &dt }, { "text", &text }, { "partial_json", &json },
        { "stop_reason", &stop }
    };

    if (ngx_http_llm_json_document(data, data + len, &doc) != NGX_OK
        || ngx_http_llm_json_pick(&doc, picks,
                                  sizeof(picks) / sizeof(picks[0]))
           != NGX_OK
        || type.type != NGX_HTTP_LLM_JSON_STRING
        || ngx_http_llm_json_pick(&delta, dpicks,
                                  sizeof(dpicks) / sizeof(dpicks[0]))
           == NGX_ERROR)
    {
        return NGX_ERROR;
    }

#define is(s)  ngx_http_llm_json_key_is(&type, s)

    if (is("message_start")) {
        if (msg.type != NGX_HTTP_LLM_JSON_OBJECT) {
            return NGX_ERROR;
        }

        ngx_http_llm_canon_token(&msg, "id", st->id, &st->id_len);
        ngx_http_llm_canon_token(&msg, "model", st->model, &st->model_len);

        if (ngx_http_llm_json_get(&msg, "usage", &v) == NGX_OK) {
            ngx_http_llm_stream_usage(&st->usage, &v);
        }

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
        /* a ping may come first; anything else is not a Messages stream */
        return is("ping") ? NGX_OK : NGX_ERROR;
    }

    if (is("content_block_start")) {
        st->tool = -1;

        if (ngx_http_llm_json_get(&block, "type", &v) != NGX_OK) {
            return NGX_ERROR;
        }

        if (!ngx_http_llm_json_key_is(&v, "tool_use")) {
            /* a text block opens empty; thinking blocks are left out */
            return NGX_OK;
        }

        if (ngx_http_llm_json_get(&block, "id", &v) != NGX_OK
            || v.type != NGX_HTTP_LLM_JSON_STRING
            || ngx_http_llm_json_get(&block, "name", &msg) != NGX_OK
            || msg.type != NGX_HTTP_LLM_JSON_STRING)
        {
            return NGX_ERROR;
        }

        return ngx_http_llm_openai_chunk_tool(st, &v, &msg, out, end);
    }

    if (is("content_block_delta")) {
        if (dt.type == 0) {
            return NGX_ERROR;
        }

        if (ngx_http_llm_json_key_is(&dt, "text_delta")) {
            if (text.type != NGX_HTTP_LLM_JSON_STRING) {
                return NGX_ERROR;
            }

            return ngx_http_llm_openai_chunk_text(st, &text, out, end);
        }

        if (ngx_http_llm_json_key_is(&dt, "input_json_delta")
            && st->tool >= 0)
        {
            if (json.type != NGX_HTTP_LLM_JSON_STRING) {
                return NGX_ERROR;
            }

            return ngx_http_llm_openai_chunk_args(st, &json, out, end);
        }

        /* thinking and signature deltas have no OpenAI form */
        return NGX_OK;
    }

    if (is("content_block_stop")) {
        st->tool = -1;
        return NGX_OK;
    }

    if (is("message_delta")) {
        if (usage.type != 0) {
            /* cumulative counts: the last one holds, never summed */
            ngx_http_llm_stream_usage(&st->usage, &usage);
            st->usage.seen = 1;
        }

        if (stop.type != NGX_HTTP_LLM_JSON_STRING) {
            return NGX_OK;
        }

        /* the same mapping as whole answers: Anthropic, canon, OpenAI */
        return ngx_http_llm_openai_chunk_finish(st,
                   ngx_http_llm_canon_map_token(&stop,
                                                ngx_http_llm_anthropic_stops,
                                                "end"),
                   out, end);
    }

    if (is("message_stop")) {
        return ngx_http_llm_openai_chunk_end(st, out, end);
    }

    if (is("error")) {
        return ngx_http_llm_openai_chunk_error(
                   ngx_http_llm_json_get(&err, "message", &msg) == NGX_OK
                   ? &msg : NULL,
                   out, end);
    }

#undef is

    /* ping, and event types this gateway does not know yet */
    return NGX_OK;
}


/* a whole Messages answer's usage */

ngx_int_t
ngx_http_llm_anthropic_usage(ngx_http_llm_stream_usage_t *u, u_char *data,
    size_t len)
{
    ngx_http_llm_json_value_t  doc, usage;

    if (ngx_http_llm_json_document(data, data + len, &doc) != NGX_OK
        || doc.type != NGX_HTTP_LLM_JSON_OBJECT
        || ngx_http_llm_json_get(&doc, "usage", &usage) != NGX_OK
        || usage.type != NGX_HTTP_LLM_JSON_OBJECT)
    {
        return NGX_DECLINED;
    }

    ngx_http_llm_stream_usage(u, &usage);
    u->seen = 1;

    return NGX_OK;
}


/*
 * A Messages stream passed through to an Anthropic client: only read, for
 * its usage (message_start, then message_delta's cumulative counts) and
 * its end.  NGX_DONE: message_stop or an error event, the stream's last.
 */

ngx_int_t
ngx_http_llm_anthropic_stream_observe(ngx_http_llm_stream_usage_t *u,
    u_char *data, size_t len)
{
    ngx_http_llm_json_value_t  doc, type, v, delta, usage;

    if (ngx_http_llm_json_document(data, data + len, &doc) != NGX_OK
        || ngx_http_llm_json_get(&doc, "type", &type) != NGX_OK)
    {
        return NGX_OK;
    }

    if (ngx_http_llm_json_key_is(&type, "content_block_delta")) {
        if (ngx_http_llm_json_get(&doc, "delta", &delta) == NGX_OK
            && (ngx_http_llm_json_get(&delta, "text", &v) == NGX_OK
                || ngx_http_llm_json_get(&delta, "partial_json", &v)
                   == NGX_OK)
            && v.type == NGX_HTTP_LLM_JSON_STRING)
        {
            u->streamed += v.end - v.start - 2;
        }

        return NGX_OK;
    }

    if (ngx_http_llm_json_key_is(&type, "message_start")) {
        if (ngx_http_llm_json_get(&doc, "message", &v) == NGX_OK
            && ngx_http_llm_json_get(&v, "usage", &usage) == NGX_OK)
        {
            ngx_http_llm_stream_usage(u, &usage);
        }

        return NGX_OK;
    }

    if (ngx_http_llm_json_key_is(&type, "message_delta")) {
        if (ngx_http_llm_json_get(&doc, "usage", &usage) == NGX_OK) {
            ngx_http_llm_stream_usage(u, &usage);
            u->seen = 1;
        }

        return NGX_OK;
    }

    if (ngx_http_llm_json_key_is(&type, "message_stop")
        || ngx_http_llm_json_key_is(&type, "error"))
    {
        return NGX_DONE;
    }

    return NGX_OK;
}


static void
ngx_http_llm_stream_usage(ngx_http_llm_stream_usage_t *u,
    ngx_http_llm_json_value_t *usage)
{
    static const char *const  names[4] = { "input_tokens", "output_tokens",
                                           "cache_read_input_tokens",
                                           "cache_creation_input_tokens" };

    ngx_http_llm_canon_usage(u, usage, names);
}


const ngx_http_llm_dialect_t  ngx_http_llm_anthropic_dialect = {
    NULL, NULL, NULL, 0, NULL, NULL,        /* a client's side */
    ngx_http_llm_canon_to_anthropic_request,
    ngx_http_llm_anthropic_response_to_canon,
    ngx_http_llm_anthropic_stream_event,
    NULL,                                   /* message_stop ends it */
    ngx_http_llm_anthropic_stream_observe,
    ngx_http_llm_anthropic_usage,
    0, 0
};
