
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_openai_canon.h"


/*
 * The OpenAI chat completions dialect against the canonical model: its
 * requests parsed in and rendered out, its responses both ways.  Fields with no
 * canonical meaning are refused by name (n > 1, logprobs, audio) or left
 * out (penalties, seed: they only tune sampling); see the README.
 */


static ngx_int_t ngx_http_llm_openai_content(cJSON *content, cJSON *parts,
    ngx_http_llm_tr_err_t *err, int i);
static ngx_int_t ngx_http_llm_openai_tool_calls(cJSON *calls, cJSON *parts,
    ngx_http_llm_tr_err_t *err, int i);
static ngx_int_t ngx_http_llm_openai_tools(cJSON *tools, cJSON *canon,
    ngx_http_llm_tr_err_t *err);
static ngx_int_t ngx_http_llm_openai_tool_choice(cJSON *tc, cJSON *canon,
    ngx_http_llm_tr_err_t *err);
static ngx_int_t ngx_http_llm_openai_sampling(cJSON *req, cJSON *canon,
    ngx_http_llm_tr_err_t *err);
static ngx_int_t ngx_http_llm_openai_render_content(cJSON *parts, cJSON *m,
    ngx_uint_t join, ngx_http_llm_tr_err_t *err, int i);
static ngx_int_t ngx_http_llm_openai_copy(cJSON *from, cJSON *to,
    const char *name);
static ngx_int_t ngx_http_llm_openai_chunk_ids(ngx_http_llm_chunks_t *st,
    u_char **out, u_char *end);


/* the members translation reads, with their types */

static const ngx_http_llm_shape_member_t  ngx_http_llm_openai_image[] = {
    { "url", &ngx_http_llm_shape_string },
    { "detail", &ngx_http_llm_shape_string },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_image_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT|NGX_HTTP_LLM_SHAPE_STRING, NULL,
    ngx_http_llm_openai_image
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_openai_part[] = {
    { "type", &ngx_http_llm_shape_string },
    { "text", &ngx_http_llm_shape_string },
    { "image_url", &ngx_http_llm_openai_image_shape },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_part_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_openai_part
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_content_shape = {
    NGX_HTTP_LLM_SHAPE_STRING|NGX_HTTP_LLM_SHAPE_ARRAY|NGX_HTTP_LLM_SHAPE_NULL,
    &ngx_http_llm_openai_part_shape, NULL
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_openai_function[] = {
    { "name", &ngx_http_llm_shape_name },
    { "arguments", &ngx_http_llm_shape_string },
    { "description", &ngx_http_llm_shape_string_null },
    { "parameters", &ngx_http_llm_shape_object_null },
    { "strict", &ngx_http_llm_shape_bool_null },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_function_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_openai_function
};

/* a tool call, a tool, and a tool_choice naming a function alike */
static const ngx_http_llm_shape_member_t  ngx_http_llm_openai_call[] = {
    { "id", &ngx_http_llm_shape_string },
    { "type", &ngx_http_llm_shape_string },
    { "function", &ngx_http_llm_openai_function_shape },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_call_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_openai_call
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_calls_shape = {
    NGX_HTTP_LLM_SHAPE_ARRAY|NGX_HTTP_LLM_SHAPE_NULL,
    &ngx_http_llm_openai_call_shape, NULL
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_choice_shape = {
    NGX_HTTP_LLM_SHAPE_STRING|NGX_HTTP_LLM_SHAPE_OBJECT
    |NGX_HTTP_LLM_SHAPE_NULL, NULL, ngx_http_llm_openai_call
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_openai_message[] = {
    { "role", &ngx_http_llm_shape_string },
    { "content", &ngx_http_llm_openai_content_shape },
    { "name", &ngx_http_llm_shape_string_null },
    { "tool_calls", &ngx_http_llm_openai_calls_shape },
    { "tool_call_id", &ngx_http_llm_shape_string },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_message_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_openai_message
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_messages_shape = {
    NGX_HTTP_LLM_SHAPE_ARRAY, &ngx_http_llm_openai_message_shape, NULL
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_stop_shape = {
    NGX_HTTP_LLM_SHAPE_STRING|NGX_HTTP_LLM_SHAPE_ARRAY|NGX_HTTP_LLM_SHAPE_NULL,
    &ngx_http_llm_shape_string, NULL
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_openai_request[] = {
    { "model", &ngx_http_llm_shape_name },
    { "messages", &ngx_http_llm_openai_messages_shape },
    { "tools", &ngx_http_llm_openai_calls_shape },
    { "tool_choice", &ngx_http_llm_openai_choice_shape },
    { "parallel_tool_calls", &ngx_http_llm_shape_bool_null },
    { "n", &ngx_http_llm_shape_int_null },
    { "max_tokens", &ngx_http_llm_shape_int_null },
    { "max_completion_tokens", &ngx_http_llm_shape_int_null },
    { "temperature", &ngx_http_llm_shape_number_null },
    { "top_p", &ngx_http_llm_shape_number_null },
    { "presence_penalty", &ngx_http_llm_shape_number_null },
    { "frequency_penalty", &ngx_http_llm_shape_number_null },
    { "seed", &ngx_http_llm_shape_int_null },
    { "stop", &ngx_http_llm_openai_stop_shape },
    { "stream", &ngx_http_llm_shape_bool_null },
    { "stream_options", &ngx_http_llm_shape_object_null },
    { "logprobs", &ngx_http_llm_shape_bool_null },
    { "top_logprobs", &ngx_http_llm_shape_int_null },
    { "response_format", &ngx_http_llm_shape_object_null },
    { "metadata", &ngx_http_llm_shape_object_null },
    { "user", &ngx_http_llm_shape_string_null },
    { "fallbacks", &ngx_http_llm_shape_strings },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_request_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_openai_request
};


static const ngx_http_llm_shape_member_t  ngx_http_llm_openai_answer[] = {
    { "content", &ngx_http_llm_shape_string_null },
    { "refusal", &ngx_http_llm_shape_string_null },
    { "tool_calls", &ngx_http_llm_openai_calls_shape },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_answer_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_openai_answer
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_openai_choice[] = {
    { "message", &ngx_http_llm_openai_answer_shape },
    { "finish_reason", &ngx_http_llm_shape_string_null },
    { "index", &ngx_http_llm_shape_int_null },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_choice_item = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_openai_choice
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_choices_shape = {
    NGX_HTTP_LLM_SHAPE_ARRAY, &ngx_http_llm_openai_choice_item, NULL
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_openai_details[] = {
    { "cached_tokens", &ngx_http_llm_shape_count_null },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_details_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT|NGX_HTTP_LLM_SHAPE_NULL, NULL,
    ngx_http_llm_openai_details
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_openai_usage[] = {
    { "prompt_tokens", &ngx_http_llm_shape_count_null },
    { "completion_tokens", &ngx_http_llm_shape_count_null },
    { "total_tokens", &ngx_http_llm_shape_count_null },
    { "prompt_tokens_details", &ngx_http_llm_openai_details_shape },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_usage_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT|NGX_HTTP_LLM_SHAPE_NULL, NULL,
    ngx_http_llm_openai_usage
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_openai_response[] = {
    { "id", &ngx_http_llm_shape_string_null },
    { "model", &ngx_http_llm_shape_string_null },
    { "choices", &ngx_http_llm_openai_choices_shape },
    { "usage", &ngx_http_llm_openai_usage_shape },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_openai_response_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_openai_response
};


/* OpenAI's finish_reason in the canonical model's words */
const char *const  ngx_http_llm_openai_finish[][2] = {
    { "stop", "end" },
    { "length", "max_tokens" },
    { "tool_calls", "tool_calls" },
    { "content_filter", "refusal" },
    { "function_call", "tool_calls" },
    { NULL, NULL }
};


cJSON *
ngx_http_llm_openai_request_to_canon(cJSON *req, const char *model,
    ngx_uint_t stream, ngx_http_llm_tr_err_t *err)
{
    int          i;
    cJSON       *canon, *messages, *msg, *system, *out, *m, *parts, *v;
    const char  *role, *id;

    canon = ngx_http_llm_canon_request(req,
                                       &ngx_http_llm_openai_request_shape,
                                       model, err);
    if (canon == NULL) {
        return NULL;
    }

    system = cJSON_GetObjectItemCaseSensitive(canon, "system");
    out = cJSON_GetObjectItemCaseSensitive(canon, "messages");

    messages = cJSON_GetObjectItemCaseSensitive(req, "messages");

    if (!cJSON_IsArray(messages)) {
        ngx_http_llm_canon_error(err, "\"messages\" must be an array");
        goto failed;
    }

    i = 0;

    cJSON_ArrayForEach(msg, messages) {
        role = ngx_http_llm_canon_str(msg, "role");

        if (role == NULL) {
            ngx_http_llm_canon_error(err, "messages[%d].role must be a "
                                     "string", i);
            goto failed;
        }

        v = cJSON_GetObjectItemCaseSensitive(msg, "content");

        if (strcmp(role, "system") == 0 || strcmp(role, "developer") == 0) {
            if (ngx_http_llm_openai_content(v, system, err, i) != NGX_OK) {
                goto failed;
            }

            i++;
            continue;
        }

        m = cJSON_CreateObject();
        parts = cJSON_CreateArray();

        if (m == NULL || parts == NULL || ngx_http_llm_canon_add(out, m)
                                          != NGX_OK)
        {
            cJSON_Delete(parts);
            goto failed;
        }

        cJSON_AddItemToObject(m, "content", parts);

        if (strcmp(role, "user") == 0 || strcmp(role, "assistant") == 0) {
            if (cJSON_AddStringToObject(m, "role", role) == NULL) {
                goto failed;
            }

            if (!cJSON_IsNull(v) && v != NULL
                && ngx_http_llm_openai_content(v, parts, err, i) != NGX_OK)
            {
                goto failed;
            }

            if (strcmp(role, "assistant") == 0
                && ngx_http_llm_openai_tool_calls(
                       cJSON_GetObjectItemCaseSensitive(msg, "tool_calls"),
                       parts, err, i)
                   != NGX_OK)
            {
                goto failed;
            }

        } else if (strcmp(role, "tool") == 0) {
            cJSON  *res, *rparts;

            id = ngx_http_llm_canon_str(msg, "tool_call_id");

            if (id == NULL) {
                ngx_http_llm_canon_error(err, "messages[%d].tool_call_id "
                                         "must be a string", i);
                goto failed;
            }

            res = cJSON_CreateObject();
            rparts = cJSON_CreateArray();

            if (res == NULL || rparts == NULL
                || ngx_http_llm_canon_add(parts, res) != NGX_OK)
            {
                cJSON_Delete(rparts);
                goto failed;
            }

            cJSON_AddItemToObject(res, "content", rparts);

            if (cJSON_AddStringToObject(m, "role", "tool") == NULL
                || cJSON_AddStringToObject(res, "type", "tool_result") == NULL
                || cJSON_AddStringToObject(res, "id", id) == NULL
                || ngx_http_llm_openai_content(v, rparts, err, i) != NGX_OK)
            {
                goto failed;
            }

        } else {
            ngx_http_llm_canon_error(err, "messages[%d].role \"%s\" cannot "
                                     "be translated", i, role);
            goto failed;
        }

        i++;
    }

    if (ngx_http_llm_openai_tools(cJSON_GetObjectItemCaseSensitive(req,
                                                                   "tools"),
                                  canon, err)
        != NGX_OK
        || ngx_http_llm_openai_tool_choice(
               cJSON_GetObjectItemCaseSensitive(req, "tool_choice"), canon,
               err)
           != NGX_OK
        || ngx_http_llm_openai_sampling(req, canon, err) != NGX_OK)
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


/* a string, or an array of text and image_url parts */

static ngx_int_t
ngx_http_llm_openai_content(cJSON *content, cJSON *parts,
    ngx_http_llm_tr_err_t *err, int i)
{
    cJSON       *p, *iu, *url;
    const char  *type, *text;

    if (cJSON_IsString(content)) {
        return ngx_http_llm_canon_add(parts,
                   ngx_http_llm_canon_text(content->valuestring));
    }

    if (!cJSON_IsArray(content)) {
        return ngx_http_llm_canon_error(err, "messages[%d].content must be "
                                        "a string or an array", i);
    }

    cJSON_ArrayForEach(p, content) {
        type = ngx_http_llm_canon_str(p, "type");

        if (type && strcmp(type, "text") == 0) {
            text = ngx_http_llm_canon_str(p, "text");

            if (text == NULL) {
                return ngx_http_llm_canon_error(err, "messages[%d]: a text "
                                                "part needs \"text\"", i);
            }

            if (ngx_http_llm_canon_add(parts, ngx_http_llm_canon_text(text))
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            continue;
        }

        if (type && strcmp(type, "image_url") == 0) {
            iu = cJSON_GetObjectItemCaseSensitive(p, "image_url");
            url = cJSON_IsObject(iu)
                  ? cJSON_GetObjectItemCaseSensitive(iu, "url") : iu;

            if (!cJSON_IsString(url)
                || ngx_http_llm_canon_add(parts,
                       ngx_http_llm_canon_image_url(url->valuestring))
                   != NGX_OK)
            {
                return ngx_http_llm_canon_error(err, "messages[%d]: an "
                                 "image_url part needs a URL or a base64 "
                                 "data: URL", i);
            }

            continue;
        }

        return ngx_http_llm_canon_error(err, "messages[%d]: content part "
                                        "type \"%s\" cannot be translated",
                                        i, type ? type : "(none)");
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_openai_tool_calls(cJSON *calls, cJSON *parts,
    ngx_http_llm_tr_err_t *err, int i)
{
    cJSON       *call, *fn, *part;
    const char  *id, *name, *args;

    if (calls == NULL || cJSON_IsNull(calls)) {
        return NGX_OK;
    }

    if (!cJSON_IsArray(calls)) {
        return ngx_http_llm_canon_error(err, "messages[%d].tool_calls must "
                                        "be an array", i);
    }

    cJSON_ArrayForEach(call, calls) {
        fn = cJSON_GetObjectItemCaseSensitive(call, "function");
        id = ngx_http_llm_canon_str(call, "id");
        name = ngx_http_llm_canon_str(fn, "name");
        args = ngx_http_llm_canon_str(fn, "arguments");

        if (id == NULL || name == NULL || args == NULL) {
            return ngx_http_llm_canon_error(err, "messages[%d].tool_calls: "
                             "each needs id, function.name and "
                             "function.arguments", i);
        }

        part = cJSON_CreateObject();

        if (ngx_http_llm_canon_add(parts, part) != NGX_OK
            || cJSON_AddStringToObject(part, "type", "tool_call") == NULL
            || cJSON_AddStringToObject(part, "id", id) == NULL
            || cJSON_AddStringToObject(part, "name", name) == NULL
            || cJSON_AddStringToObject(part, "arguments", args) == NULL)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_openai_tools(cJSON *tools, cJSON *canon,
    ngx_http_llm_tr_err_t *err)
{
    cJSON       *tool, *fn, *out;
    const char  *type, *name;

    if (tools == NULL || cJSON_IsNull(tools)) {
        return NGX_OK;
    }

    if (!cJSON_IsArray(tools)) {
        return ngx_http_llm_canon_error(err, "\"tools\" must be an array");
    }

    out = cJSON_AddArrayToObject(canon, "tools");
    if (out == NULL) {
        return NGX_ERROR;
    }

    cJSON_ArrayForEach(tool, tools) {
        type = ngx_http_llm_canon_str(tool, "type");
        fn = cJSON_GetObjectItemCaseSensitive(tool, "function");
        name = ngx_http_llm_canon_str(fn, "name");

        if (type == NULL || strcmp(type, "function") != 0 || name == NULL) {
            return ngx_http_llm_canon_error(err, "\"tools\": only "
                             "{\"type\": \"function\", \"function\": "
                             "{\"name\": ...}} can be translated");
        }

        if (ngx_http_llm_canon_tool(out, name,
                                    ngx_http_llm_canon_str(fn, "description"),
                                    cJSON_GetObjectItemCaseSensitive(fn,
                                                                "parameters"))
            == NULL)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_openai_tool_choice(cJSON *tc, cJSON *canon,
    ngx_http_llm_tr_err_t *err)
{
    cJSON       *choice;
    const char  *name;

    if (tc == NULL || cJSON_IsNull(tc)) {
        return NGX_OK;
    }

    if (cJSON_IsString(tc)
        && (strcmp(tc->valuestring, "auto") == 0
            || strcmp(tc->valuestring, "none") == 0
            || strcmp(tc->valuestring, "required") == 0))
    {
        return cJSON_AddStringToObject(canon, "tool_choice", tc->valuestring)
               ? NGX_OK : NGX_ERROR;
    }

    name = ngx_http_llm_canon_str(
               cJSON_GetObjectItemCaseSensitive(tc, "function"), "name");

    if (name == NULL) {
        return ngx_http_llm_canon_error(err, "\"tool_choice\" must be auto, "
                         "none, required or {\"type\": \"function\", "
                         "\"function\": {\"name\": ...}}");
    }

    choice = cJSON_AddObjectToObject(canon, "tool_choice");

    return (choice && cJSON_AddStringToObject(choice, "name", name))
           ? NGX_OK : NGX_ERROR;
}


static ngx_int_t
ngx_http_llm_openai_sampling(cJSON *req, cJSON *canon,
    ngx_http_llm_tr_err_t *err)
{
    cJSON       *v, *stop, *s;
    const char  *user;

    static const char  *refused[] = { "logprobs", "top_logprobs", "audio",
                                      "prediction", "modalities", NULL };
    const char        **name;

    v = cJSON_GetObjectItemCaseSensitive(req, "n");

    if (v && !cJSON_IsNull(v)
        && !(cJSON_IsNumber(v) && v->valuedouble == 1))
    {
        return ngx_http_llm_canon_error(err, "\"n\" other than 1 cannot be "
                                        "translated");
    }

    for (name = refused; *name; name++) {
        v = cJSON_GetObjectItemCaseSensitive(req, *name);

        if (v && !cJSON_IsNull(v) && !cJSON_IsFalse(v)) {
            return ngx_http_llm_canon_error(err, "\"%s\" cannot be "
                                            "translated", *name);
        }
    }

    v = cJSON_GetObjectItemCaseSensitive(req, "max_completion_tokens");

    if (ngx_http_llm_canon_sampling(req,
                                    (v == NULL || cJSON_IsNull(v))
                                    ? "max_tokens" : "max_completion_tokens",
                                    ngx_http_llm_canon_numbers, canon, err)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    v = cJSON_GetObjectItemCaseSensitive(req, "stop");

    if (v && !cJSON_IsNull(v)) {
        stop = cJSON_AddArrayToObject(canon, "stop");
        if (stop == NULL) {
            return NGX_ERROR;
        }

        for (s = cJSON_IsArray(v) ? v->child : v;
             s;
             s = cJSON_IsArray(v) ? s->next : NULL)
        {
            if (!cJSON_IsString(s)) {
                return ngx_http_llm_canon_error(err, "\"stop\" must be a "
                                                "string or strings");
            }

            if (ngx_http_llm_canon_add(stop,
                                       cJSON_CreateString(s->valuestring))
                != NGX_OK)
            {
                return NGX_ERROR;
            }
        }
    }

    v = cJSON_GetObjectItemCaseSensitive(req, "stream");

    if (cJSON_IsTrue(v) && cJSON_AddTrueToObject(canon, "stream") == NULL) {
        return NGX_ERROR;
    }

    user = ngx_http_llm_canon_str(req, "user");

    if (user && cJSON_AddStringToObject(canon, "user", user) == NULL) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a canonical stop reason as OpenAI's finish_reason */

const char *
ngx_http_llm_openai_finish_reason(const char *reason)
{
    return ngx_http_llm_canon_unmap(reason, ngx_http_llm_openai_finish,
                                    "stop");
}


/* a chat.completion object from a canonical response */

cJSON *
ngx_http_llm_canon_to_openai_response(cJSON *canon, int64_t created,
    ngx_http_llm_tr_err_t *err)
{
    cJSON       *resp, *choices, *choice, *msg, *part, *calls, *call, *fn;
    cJSON       *usage, *u, *details;
    char        *text, *t;
    size_t       len;
    int64_t      input, cached, written, output;
    const char  *type, *finish, *s;

    resp = cJSON_CreateObject();
    text = NULL;

    if (resp == NULL) {
        return NULL;
    }

    s = ngx_http_llm_canon_str(canon, "id");

    if (cJSON_AddStringToObject(resp, "id", s ? s : "chatcmpl-llm") == NULL
        || cJSON_AddStringToObject(resp, "object", "chat.completion") == NULL
        || ngx_http_llm_canon_add_int(resp, "created", created) == NULL)
    {
        goto failed;
    }

    s = ngx_http_llm_canon_str(canon, "model");

    if (s && cJSON_AddStringToObject(resp, "model", s) == NULL) {
        goto failed;
    }

    choices = cJSON_AddArrayToObject(resp, "choices");
    choice = cJSON_CreateObject();

    if (choices == NULL || ngx_http_llm_canon_add(choices, choice) != NGX_OK
        || ngx_http_llm_canon_add_int(choice, "index", 0) == NULL)
    {
        goto failed;
    }

    msg = cJSON_AddObjectToObject(choice, "message");

    if (msg == NULL || cJSON_AddStringToObject(msg, "role", "assistant")
                       == NULL)
    {
        goto failed;
    }

    /* the text parts joined, the tool calls apart */

    len = 0;
    calls = NULL;

    cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(canon,
                                                              "content"))
    {
        type = ngx_http_llm_canon_str(part, "type");
        s = ngx_http_llm_canon_str(part, "text");

        if (type && strcmp(type, "text") == 0 && s) {
            len += strlen(s);
        }
    }

    text = malloc(len + 1);
    if (text == NULL) {
        goto failed;
    }

    t = text;

    cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(canon,
                                                              "content"))
    {
        type = ngx_http_llm_canon_str(part, "type");

        if (type == NULL) {
            continue;
        }

        if (strcmp(type, "text") == 0) {
            s = ngx_http_llm_canon_str(part, "text");

            if (s) {
                len = strlen(s);
                memcpy(t, s, len);
                t += len;
            }

            continue;
        }

        if (strcmp(type, "tool_call") != 0) {
            continue;
        }

        if (calls == NULL) {
            calls = cJSON_CreateArray();
            if (calls == NULL) {
                goto failed;
            }
        }

        call = cJSON_CreateObject();

        if (ngx_http_llm_canon_add(calls, call) != NGX_OK
            || cJSON_AddStringToObject(call, "id",
                   ngx_http_llm_canon_str(part, "id")) == NULL
            || cJSON_AddStringToObject(call, "type", "function") == NULL
            || (fn = cJSON_AddObjectToObject(call, "function")) == NULL
            || cJSON_AddStringToObject(fn, "name",
                   ngx_http_llm_canon_str(part, "name")) == NULL
            || cJSON_AddStringToObject(fn, "arguments",
                   ngx_http_llm_canon_str(part, "arguments")) == NULL)
        {
            cJSON_Delete(calls);
            goto failed;
        }
    }

    *t = '\0';

    if (t == text && calls) {
        u = cJSON_AddNullToObject(msg, "content");

    } else {
        u = cJSON_AddStringToObject(msg, "content", text);
    }

    if (u == NULL) {
        cJSON_Delete(calls);
        goto failed;
    }

    if (calls) {
        cJSON_AddItemToObject(msg, "tool_calls", calls);
    }

    finish = ngx_http_llm_openai_finish_reason(
                 ngx_http_llm_canon_str(canon, "stop_reason"));

    if (cJSON_AddStringToObject(choice, "finish_reason", finish) == NULL) {
        goto failed;
    }

    /* OpenAI counts cached input inside prompt_tokens */

    usage = cJSON_GetObjectItemCaseSensitive(canon, "usage");

    if (usage) {
        input = ngx_http_llm_canon_count(usage, "input");
        output = ngx_http_llm_canon_count(usage, "output");
        cached = ngx_http_llm_canon_count(usage, "cache_read");
        written = ngx_http_llm_canon_count(usage, "cache_write");

        u = cJSON_AddObjectToObject(resp, "usage");

        if (u == NULL
            || ngx_http_llm_canon_add_int(u, "prompt_tokens",
                                          input + cached + written) == NULL
            || ngx_http_llm_canon_add_int(u, "completion_tokens", output)
               == NULL
            || ngx_http_llm_canon_add_int(u, "total_tokens",
                                          input + cached + written + output)
               == NULL
            || (details = cJSON_AddObjectToObject(u,
                                                  "prompt_tokens_details"))
               == NULL
            || ngx_http_llm_canon_add_int(details, "cached_tokens", cached)
               == NULL)
        {
            goto failed;
        }

        if (written
            && ngx_http_llm_canon_add_int(details, "cache_write_tokens",
                                          written)
               == NULL)
        {
            goto failed;
        }
    }

    free(text);

    return resp;

failed:

    free(text);
    cJSON_Delete(resp);

    return NULL;
}


/*
 * A canonical request rendered for an OpenAI-dialect provider.  Tool
 * results become "tool" messages ahead of what else their turn says, as
 * OpenAI wants them right after the assistant's calls.
 */

cJSON *
ngx_http_llm_canon_to_openai_request(cJSON *canon, int64_t default_max_tokens,
    ngx_http_llm_tr_err_t *err)
{
    int          i;
    cJSON       *req, *messages, *msg, *part, *parts, *rest, *m, *v, *tools;
    cJSON       *tool, *t, *fn, *tc, *calls, *call, *f;
    const char  *role, *type, *s;

    req = cJSON_CreateObject();
    rest = NULL;

    if (req == NULL) {
        goto failed;
    }

    s = ngx_http_llm_canon_str(canon, "model");

    if (s == NULL || cJSON_AddStringToObject(req, "model", s) == NULL) {
        goto failed;
    }

    messages = cJSON_AddArrayToObject(req, "messages");
    if (messages == NULL) {
        goto failed;
    }

    parts = cJSON_GetObjectItemCaseSensitive(canon, "system");

    if (cJSON_GetArraySize(parts) > 0) {
        m = cJSON_CreateObject();

        if (ngx_http_llm_canon_add(messages, m) != NGX_OK
            || cJSON_AddStringToObject(m, "role", "system") == NULL
            || ngx_http_llm_openai_render_content(parts, m, 0, err, -1)
               != NGX_OK)
        {
            goto failed;
        }
    }

    i = 0;

    cJSON_ArrayForEach(msg, cJSON_GetObjectItemCaseSensitive(canon,
                                                             "messages"))
    {
        role = ngx_http_llm_canon_str(msg, "role");
        parts = cJSON_GetObjectItemCaseSensitive(msg, "content");

        if (role && strcmp(role, "assistant") == 0) {
            m = cJSON_CreateObject();
            calls = NULL;

            if (ngx_http_llm_canon_add(messages, m) != NGX_OK
                || cJSON_AddStringToObject(m, "role", "assistant") == NULL)
            {
                goto failed;
            }

            rest = cJSON_CreateArray();
            if (rest == NULL) {
                goto failed;
            }

            cJSON_ArrayForEach(part, parts) {
                type = ngx_http_llm_canon_str(part, "type");

                if (type && strcmp(type, "tool_call") == 0) {
                    if (calls == NULL) {
                        calls = cJSON_AddArrayToObject(m, "tool_calls");
                        if (calls == NULL) {
                            goto failed;
                        }
                    }

                    call = cJSON_CreateObject();

                    if (ngx_http_llm_canon_add(calls, call) != NGX_OK
                        || cJSON_AddStringToObject(call, "id",
                               ngx_http_llm_canon_str(part, "id")) == NULL
                        || cJSON_AddStringToObject(call, "type", "function")
                           == NULL
                        || (f = cJSON_AddObjectToObject(call, "function"))
                           == NULL
                        || cJSON_AddStringToObject(f, "name",
                               ngx_http_llm_canon_str(part, "name")) == NULL
                        || cJSON_AddStringToObject(f, "arguments",
                               ngx_http_llm_canon_str(part, "arguments"))
                           == NULL)
                    {
                        goto failed;
                    }

                    continue;
                }

                if (ngx_http_llm_canon_add(rest, cJSON_Duplicate(part, 1))
                    != NGX_OK)
                {
                    goto failed;
                }
            }

            if (cJSON_GetArraySize(rest) == 0) {
                v = cJSON_AddNullToObject(m, "content");

            } else {
                v = (ngx_http_llm_openai_render_content(rest, m, 1, err, i)
                     == NGX_OK) ? m : NULL;
            }

            cJSON_Delete(rest);
            rest = NULL;

            if (v == NULL) {
                goto failed;
            }

            i++;
            continue;
        }

        /* a user turn, or a tool turn: the results first */

        rest = cJSON_CreateArray();
        if (rest == NULL) {
            goto failed;
        }

        cJSON_ArrayForEach(part, parts) {
            type = ngx_http_llm_canon_str(part, "type");

            if (type == NULL || strcmp(type, "tool_result") != 0) {
                if (ngx_http_llm_canon_add(rest, cJSON_Duplicate(part, 1))
                    != NGX_OK)
                {
                    goto failed;
                }

                continue;
            }

            m = cJSON_CreateObject();

            if (ngx_http_llm_canon_add(messages, m) != NGX_OK
                || cJSON_AddStringToObject(m, "role", "tool") == NULL
                || cJSON_AddStringToObject(m, "tool_call_id",
                       ngx_http_llm_canon_str(part, "id")) == NULL
                || ngx_http_llm_openai_render_content(
                       cJSON_GetObjectItemCaseSensitive(part, "content"), m,
                       1, err, i)
                   != NGX_OK)
            {
                goto failed;
            }
        }

        if (cJSON_GetArraySize(rest) > 0) {
            m = cJSON_CreateObject();

            if (ngx_http_llm_canon_add(messages, m) != NGX_OK
                || cJSON_AddStringToObject(m, "role", "user") == NULL
                || ngx_http_llm_openai_render_content(rest, m, 0, err, i)
                   != NGX_OK)
            {
                goto failed;
            }
        }

        cJSON_Delete(rest);
        rest = NULL;
        i++;
    }

    tools = cJSON_GetObjectItemCaseSensitive(canon, "tools");

    if (cJSON_GetArraySize(tools) > 0) {
        t = cJSON_AddArrayToObject(req, "tools");
        if (t == NULL) {
            goto failed;
        }

        cJSON_ArrayForEach(tool, tools) {
            v = cJSON_CreateObject();

            if (ngx_http_llm_canon_add(t, v) != NGX_OK
                || cJSON_AddStringToObject(v, "type", "function") == NULL
                || (fn = cJSON_AddObjectToObject(v, "function")) == NULL)
            {
                goto failed;
            }

            v = ngx_http_llm_canon_tool_out(tool, fn);

            if (v == NULL || !cJSON_AddItemToObject(fn, "parameters", v)) {
                cJSON_Delete(v);
                goto failed;
            }
        }
    }

    tc = cJSON_GetObjectItemCaseSensitive(canon, "tool_choice");

    if (cJSON_IsString(tc)) {
        if (cJSON_AddStringToObject(req, "tool_choice", tc->valuestring)
            == NULL)
        {
            goto failed;
        }

    } else if (tc) {
        if ((v = cJSON_AddObjectToObject(req, "tool_choice")) == NULL
            || cJSON_AddStringToObject(v, "type", "function") == NULL
            || (fn = cJSON_AddObjectToObject(v, "function")) == NULL
            || cJSON_AddStringToObject(fn, "name",
                   ngx_http_llm_canon_str(tc, "name")) == NULL)
        {
            goto failed;
        }
    }

    if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(canon, "parallel"))
        && cJSON_AddFalseToObject(req, "parallel_tool_calls") == NULL)
    {
        goto failed;
    }

    /* max_tokens is deprecated, and refused by reasoning models */
    v = cJSON_GetObjectItemCaseSensitive(canon, "max_tokens");

    if (cJSON_IsNumber(v)
        && ngx_http_llm_canon_add_int(req, "max_completion_tokens",
                                      (int64_t) v->valuedouble)
           == NULL)
    {
        goto failed;
    }

    if (ngx_http_llm_openai_copy(canon, req, "temperature") != NGX_OK
        || ngx_http_llm_openai_copy(canon, req, "top_p") != NGX_OK
        || ngx_http_llm_openai_copy(canon, req, "stop") != NGX_OK
        || ngx_http_llm_openai_copy(canon, req, "user") != NGX_OK)
    {
        goto failed;
    }

    /* the usage chunk is how a stream's cost is known */
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(canon, "stream"))
        && (cJSON_AddTrueToObject(req, "stream") == NULL
            || (v = cJSON_AddObjectToObject(req, "stream_options")) == NULL
            || cJSON_AddTrueToObject(v, "include_usage") == NULL))
    {
        goto failed;
    }

    return req;

failed:

    if (err->msg[0] == '\0') {
        ngx_http_llm_canon_error(err, "out of memory");
    }

    cJSON_Delete(rest);
    cJSON_Delete(req);

    return NULL;
}


/*
 * "content" of an OpenAI message from canonical parts: a string for one
 * text part (or for text only, joined, when "join"), else an array of
 * text and image_url parts.
 */

static ngx_int_t
ngx_http_llm_openai_render_content(cJSON *parts, cJSON *m, ngx_uint_t join,
    ngx_http_llm_tr_err_t *err, int i)
{
    int          n;
    char        *url, *text, *t;
    size_t       len;
    cJSON       *part, *arr, *o, *iu;
    const char  *type, *s, *media, *data;

    n = cJSON_GetArraySize(parts);
    len = 0;

    cJSON_ArrayForEach(part, parts) {
        type = ngx_http_llm_canon_str(part, "type");

        if (type == NULL || strcmp(type, "text") != 0) {
            if (join) {
                return ngx_http_llm_canon_error(err, "messages[%d]: an "
                                 "assistant message or tool result may "
                                 "hold text only for OpenAI", i);
            }

            len = 0;
            break;
        }

        len += strlen(ngx_http_llm_canon_str(part, "text")) + 1;
    }

    if (len && (n == 1 || join)) {
        text = malloc(len);
        if (text == NULL) {
            return NGX_ERROR;
        }

        t = text;

        cJSON_ArrayForEach(part, parts) {
            t = stpcpy(t, ngx_http_llm_canon_str(part, "text"));
        }

        o = cJSON_AddStringToObject(m, "content", text);
        free(text);

        return o ? NGX_OK : NGX_ERROR;
    }

    arr = cJSON_AddArrayToObject(m, "content");
    if (arr == NULL) {
        return NGX_ERROR;
    }

    cJSON_ArrayForEach(part, parts) {
        type = ngx_http_llm_canon_str(part, "type");
        o = cJSON_CreateObject();

        if (ngx_http_llm_canon_add(arr, o) != NGX_OK) {
            return NGX_ERROR;
        }

        if (type && strcmp(type, "text") == 0) {
            if (cJSON_AddStringToObject(o, "type", "text") == NULL
                || cJSON_AddStringToObject(o, "text",
                       ngx_http_llm_canon_str(part, "text")) == NULL)
            {
                return NGX_ERROR;
            }

            continue;
        }

        if (type == NULL || strcmp(type, "image") != 0) {
            return ngx_http_llm_canon_error(err, "messages[%d]: a \"%s\" "
                                            "part cannot be translated for "
                                            "OpenAI", i,
                                            type ? type : "(none)");
        }

        if (cJSON_AddStringToObject(o, "type", "image_url") == NULL
            || (iu = cJSON_AddObjectToObject(o, "image_url")) == NULL)
        {
            return NGX_ERROR;
        }

        s = ngx_http_llm_canon_str(part, "url");

        if (s) {
            if (cJSON_AddStringToObject(iu, "url", s) == NULL) {
                return NGX_ERROR;
            }

            continue;
        }

        /* base64 travels as a data: URL */
        media = ngx_http_llm_canon_str(part, "media_type");
        data = ngx_http_llm_canon_str(part, "data");

        if (media == NULL || data == NULL) {
            return ngx_http_llm_canon_error(err, "messages[%d]: an image "
                                            "needs a URL or base64 data", i);
        }

        url = malloc(strlen(media) + strlen(data) + sizeof("data:;base64,"));
        if (url == NULL) {
            return NGX_ERROR;
        }

        (void) sprintf(url, "data:%s;base64,%s", media, data);

        o = cJSON_AddStringToObject(iu, "url", url);
        free(url);

        if (o == NULL) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* a member the canonical model and OpenAI name and shape alike */

static ngx_int_t
ngx_http_llm_openai_copy(cJSON *from, cJSON *to, const char *name)
{
    cJSON  *v;

    v = cJSON_GetObjectItemCaseSensitive(from, name);

    if (v == NULL) {
        return NGX_OK;
    }

    v = cJSON_Duplicate(v, 1);

    if (v == NULL || !cJSON_AddItemToObject(to, name, v)) {
        cJSON_Delete(v);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a chat.completion into the canonical response */

cJSON *
ngx_http_llm_openai_response_to_canon(cJSON *resp, ngx_http_llm_tr_err_t *err)
{
    cJSON       *canon, *content, *msg, *v, *call, *fn, *part, *usage, *u;
    int64_t      prompt, cached;
    const char  *s;

    canon = cJSON_CreateObject();
    if (canon == NULL) {
        goto failed;
    }

    if (ngx_http_llm_canon_check(resp, &ngx_http_llm_openai_response_shape,
                                 err)
        != NGX_OK)
    {
        goto failed;
    }

    v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(resp, "choices"),
                           0);
    msg = cJSON_GetObjectItemCaseSensitive(v, "message");

    if (!cJSON_IsObject(msg)) {
        ngx_http_llm_canon_error(err, "not a chat completion");
        goto failed;
    }

    s = ngx_http_llm_canon_str(v, "finish_reason");

    if (cJSON_AddStringToObject(canon, "stop_reason",
            ngx_http_llm_canon_map(s, ngx_http_llm_openai_finish, "end"))
        == NULL)
    {
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

    /* a refusal is what the model said instead */
    s = ngx_http_llm_canon_str(msg, "content");

    if (s == NULL) {
        s = ngx_http_llm_canon_str(msg, "refusal");
    }

    if (s && *s
        && ngx_http_llm_canon_add(content, ngx_http_llm_canon_text(s))
           != NGX_OK)
    {
        goto failed;
    }

    cJSON_ArrayForEach(call, cJSON_GetObjectItemCaseSensitive(msg,
                                                              "tool_calls"))
    {
        fn = cJSON_GetObjectItemCaseSensitive(call, "function");

        if (ngx_http_llm_canon_str(call, "id") == NULL
            || ngx_http_llm_canon_str(fn, "name") == NULL
            || ngx_http_llm_canon_str(fn, "arguments") == NULL)
        {
            ngx_http_llm_canon_error(err, "a tool call needs id, "
                                     "function.name and function.arguments");
            goto failed;
        }

        part = cJSON_CreateObject();

        if (ngx_http_llm_canon_add(content, part) != NGX_OK
            || cJSON_AddStringToObject(part, "type", "tool_call") == NULL
            || cJSON_AddStringToObject(part, "id",
                   ngx_http_llm_canon_str(call, "id")) == NULL
            || cJSON_AddStringToObject(part, "name",
                   ngx_http_llm_canon_str(fn, "name")) == NULL
            || cJSON_AddStringToObject(part, "arguments",
                   ngx_http_llm_canon_str(fn, "arguments")) == NULL)
        {
            goto failed;
        }
    }

    /* OpenAI counts cached input inside prompt_tokens; canon apart */

    usage = cJSON_GetObjectItemCaseSensitive(resp, "usage");

    if (cJSON_IsObject(usage)) {
        prompt = ngx_http_llm_canon_count(usage, "prompt_tokens");
        cached = ngx_http_llm_canon_count(
                     cJSON_GetObjectItemCaseSensitive(usage,
                                                  "prompt_tokens_details"),
                     "cached_tokens");

        if (cached > prompt) {
            cached = prompt;
        }

        u = cJSON_AddObjectToObject(canon, "usage");

        if (u == NULL
            || cJSON_AddNumberToObject(u, "input", (double) (prompt - cached))
               == NULL
            || cJSON_AddNumberToObject(u, "output",
                   (double) ngx_http_llm_canon_count(usage,
                                                     "completion_tokens"))
               == NULL
            || cJSON_AddNumberToObject(u, "cache_read", (double) cached)
               == NULL
            || cJSON_AddNumberToObject(u, "cache_write", 0) == NULL)
        {
            goto failed;
        }
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
 * Streams of chat.completion.chunk events written from another dialect's
 * stream: 'data: {"id":..,"object":..,"created":..,"model":..,
 * "choices":[{"index":0,"delta":' for a chunk of a choice, and the end:
 * the usage chunk if the client asked for it, then [DONE].
 */

ngx_int_t
ngx_http_llm_openai_chunk_head(ngx_http_llm_chunks_t *st, u_char **out,
    u_char *end)
{
    if (ngx_http_llm_openai_chunk_ids(st, out, end) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_http_llm_put("{\"index\":0,\"delta\":");

    return NGX_OK;
}


ngx_int_t
ngx_http_llm_openai_chunk_end(ngx_http_llm_chunks_t *st, u_char **out,
    u_char *end)
{
    ngx_http_llm_stream_usage_t  *u;

    u = &st->usage;

    if (st->include_usage) {
        if (ngx_http_llm_openai_chunk_ids(st, out, end) != NGX_OK) {
            return NGX_ERROR;
        }

        ngx_http_llm_put("],\"usage\":{\"prompt_tokens\":");
        ngx_http_llm_put_int(u->input + u->cache_read + u->cache_write);
        ngx_http_llm_put(",\"completion_tokens\":");
        ngx_http_llm_put_int(u->output);
        ngx_http_llm_put(",\"total_tokens\":");
        ngx_http_llm_put_int(u->input + u->cache_read + u->cache_write
                             + u->output);
        ngx_http_llm_put(",\"prompt_tokens_details\":{\"cached_tokens\":");
        ngx_http_llm_put_int(u->cache_read);
        ngx_http_llm_put("}}}\n\n");
    }

    ngx_http_llm_put("data: [DONE]\n\n");

    return NGX_DONE;
}


/*
 * The chunks another dialect's stream becomes, from its JSON string
 * tokens: a content delta, a tool call's opening (its id and name) and
 * its arguments' deltas, the finish reason (a canonical stop reason),
 * and an error chunk with the provider's message (NGX_DECLINED: the
 * stream's end).
 */

ngx_int_t
ngx_http_llm_openai_chunk_text(ngx_http_llm_chunks_t *st,
    ngx_http_llm_json_value_t *text, u_char **out, u_char *end)
{
    st->usage.streamed += text->end - text->start - 2;

    if (ngx_http_llm_openai_chunk_head(st, out, end) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_http_llm_put("{\"content\":");
    ngx_http_llm_put_tok(text);
    ngx_http_llm_put("},\"finish_reason\":null}]}\n\n");

    return NGX_OK;
}


ngx_int_t
ngx_http_llm_openai_chunk_tool(ngx_http_llm_chunks_t *st,
    ngx_http_llm_json_value_t *id, ngx_http_llm_json_value_t *name,
    u_char **out, u_char *end)
{
    st->tool = st->tools++;

    if (ngx_http_llm_openai_chunk_head(st, out, end) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_http_llm_put("{\"tool_calls\":[{\"index\":");
    ngx_http_llm_put_int(st->tool);
    ngx_http_llm_put(",\"id\":");
    ngx_http_llm_put_tok(id);
    ngx_http_llm_put(",\"type\":\"function\",\"function\":{\"name\":");
    ngx_http_llm_put_tok(name);
    ngx_http_llm_put(",\"arguments\":\"\"}}]},\"finish_reason\":null}]}"
                     "\n\n");

    return NGX_OK;
}


ngx_int_t
ngx_http_llm_openai_chunk_args(ngx_http_llm_chunks_t *st,
    ngx_http_llm_json_value_t *args, u_char **out, u_char *end)
{
    st->usage.streamed += args->end - args->start - 2;

    if (ngx_http_llm_openai_chunk_head(st, out, end) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_http_llm_put("{\"tool_calls\":[{\"index\":");
    ngx_http_llm_put_int(st->tool);
    ngx_http_llm_put(",\"function\":{\"arguments\":");
    ngx_http_llm_put_tok(args);
    ngx_http_llm_put("}}]},\"finish_reason\":null}]}\n\n");

    return NGX_OK;
}


ngx_int_t
ngx_http_llm_openai_chunk_finish(ngx_http_llm_chunks_t *st,
    const char *reason, u_char **out, u_char *end)
{
    const char  *finish;

    finish = ngx_http_llm_openai_finish_reason(reason);

    if (ngx_http_llm_openai_chunk_head(st, out, end) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_http_llm_put("{},\"finish_reason\":\"");
    ngx_http_llm_put_str((u_char *) finish, ngx_strlen(finish));
    ngx_http_llm_put("\"}]}\n\n");

    return NGX_OK;
}


ngx_int_t
ngx_http_llm_openai_chunk_error(ngx_http_llm_json_value_t *msg, u_char **out,
    u_char *end)
{
    ngx_http_llm_put("data: {\"error\":{\"message\":");

    if (msg && msg->type == NGX_HTTP_LLM_JSON_STRING) {
        ngx_http_llm_put_tok(msg);

    } else {
        ngx_http_llm_put("\"The provider's stream failed.\"");
    }

    ngx_http_llm_put(",\"type\":\"api_error\",\"param\":null,"
                     "\"code\":\"stream_interrupted\"}}\n\n");

    return NGX_DECLINED;
}


/*
 * The provider's body ended, in a dialect with no end marker (Gemini's)
 * or after messageStop without the metadata frame (Bedrock's): a stream
 * that began is complete.
 */

ngx_int_t
ngx_http_llm_openai_chunk_body_end(ngx_http_llm_chunks_t *st, u_char **out,
    u_char *end)
{
    if (!st->started) {
        return NGX_ERROR;
    }

    return ngx_http_llm_openai_chunk_end(st, out, end);
}


/* a chunk's first choice; NGX_DECLINED: none (the usage chunk) */

ngx_int_t
ngx_http_llm_openai_chunk_choice(ngx_http_llm_json_value_t *doc,
    ngx_http_llm_json_value_t *choice)
{
    ngx_http_llm_json_value_t  v;

    if (ngx_http_llm_json_get(doc, "choices", &v) != NGX_OK
        || v.type != NGX_HTTP_LLM_JSON_ARRAY)
    {
        return NGX_DECLINED;
    }

    choice->end = v.start + 1;

    return (ngx_http_llm_json_array_next(&v, choice) == NGX_OK)
           ? NGX_OK : NGX_DECLINED;
}


/* a chunk's usage; OpenAI counts cached input inside prompt_tokens */

void
ngx_http_llm_openai_chunk_usage(ngx_http_llm_stream_usage_t *u,
    ngx_http_llm_json_value_t *usage)
{
    int64_t                     n, cached;
    ngx_http_llm_json_value_t   v, d;

    cached = 0;

    if (ngx_http_llm_json_get(usage, "prompt_tokens_details", &d) == NGX_OK
        && ngx_http_llm_json_get(&d, "cached_tokens", &v) == NGX_OK
        && ngx_http_llm_json_int(&v, &n) == NGX_OK && n > 0)
    {
        cached = n;
    }

    if (ngx_http_llm_json_get(usage, "prompt_tokens", &v) == NGX_OK
        && ngx_http_llm_json_int(&v, &n) == NGX_OK && n >= 0)
    {
        u->input = ngx_max(n - cached, 0);
        u->cache_read = ngx_min(cached, n);
    }

    if (ngx_http_llm_json_get(usage, "completion_tokens", &v) == NGX_OK
        && ngx_http_llm_json_int(&v, &n) == NGX_OK && n >= 0)
    {
        u->output = n;
        u->seen = 1;
    }
}


/*
 * A passthrough chunk, looked at once per event and cheaply (the bytes go
 * out as they came): the length of the text it carries (delta content and
 * tool call arguments, for the estimate of a stream cut before its usage)
 * and whether it has a usage object (OpenAI sends "usage":null in every
 * chunk when usage was asked for; the last one has the object).  Keys are
 * found from the colons after them: far fewer than the bytes, and a colon
 * inside a string is not preceded by a quoted key name.
 */

size_t
ngx_http_llm_openai_chunk_scan(u_char *p, u_char *end, ngx_uint_t *usage)
{
    u_char                     *q, *k;
    size_t                      n;
    ngx_str_t                  *key;
    ngx_http_llm_json_value_t   v;

    static ngx_str_t  keys[] = {
        ngx_string("\"usage\""),
        ngx_string("\"content\""),
        ngx_string("\"arguments\"")
    };

    n = 0;
    *usage = 0;

    for (q = p; q < end && (q = memchr(q, ':', end - q)) != NULL; q++) {

        for (k = q; k > p && (k[-1] == ' ' || k[-1] == '\t'); k--) {
            /* void */
        }

        /* by the key's last letter, then whole */

        if (k - p < 2 || k[-1] != '"') {
            continue;
        }

        switch (k[-2]) {
        case 'e':
            key = &keys[0];
            break;
        case 't':
            key = &keys[1];
            break;
        case 's':
            key = &keys[2];
            break;
        default:
            continue;
        }

        if (k - p < (ssize_t) key->len
            || ngx_strncmp(k - key->len, key->data, key->len) != 0)
        {
            continue;
        }

        k = ngx_http_llm_json_ws(q + 1, end);

        if (key == &keys[0]) {
            *usage |= (k < end && *k == '{');
            continue;
        }

        if (k >= end || *k != '"'
            || ngx_http_llm_json_parse(k, end, &v) == NULL)
        {
            continue;
        }

        n += v.end - v.start - 2;

        /* the colons in the text are not keys */
        q = v.end - 1;
    }

    return n;
}


static ngx_int_t
ngx_http_llm_openai_chunk_ids(ngx_http_llm_chunks_t *st, u_char **out,
    u_char *end)
{
    ngx_http_llm_put("data: {\"id\":");

    if (st->id_len) {
        ngx_http_llm_put_str(st->id, st->id_len);

    } else {
        ngx_http_llm_put("\"chatcmpl-llm\"");
    }

    ngx_http_llm_put(",\"object\":\"chat.completion.chunk\",\"created\":");
    ngx_http_llm_put_int(st->created);

    if (st->model_len) {
        ngx_http_llm_put(",\"model\":");
        ngx_http_llm_put_str(st->model, st->model_len);
    }

    ngx_http_llm_put(",\"choices\":[");

    return NGX_OK;
}


/* chat completions: the pivot, whose chunks every stream passes through */

const ngx_http_llm_dialect_t  ngx_http_llm_openai_dialect = {
    ngx_http_llm_openai_request_to_canon,
    ngx_http_llm_canon_to_openai_response,
    NULL, 0, NULL, NULL,                    /* its events are chunks */
    ngx_http_llm_canon_to_openai_request,
    ngx_http_llm_openai_response_to_canon,
    NULL, NULL,
    NULL, NULL,                             /* usage.c reads its usage */
    0, 0
};
