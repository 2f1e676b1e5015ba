
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_canon.h"


/*
 * The OpenAI chat completions dialect against the canonical model: its
 * requests parsed in, its responses rendered out.  Fields with no
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


/* the canonical stop reasons as OpenAI's finish_reason */
static const char *const  ngx_http_llm_openai_finish[][2] = {
    { "end", "stop" },
    { "stop", "stop" },
    { "max_tokens", "length" },
    { "tool_calls", "tool_calls" },
    { "refusal", "content_filter" },
    { NULL, NULL }
};


cJSON *
ngx_http_llm_openai_request_to_canon(cJSON *req, ngx_http_llm_tr_err_t *err)
{
    int          i;
    cJSON       *canon, *messages, *msg, *system, *out, *m, *parts, *v;
    const char  *role, *id;

    canon = cJSON_CreateObject();
    system = cJSON_CreateArray();
    out = cJSON_CreateArray();

    if (canon == NULL || system == NULL || out == NULL) {
        cJSON_Delete(system);
        cJSON_Delete(out);
        goto failed;
    }

    cJSON_AddItemToObject(canon, "system", system);
    cJSON_AddItemToObject(canon, "messages", out);

    v = cJSON_GetObjectItemCaseSensitive(req, "model");

    if (!cJSON_IsString(v)
        || cJSON_AddStringToObject(canon, "model", v->valuestring) == NULL)
    {
        ngx_http_llm_canon_error(err, "\"model\" must be a string");
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
    cJSON       *tool, *fn, *out, *t, *params;
    const char  *type, *name, *desc;

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

        t = cJSON_CreateObject();

        if (ngx_http_llm_canon_add(out, t) != NGX_OK
            || cJSON_AddStringToObject(t, "name", name) == NULL)
        {
            return NGX_ERROR;
        }

        desc = ngx_http_llm_canon_str(fn, "description");

        if (desc && cJSON_AddStringToObject(t, "description", desc) == NULL) {
            return NGX_ERROR;
        }

        params = cJSON_GetObjectItemCaseSensitive(fn, "parameters");

        params = params ? cJSON_Duplicate(params, 1)
                        : cJSON_Parse("{\"type\":\"object\","
                                      "\"properties\":{}}");

        if (params == NULL || !cJSON_AddItemToObject(t, "parameters", params))
        {
            cJSON_Delete(params);
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

    static const char  *numbers[] = { "temperature", "top_p", NULL };
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

    if (v == NULL || cJSON_IsNull(v)) {
        v = cJSON_GetObjectItemCaseSensitive(req, "max_tokens");
    }

    if (v && !cJSON_IsNull(v)) {
        if (!cJSON_IsNumber(v) || v->valuedouble < 1) {
            return ngx_http_llm_canon_error(err, "\"max_tokens\" must be a "
                                            "positive integer");
        }

        if (cJSON_AddNumberToObject(canon, "max_tokens", v->valuedouble)
            == NULL)
        {
            return NGX_ERROR;
        }
    }

    for (name = numbers; *name; name++) {
        v = cJSON_GetObjectItemCaseSensitive(req, *name);

        if (v == NULL || cJSON_IsNull(v)) {
            continue;
        }

        if (!cJSON_IsNumber(v)) {
            return ngx_http_llm_canon_error(err, "\"%s\" must be a number",
                                            *name);
        }

        if (cJSON_AddNumberToObject(canon, *name, v->valuedouble) == NULL) {
            return NGX_ERROR;
        }
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
    return ngx_http_llm_canon_map(reason, ngx_http_llm_openai_finish,
                                  "stop");
}


/* a chat.completion object from a canonical response */

cJSON *
ngx_http_llm_canon_to_openai_response(cJSON *canon, int64_t created)
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
