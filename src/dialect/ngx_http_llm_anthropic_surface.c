
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <stdio.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_anthropic_surface.h"
#include "ngx_http_llm_anthropic.h"
#include "ngx_http_llm_openai_canon.h"
#include "ngx_http_llm_json.h"


/*
 * The Anthropic Messages dialect as the client's (llm_gateway anthropic):
 * its requests parsed into the canonical model, answers rendered from it,
 * and chat completion chunks (an OpenAI-dialect provider's, or another's
 * read into them) turned into the Messages event sequence.
 */


static ngx_int_t ngx_http_llm_anthropic_in_content(cJSON *content,
    cJSON *parts, ngx_uint_t results, ngx_http_llm_tr_err_t *err, int i);
static ngx_int_t ngx_http_llm_anthropic_in_tools(cJSON *req, cJSON *canon,
    ngx_http_llm_tr_err_t *err);
static ngx_int_t ngx_http_llm_anthropic_in_fields(cJSON *req, cJSON *canon,
    ngx_http_llm_tr_err_t *err);
static ngx_int_t ngx_http_llm_messages_chunk(ngx_http_llm_messages_t *st,
    u_char *data, size_t len, u_char **out, u_char *end);
static ngx_int_t ngx_http_llm_openai_stream_close(
    ngx_http_llm_messages_t *st, u_char **out, u_char *end);
static ngx_int_t ngx_http_llm_openai_stream_open(
    ngx_http_llm_messages_t *st, u_char **out, u_char *end);
static ngx_int_t ngx_http_llm_messages_tools(
    ngx_http_llm_messages_t *st, ngx_http_llm_json_value_t *calls,
    u_char **out, u_char *end);
static ngx_int_t ngx_http_llm_openai_stream_end(
    ngx_http_llm_messages_t *st, u_char **out, u_char *end);
static ngx_int_t ngx_http_llm_messages_text(ngx_http_llm_messages_t *st,
    ngx_http_llm_json_value_t *text, u_char **out, u_char *end);
static ngx_int_t ngx_http_llm_messages_tool(ngx_http_llm_messages_t *st,
    ngx_http_llm_json_value_t *id, ngx_http_llm_json_value_t *name,
    u_char **out, u_char *end);
static ngx_int_t ngx_http_llm_messages_json(ngx_http_llm_messages_t *st,
    u_char *p, size_t n, u_char **out, u_char *end);


/* the members translation reads, with their types */

static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_content_shape;

static const ngx_http_llm_shape_member_t  ngx_http_llm_anthropic_source[] = {
    { "type", &ngx_http_llm_shape_string },
    { "media_type", &ngx_http_llm_shape_string },
    { "data", &ngx_http_llm_shape_string },
    { "url", &ngx_http_llm_shape_string },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_source_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_anthropic_source
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_anthropic_block[] = {
    { "type", &ngx_http_llm_shape_string },
    { "text", &ngx_http_llm_shape_string },
    { "source", &ngx_http_llm_anthropic_source_shape },
    { "id", &ngx_http_llm_shape_string },
    { "name", &ngx_http_llm_shape_name },
    { "input", &ngx_http_llm_shape_object },
    { "tool_use_id", &ngx_http_llm_shape_string },
    { "content", &ngx_http_llm_anthropic_content_shape },
    { "is_error", &ngx_http_llm_shape_bool_null },
    { "cache_control", &ngx_http_llm_shape_object_null },
    { "thinking", &ngx_http_llm_shape_string },
    { "signature", &ngx_http_llm_shape_string },
    { "data", &ngx_http_llm_shape_string },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_block_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_anthropic_block
};

/* a string, or blocks (a tool result's content holds blocks too) */
static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_content_shape = {
    NGX_HTTP_LLM_SHAPE_STRING|NGX_HTTP_LLM_SHAPE_ARRAY,
    &ngx_http_llm_anthropic_block_shape, NULL
};

static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_system_shape = {
    NGX_HTTP_LLM_SHAPE_STRING|NGX_HTTP_LLM_SHAPE_ARRAY|NGX_HTTP_LLM_SHAPE_NULL,
    &ngx_http_llm_anthropic_block_shape, NULL
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_anthropic_message[] = {
    { "role", &ngx_http_llm_shape_string },
    { "content", &ngx_http_llm_anthropic_content_shape },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_message_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_anthropic_message
};

static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_messages_shape = {
    NGX_HTTP_LLM_SHAPE_ARRAY, &ngx_http_llm_anthropic_message_shape, NULL
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_anthropic_tool[] = {
    { "type", &ngx_http_llm_shape_string },
    { "name", &ngx_http_llm_shape_name },
    { "description", &ngx_http_llm_shape_string },
    { "input_schema", &ngx_http_llm_shape_object },
    { "cache_control", &ngx_http_llm_shape_object_null },
    { "disable_parallel_tool_use", &ngx_http_llm_shape_bool_null },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_tool_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_anthropic_tool
};

static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_tools_shape = {
    NGX_HTTP_LLM_SHAPE_ARRAY|NGX_HTTP_LLM_SHAPE_NULL,
    &ngx_http_llm_anthropic_tool_shape, NULL
};

/* tool_choice: {"type", "name", "disable_parallel_tool_use"} */
static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_choice_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT|NGX_HTTP_LLM_SHAPE_NULL, NULL,
    ngx_http_llm_anthropic_tool
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_anthropic_metadata[] = {
    { "user_id", &ngx_http_llm_shape_string_null },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_metadata_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT|NGX_HTTP_LLM_SHAPE_NULL, NULL,
    ngx_http_llm_anthropic_metadata
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_anthropic_request[] = {
    { "model", &ngx_http_llm_shape_name },
    { "messages", &ngx_http_llm_anthropic_messages_shape },
    { "system", &ngx_http_llm_anthropic_system_shape },
    { "tools", &ngx_http_llm_anthropic_tools_shape },
    { "tool_choice", &ngx_http_llm_anthropic_choice_shape },
    { "max_tokens", &ngx_http_llm_shape_int_null },
    { "temperature", &ngx_http_llm_shape_number_null },
    { "top_p", &ngx_http_llm_shape_number_null },
    { "top_k", &ngx_http_llm_shape_int_null },
    { "stop_sequences", &ngx_http_llm_shape_strings_null },
    { "stream", &ngx_http_llm_shape_bool_null },
    { "metadata", &ngx_http_llm_anthropic_metadata_shape },
    { "thinking", &ngx_http_llm_shape_object_null },
    { "fallbacks", &ngx_http_llm_shape_strings },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_anthropic_request_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_anthropic_request
};


cJSON *
ngx_http_llm_anthropic_request_to_canon(cJSON *req, const char *model,
    ngx_uint_t stream, ngx_http_llm_tr_err_t *err)
{
    int          i;
    cJSON       *canon, *system, *messages, *msg, *out, *parts, *v;
    const char  *role;

    canon = ngx_http_llm_canon_request(req,
                                       &ngx_http_llm_anthropic_request_shape,
                                       model, err);
    if (canon == NULL) {
        return NULL;
    }

    system = cJSON_GetObjectItemCaseSensitive(canon, "system");
    out = cJSON_GetObjectItemCaseSensitive(canon, "messages");

    v = cJSON_GetObjectItemCaseSensitive(req, "system");

    if (v && !cJSON_IsNull(v)
        && ngx_http_llm_anthropic_in_content(v, system, 0, err, -1) != NGX_OK)
    {
        goto failed;
    }

    messages = cJSON_GetObjectItemCaseSensitive(req, "messages");

    if (!cJSON_IsArray(messages)) {
        ngx_http_llm_canon_error(err, "\"messages\" must be an array");
        goto failed;
    }

    i = 0;

    cJSON_ArrayForEach(msg, messages) {
        role = ngx_http_llm_canon_str(msg, "role");

        if (role == NULL
            || (strcmp(role, "user") != 0 && strcmp(role, "assistant") != 0))
        {
            ngx_http_llm_canon_error(err, "messages[%d].role must be \"user\" "
                                     "or \"assistant\"", i);
            goto failed;
        }

        parts = ngx_http_llm_canon_message(out, role);

        if (parts == NULL
            || ngx_http_llm_anthropic_in_content(
                   cJSON_GetObjectItemCaseSensitive(msg, "content"), parts, 1,
                   err, i)
               != NGX_OK)
        {
            goto failed;
        }

        i++;
    }

    if (ngx_http_llm_anthropic_in_tools(req, canon, err) != NGX_OK
        || ngx_http_llm_anthropic_in_fields(req, canon, err) != NGX_OK)
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
 * A string, or an array of content blocks: text, image, tool_use and
 * (when "results") tool_result.  Thinking blocks of earlier turns have no
 * other form and are left out; cache_control marks are left out.
 */

static ngx_int_t
ngx_http_llm_anthropic_in_content(cJSON *content, cJSON *parts,
    ngx_uint_t results, ngx_http_llm_tr_err_t *err, int i)
{
    char        *args, media[128];
    cJSON       *b, *src, *part, *rparts, *v;
    const char  *type, *s, *d;

    if (cJSON_IsString(content)) {
        return ngx_http_llm_canon_add(parts,
                   ngx_http_llm_canon_text(content->valuestring));
    }

    if (!cJSON_IsArray(content)) {
        return ngx_http_llm_canon_error(err, "messages[%d].content must be "
                                        "a string or an array", i);
    }

    cJSON_ArrayForEach(b, content) {
        type = ngx_http_llm_canon_str(b, "type");

        if (type == NULL) {
            return ngx_http_llm_canon_error(err, "messages[%d]: a content "
                                            "block needs a \"type\"", i);
        }

        if (cJSON_GetObjectItemCaseSensitive(b, "cache_control")) {
            ngx_http_llm_canon_drop(err, "cache_control");
        }

        if (strcmp(type, "text") == 0) {
            s = ngx_http_llm_canon_str(b, "text");

            if (s == NULL) {
                return ngx_http_llm_canon_error(err, "messages[%d]: a text "
                                                "block needs \"text\"", i);
            }

            if (ngx_http_llm_canon_add(parts, ngx_http_llm_canon_text(s))
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            continue;
        }

        if (strcmp(type, "image") == 0) {
            src = cJSON_GetObjectItemCaseSensitive(b, "source");
            s = ngx_http_llm_canon_str(src, "type");
            part = NULL;

            if (s && strcmp(s, "url") == 0
                && (d = ngx_http_llm_canon_str(src, "url")))
            {
                part = ngx_http_llm_canon_image_url(d);

            } else if (s && strcmp(s, "base64") == 0
                       && (d = ngx_http_llm_canon_str(src, "data"))
                       && (s = ngx_http_llm_canon_str(src, "media_type"))
                       && strlen(s) < sizeof(media))
            {
                part = cJSON_CreateObject();

                if (part
                    && (cJSON_AddStringToObject(part, "type", "image") == NULL
                        || cJSON_AddStringToObject(part, "media_type", s)
                           == NULL
                        || cJSON_AddStringToObject(part, "data", d) == NULL))
                {
                    cJSON_Delete(part);
                    return NGX_ERROR;
                }

            } else {
                return ngx_http_llm_canon_error(err, "messages[%d]: an image "
                                 "needs a base64 or url source", i);
            }

            if (ngx_http_llm_canon_add(parts, part) != NGX_OK) {
                return NGX_ERROR;
            }

            continue;
        }

        if (strcmp(type, "tool_use") == 0 && results) {
            v = cJSON_GetObjectItemCaseSensitive(b, "input");

            if (ngx_http_llm_canon_str(b, "id") == NULL
                || ngx_http_llm_canon_str(b, "name") == NULL
                || !cJSON_IsObject(v))
            {
                return ngx_http_llm_canon_error(err, "messages[%d]: a "
                                 "tool_use block needs id, name and an "
                                 "input object", i);
            }

            args = cJSON_PrintUnformatted(v);
            part = args ? cJSON_CreateObject() : NULL;

            if (ngx_http_llm_canon_add(parts, part) != NGX_OK
                || cJSON_AddStringToObject(part, "type", "tool_call") == NULL
                || cJSON_AddStringToObject(part, "id",
                       ngx_http_llm_canon_str(b, "id")) == NULL
                || cJSON_AddStringToObject(part, "name",
                       ngx_http_llm_canon_str(b, "name")) == NULL
                || cJSON_AddStringToObject(part, "arguments", args) == NULL)
            {
                cJSON_free(args);
                return NGX_ERROR;
            }

            cJSON_free(args);
            continue;
        }

        if (strcmp(type, "tool_result") == 0 && results) {
            s = ngx_http_llm_canon_str(b, "tool_use_id");

            if (s == NULL) {
                return ngx_http_llm_canon_error(err, "messages[%d]: a "
                                 "tool_result block needs tool_use_id", i);
            }

            part = cJSON_CreateObject();
            rparts = cJSON_CreateArray();

            if (part == NULL || rparts == NULL
                || ngx_http_llm_canon_add(parts, part) != NGX_OK)
            {
                cJSON_Delete(rparts);
                return NGX_ERROR;
            }

            cJSON_AddItemToObject(part, "content", rparts);

            if (cJSON_AddStringToObject(part, "type", "tool_result") == NULL
                || cJSON_AddStringToObject(part, "id", s) == NULL)
            {
                return NGX_ERROR;
            }

            v = cJSON_GetObjectItemCaseSensitive(b, "content");

            /* a result may be empty; its parts are text and images */
            if (v && ngx_http_llm_anthropic_in_content(v, rparts, 0, err, i)
                     != NGX_OK)
            {
                return NGX_ERROR;
            }

            if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "is_error"))
                && cJSON_AddTrueToObject(part, "is_error") == NULL)
            {
                return NGX_ERROR;
            }

            continue;
        }

        if (strcmp(type, "thinking") == 0
            || strcmp(type, "redacted_thinking") == 0)
        {
            ngx_http_llm_canon_drop(err, type);
            continue;
        }

        return ngx_http_llm_canon_error(err, "messages[%d]: a \"%s\" block "
                                        "cannot be translated", i, type);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_anthropic_in_tools(cJSON *req, cJSON *canon,
    ngx_http_llm_tr_err_t *err)
{
    cJSON       *tools, *tool, *out, *v, *tc;
    const char  *s, *name;

    tools = cJSON_GetObjectItemCaseSensitive(req, "tools");

    if (tools && !cJSON_IsNull(tools)) {
        if (!cJSON_IsArray(tools)) {
            return ngx_http_llm_canon_error(err, "\"tools\" must be an "
                                            "array");
        }

        out = cJSON_AddArrayToObject(canon, "tools");
        if (out == NULL) {
            return NGX_ERROR;
        }

        cJSON_ArrayForEach(tool, tools) {
            s = ngx_http_llm_canon_str(tool, "type");
            name = ngx_http_llm_canon_str(tool, "name");

            /* the server tools (web search, bash, ...) run at Anthropic */
            if ((s && strcmp(s, "custom") != 0) || name == NULL) {
                return ngx_http_llm_canon_error(err, "\"tools\": the tool "
                                 "type \"%s\" cannot be translated; only "
                                 "client tools with a name and "
                                 "input_schema", s ? s : "(none)");
            }

            if (ngx_http_llm_canon_tool(out, name,
                    ngx_http_llm_canon_str(tool, "description"),
                    cJSON_GetObjectItemCaseSensitive(tool, "input_schema"))
                == NULL)
            {
                return NGX_ERROR;
            }
        }
    }

    tc = cJSON_GetObjectItemCaseSensitive(req, "tool_choice");

    if (tc == NULL || cJSON_IsNull(tc)) {
        return NGX_OK;
    }

    s = ngx_http_llm_canon_str(tc, "type");

    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tc,
                                                "disable_parallel_tool_use"))
        && cJSON_AddFalseToObject(canon, "parallel") == NULL)
    {
        return NGX_ERROR;
    }

    if (s && (strcmp(s, "auto") == 0 || strcmp(s, "none") == 0)) {
        return cJSON_AddStringToObject(canon, "tool_choice", s)
               ? NGX_OK : NGX_ERROR;
    }

    if (s && strcmp(s, "any") == 0) {
        return cJSON_AddStringToObject(canon, "tool_choice", "required")
               ? NGX_OK : NGX_ERROR;
    }

    name = ngx_http_llm_canon_str(tc, "name");

    if (s == NULL || strcmp(s, "tool") != 0 || name == NULL) {
        return ngx_http_llm_canon_error(err, "\"tool_choice\" must be auto, "
                                        "any, none or {\"type\": \"tool\", "
                                        "\"name\": ...}");
    }

    v = cJSON_AddObjectToObject(canon, "tool_choice");

    return (v && cJSON_AddStringToObject(v, "name", name)) ? NGX_OK
                                                           : NGX_ERROR;
}


/* the members besides messages, system and tools */

static ngx_int_t
ngx_http_llm_anthropic_in_fields(cJSON *req, cJSON *canon,
    ngx_http_llm_tr_err_t *err)
{
    const char   *user;

    static const char  *known[] = { "model", "messages", "system", "tools",
                                    "tool_choice", "max_tokens",
                                    "temperature", "top_p", "stop_sequences",
                                    "stream", "metadata", "fallbacks",
                                    NULL };
    static const char  *refused[] = { "mcp_servers", "container", NULL };

    if (ngx_http_llm_canon_sampling(req, "max_tokens",
                                    ngx_http_llm_canon_numbers, canon, err)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_llm_canon_stop(cJSON_GetObjectItemCaseSensitive(req,
                                                        "stop_sequences"),
                                canon, "stop_sequences", err)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "stream"))
        && cJSON_AddTrueToObject(canon, "stream") == NULL)
    {
        return NGX_ERROR;
    }

    user = ngx_http_llm_canon_str(
               cJSON_GetObjectItemCaseSensitive(req, "metadata"), "user_id");

    if (user && cJSON_AddStringToObject(canon, "user", user) == NULL) {
        return NGX_ERROR;
    }

    /* what is neither mapped nor refused is named in the debug log */
    return ngx_http_llm_canon_fields(req, known, refused, err);
}


/* a Messages response from a canonical one */

cJSON *
ngx_http_llm_canon_to_anthropic_response(cJSON *canon, int64_t created,
    ngx_http_llm_tr_err_t *err)
{
    cJSON       *resp, *content, *part, *b, *input, *usage, *u;
    const char  *type, *s;

    static const char  *counts[][2] = {
        { "input", "input_tokens" },
        { "cache_write", "cache_creation_input_tokens" },
        { "cache_read", "cache_read_input_tokens" },
        { "output", "output_tokens" },
        { NULL, NULL }
    };
    ngx_uint_t          i;

    resp = cJSON_CreateObject();
    if (resp == NULL) {
        goto failed;
    }

    s = ngx_http_llm_canon_str(canon, "id");

    if (cJSON_AddStringToObject(resp, "id", s ? s : "msg_llm") == NULL
        || cJSON_AddStringToObject(resp, "type", "message") == NULL
        || cJSON_AddStringToObject(resp, "role", "assistant") == NULL)
    {
        goto failed;
    }

    s = ngx_http_llm_canon_str(canon, "model");

    if (s && cJSON_AddStringToObject(resp, "model", s) == NULL) {
        goto failed;
    }

    content = cJSON_AddArrayToObject(resp, "content");
    if (content == NULL) {
        goto failed;
    }

    cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(canon,
                                                              "content"))
    {
        type = ngx_http_llm_canon_str(part, "type");
        b = cJSON_CreateObject();

        if (ngx_http_llm_canon_add(content, b) != NGX_OK || type == NULL) {
            goto failed;
        }

        if (strcmp(type, "text") == 0) {
            if (cJSON_AddStringToObject(b, "type", "text") == NULL
                || cJSON_AddStringToObject(b, "text",
                       ngx_http_llm_canon_str(part, "text")) == NULL)
            {
                goto failed;
            }

            continue;
        }

        /* Anthropic's input is an object, never mended if it is not */
        s = ngx_http_llm_canon_str(part, "arguments");
        input = s ? cJSON_Parse(s) : NULL;

        if (strcmp(type, "tool_call") != 0 || !cJSON_IsObject(input)) {
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
    }

    s = ngx_http_llm_canon_unmap(ngx_http_llm_canon_str(canon, "stop_reason"),
                                 ngx_http_llm_anthropic_stops, "end_turn");

    if (cJSON_AddStringToObject(resp, "stop_reason", s) == NULL
        || cJSON_AddNullToObject(resp, "stop_sequence") == NULL
        || (u = cJSON_AddObjectToObject(resp, "usage")) == NULL)
    {
        goto failed;
    }

    usage = cJSON_GetObjectItemCaseSensitive(canon, "usage");

    for (i = 0; counts[i][0]; i++) {
        if (ngx_http_llm_canon_add_int(u, counts[i][1],
                ngx_http_llm_canon_count(usage, counts[i][0]))
            == NULL)
        {
            goto failed;
        }
    }

    return resp;

failed:

    if (err->msg[0] == '\0') {
        ngx_http_llm_canon_error(err, "out of memory");
    }

    cJSON_Delete(resp);

    return NULL;
}


/*
 * One chat.completion.chunk (its data: JSON, or [DONE]) as zero or more
 * Messages events: message_start at the first chunk, a content block per
 * run of text or per tool call, and message_delta (stop reason, usage)
 * with message_stop at [DONE], as OpenAI's usage chunk comes after its
 * finish_reason.  Strings are copied as the JSON tokens they arrive as.
 * NGX_OK: go on; NGX_DONE: the stream is complete; NGX_DECLINED: an
 * error chunk, written as an error event, which ends the stream;
 * NGX_ERROR: not a chunk, or no room.
 */

ngx_int_t
ngx_http_llm_messages_write(void *data, ngx_http_llm_stream_usage_t *u,
    ngx_uint_t given, u_char *in, size_t len, u_char **out, u_char *end)
{
    ngx_int_t                 rc;
    ngx_http_llm_messages_t  *st;

    st = data;
    st->relayed = given;

    if (given) {
        st->usage = *u;
    }

    rc = ngx_http_llm_messages_chunk(st, in, len, out, end);

    if (!given) {
        *u = st->usage;
    }

    return rc;
}


static ngx_int_t
ngx_http_llm_messages_chunk(ngx_http_llm_messages_t *st, u_char *data,
    size_t len, u_char **out, u_char *end)
{
    ngx_http_llm_json_value_t   doc, v, choice, delta, usage, d;

    if (len == 6 && ngx_strncmp(data, "[DONE]", 6) == 0) {
        if (ngx_http_llm_openai_stream_open(st, out, end) != NGX_OK) {
            return NGX_ERROR;
        }

        return ngx_http_llm_openai_stream_end(st, out, end);
    }

    if (ngx_http_llm_json_document(data, data + len, &doc) != NGX_OK
        || doc.type != NGX_HTTP_LLM_JSON_OBJECT)
    {
        return NGX_ERROR;
    }

    if (ngx_http_llm_json_get(&doc, "error", &v) == NGX_OK
        && v.type != NGX_HTTP_LLM_JSON_NULL)
    {
        ngx_http_llm_put("event: error\ndata: {\"type\":\"error\",\"error\":"
                         "{\"type\":\"api_error\",\"message\":");

        if (ngx_http_llm_json_get(&v, "message", &d) == NGX_OK
            && d.type == NGX_HTTP_LLM_JSON_STRING)
        {
            ngx_http_llm_put_tok(&d);

        } else {
            ngx_http_llm_put("\"The provider's stream failed.\"");
        }

        ngx_http_llm_put("}}\n\n");
        return NGX_DECLINED;
    }

    if (!st->started) {
        ngx_http_llm_canon_token(&doc, "id", st->id, &st->id_len);
        ngx_http_llm_canon_token(&doc, "model", st->model, &st->model_len);

        if (ngx_http_llm_openai_stream_open(st, out, end) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (!st->relayed
        && ngx_http_llm_json_get(&doc, "usage", &usage) == NGX_OK
        && usage.type == NGX_HTTP_LLM_JSON_OBJECT)
    {
        ngx_http_llm_openai_chunk_usage(&st->usage, &usage);
    }

    if (ngx_http_llm_openai_chunk_choice(&doc, &choice) != NGX_OK) {
        /* the usage chunk has no choices */
        return NGX_OK;
    }

    if (ngx_http_llm_json_get(&choice, "delta", &delta) == NGX_OK) {

        /* text, or a refusal, which is what the model said instead */
        if ((ngx_http_llm_json_get(&delta, "content", &d) == NGX_OK
             || ngx_http_llm_json_get(&delta, "refusal", &d) == NGX_OK)
            && d.type == NGX_HTTP_LLM_JSON_STRING && d.end - d.start > 2)
        {
            if (ngx_http_llm_messages_text(st, &d, out, end) != NGX_OK) {
                return NGX_ERROR;
            }
        }

        if (ngx_http_llm_json_get(&delta, "tool_calls", &d) == NGX_OK
            && d.type == NGX_HTTP_LLM_JSON_ARRAY
            && ngx_http_llm_messages_tools(st, &d, out, end) != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (ngx_http_llm_json_get(&choice, "finish_reason", &v) == NGX_OK
        && v.type == NGX_HTTP_LLM_JSON_STRING)
    {
        if (ngx_http_llm_openai_stream_close(st, out, end) != NGX_OK) {
            return NGX_ERROR;
        }

        /* the same mapping as whole answers: OpenAI, canon, Anthropic */
        (void) snprintf(st->stop, sizeof(st->stop), "%s",
                        ngx_http_llm_canon_map_token(&v,
                                                ngx_http_llm_openai_finish,
                                                "end"));
    }

    return NGX_OK;
}


/* tool call deltas: a new call opens a tool_use block */

static ngx_int_t
ngx_http_llm_messages_tools(ngx_http_llm_messages_t *st,
    ngx_http_llm_json_value_t *calls, u_char **out, u_char *end)
{
    int64_t                     index;
    ngx_http_llm_json_value_t   call, v, fn, id, name, args;

    for (call.end = calls->start + 1;
         ngx_http_llm_json_array_next(calls, &call) == NGX_OK;
         /* void */)
    {
        index = 0;

        if (ngx_http_llm_json_get(&call, "index", &v) == NGX_OK
            && (ngx_http_llm_json_int(&v, &index) != NGX_OK || index < 0))
        {
            return NGX_ERROR;
        }

        if (ngx_http_llm_json_get(&call, "function", &fn) != NGX_OK) {
            fn.type = NGX_HTTP_LLM_JSON_NULL;
        }

        if (ngx_http_llm_json_get(&call, "id", &id) == NGX_OK
            && id.type == NGX_HTTP_LLM_JSON_STRING
            && (st->text || st->tool != index))
        {
            if (fn.type != NGX_HTTP_LLM_JSON_OBJECT
                || ngx_http_llm_json_get(&fn, "name", &name) != NGX_OK
                || name.type != NGX_HTTP_LLM_JSON_STRING)
            {
                return NGX_ERROR;
            }

            if (ngx_http_llm_messages_tool(st, &id, &name, out, end)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            st->tool = index;

        } else if (st->text || st->block < 0 || st->tool != index) {
            /* arguments for a call that never began */
            return NGX_ERROR;
        }

        if (fn.type != NGX_HTTP_LLM_JSON_OBJECT
            || ngx_http_llm_json_get(&fn, "arguments", &args) != NGX_OK
            || args.type != NGX_HTTP_LLM_JSON_STRING
            || args.end - args.start <= 2)
        {
            continue;
        }

        if (ngx_http_llm_messages_json(st, args.start, args.end - args.start,
                                       out, end)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* text: a text block opened if none is, and a text_delta of the token */

static ngx_int_t
ngx_http_llm_messages_text(ngx_http_llm_messages_t *st,
    ngx_http_llm_json_value_t *text, u_char **out, u_char *end)
{
    if (!st->text) {
        if (ngx_http_llm_openai_stream_close(st, out, end) != NGX_OK) {
            return NGX_ERROR;
        }

        st->block = st->blocks++;
        st->text = 1;

        ngx_http_llm_put("event: content_block_start\ndata: "
                         "{\"type\":\"content_block_start\",\"index\":");
        ngx_http_llm_put_int(st->block);
        ngx_http_llm_put(",\"content_block\":{\"type\":\"text\","
                         "\"text\":\"\"}}\n\n");
    }

    st->usage.streamed += text->end - text->start - 2;

    ngx_http_llm_put("event: content_block_delta\ndata: "
                     "{\"type\":\"content_block_delta\",\"index\":");
    ngx_http_llm_put_int(st->block);
    ngx_http_llm_put(",\"delta\":{\"type\":\"text_delta\",\"text\":");
    ngx_http_llm_put_tok(text);
    ngx_http_llm_put("}}\n\n");

    return NGX_OK;
}


/* a tool_use block, its id and name given as JSON string tokens */

static ngx_int_t
ngx_http_llm_messages_tool(ngx_http_llm_messages_t *st,
    ngx_http_llm_json_value_t *id, ngx_http_llm_json_value_t *name,
    u_char **out, u_char *end)
{
    if (ngx_http_llm_openai_stream_close(st, out, end) != NGX_OK) {
        return NGX_ERROR;
    }

    st->block = st->blocks++;

    ngx_http_llm_put("event: content_block_start\ndata: "
                     "{\"type\":\"content_block_start\",\"index\":");
    ngx_http_llm_put_int(st->block);
    ngx_http_llm_put(",\"content_block\":{\"type\":\"tool_use\",\"id\":");
    ngx_http_llm_put_tok(id);
    ngx_http_llm_put(",\"name\":");
    ngx_http_llm_put_tok(name);
    ngx_http_llm_put(",\"input\":{}}}\n\n");

    return NGX_OK;
}


/* an input_json_delta: a JSON string token */

static ngx_int_t
ngx_http_llm_messages_json(ngx_http_llm_messages_t *st, u_char *p, size_t n,
    u_char **out, u_char *end)
{
    st->usage.streamed += n - 2;

    ngx_http_llm_put("event: content_block_delta\ndata: "
                     "{\"type\":\"content_block_delta\",\"index\":");
    ngx_http_llm_put_int(st->block);
    ngx_http_llm_put(",\"delta\":{\"type\":\"input_json_delta\","
                     "\"partial_json\":");
    ngx_http_llm_put_str(p, n);
    ngx_http_llm_put("}}\n\n");

    return NGX_OK;
}


/* message_start, once */

static ngx_int_t
ngx_http_llm_openai_stream_open(ngx_http_llm_messages_t *st,
    u_char **out, u_char *end)
{
    if (st->started) {
        return NGX_OK;
    }

    st->started = 1;
    st->block = -1;
    st->tool = -1;

    ngx_http_llm_put("event: message_start\ndata: {\"type\":\"message_start\","
                     "\"message\":{\"id\":");

    if (st->id_len) {
        ngx_http_llm_put_str(st->id, st->id_len);

    } else {
        ngx_http_llm_put("\"msg_llm\"");
    }

    ngx_http_llm_put(",\"type\":\"message\",\"role\":\"assistant\","
                     "\"model\":");

    if (st->model_len) {
        ngx_http_llm_put_str(st->model, st->model_len);

    } else {
        ngx_http_llm_put("\"\"");
    }

    /* OpenAI tells the input count only at the end: message_delta has it */
    ngx_http_llm_put(",\"content\":[],\"stop_reason\":null,"
                     "\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,"
                     "\"output_tokens\":0}}}\n\n");

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_openai_stream_close(ngx_http_llm_messages_t *st,
    u_char **out, u_char *end)
{
    if (st->block < 0) {
        return NGX_OK;
    }

    ngx_http_llm_put("event: content_block_stop\ndata: "
                     "{\"type\":\"content_block_stop\",\"index\":");
    ngx_http_llm_put_int(st->block);
    ngx_http_llm_put("}\n\n");

    st->block = -1;
    st->tool = -1;
    st->text = 0;

    return NGX_OK;
}


/* message_delta with the stop reason and the usage, then message_stop */

static ngx_int_t
ngx_http_llm_openai_stream_end(ngx_http_llm_messages_t *st,
    u_char **out, u_char *end)
{
    const char  *reason;

    if (ngx_http_llm_openai_stream_close(st, out, end) != NGX_OK) {
        return NGX_ERROR;
    }

    reason = ngx_http_llm_canon_unmap(st->stop[0] ? st->stop : "end",
                                      ngx_http_llm_anthropic_stops,
                                      "end_turn");

    ngx_http_llm_put("event: message_delta\ndata: {\"type\":\"message_delta\","
                     "\"delta\":{\"stop_reason\":\"");
    ngx_http_llm_put_str((u_char *) reason, ngx_strlen(reason));
    ngx_http_llm_put("\",\"stop_sequence\":null},\"usage\":"
                     "{\"input_tokens\":");
    ngx_http_llm_put_int(st->usage.input);
    ngx_http_llm_put(",\"cache_read_input_tokens\":");
    ngx_http_llm_put_int(st->usage.cache_read);
    ngx_http_llm_put(",\"output_tokens\":");
    ngx_http_llm_put_int(st->usage.output);
    ngx_http_llm_put("}}\n\nevent: message_stop\ndata: "
                     "{\"type\":\"message_stop\"}\n\n");

    return NGX_DONE;
}


const ngx_http_llm_dialect_t  ngx_http_llm_anthropic_surface = {
    ngx_http_llm_anthropic_request_to_canon,
    ngx_http_llm_canon_to_anthropic_response,
    ngx_http_llm_messages_write,
    sizeof(ngx_http_llm_messages_t),
    NULL,                                   /* write_pending */
    NULL,                                   /* write_free */
    NULL, NULL, NULL, NULL, NULL, NULL,     /* a provider's side */
    0, 0
};
