
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <stdio.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_gemini.h"
#include "ngx_http_llm_openai_canon.h"


/*
 * The Gemini generateContent dialect against the canonical model: requests
 * rendered for the provider (the model is in the URL, not the body), its
 * answers parsed back, its stream turned into chat.completion.chunk
 * events.  Gemini names a function's result by the function, not by the
 * call: the name is found from the call's id earlier in the history.
 */


static ngx_int_t ngx_http_llm_gemini_signed(cJSON *canon, cJSON *contents);
static ngx_int_t ngx_http_llm_gemini_parts(cJSON *msgs, cJSON *parts,
    cJSON *out, ngx_http_llm_tr_err_t *err);
static const char *ngx_http_llm_gemini_call_name(cJSON *msgs,
    const char *id);
static ngx_int_t ngx_http_llm_gemini_config(cJSON *canon, cJSON *req);
static ngx_int_t ngx_http_llm_gemini_tools(cJSON *canon, cJSON *req);


/* what separates a call's number from its signature in its id */
#define NGX_HTTP_LLM_GEMINI_TS  "_ts_"


/* Gemini's finishReason in the canonical model's words */
/*
 * The members translation reads, with their types: a Content's parts
 * (requests of the Gemini surface and answers of Gemini providers alike),
 * and an answer's.
 */

static const ngx_http_llm_shape_member_t  ngx_http_llm_gemini_blob[] = {
    { "mimeType", &ngx_http_llm_shape_string },
    { "data", &ngx_http_llm_shape_string },
    { "fileUri", &ngx_http_llm_shape_string },
    { NULL, NULL }
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_gemini_call[] = {
    { "id", &ngx_http_llm_shape_string },
    { "name", &ngx_http_llm_shape_name },
    { "args", &ngx_http_llm_shape_object },
    { "response", &ngx_http_llm_shape_object },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_blob_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_gemini_blob
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_call_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_gemini_call
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_gemini_part[] = {
    { "text", &ngx_http_llm_shape_string },
    { "thought", &ngx_http_llm_shape_bool },
    { "thoughtSignature", &ngx_http_llm_shape_string },
    { "inlineData", &ngx_http_llm_gemini_blob_shape },
    { "fileData", &ngx_http_llm_gemini_blob_shape },
    { "functionCall", &ngx_http_llm_gemini_call_shape },
    { "functionResponse", &ngx_http_llm_gemini_call_shape },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_part_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_gemini_part
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_parts_shape = {
    NGX_HTTP_LLM_SHAPE_ARRAY, &ngx_http_llm_gemini_part_shape, NULL
};

const ngx_http_llm_shape_member_t  ngx_http_llm_gemini_content[] = {
    { "role", &ngx_http_llm_shape_string },
    { "parts", &ngx_http_llm_gemini_parts_shape },
    { NULL, NULL }
};

const ngx_http_llm_shape_t  ngx_http_llm_gemini_content_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_gemini_content
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_candidate_content = {
    NGX_HTTP_LLM_SHAPE_OBJECT|NGX_HTTP_LLM_SHAPE_NULL, NULL,
    ngx_http_llm_gemini_content
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_gemini_candidate[] = {
    { "content", &ngx_http_llm_gemini_candidate_content },
    { "finishReason", &ngx_http_llm_shape_string_null },
    { "index", &ngx_http_llm_shape_int_null },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_candidate_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_gemini_candidate
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_candidates_shape = {
    NGX_HTTP_LLM_SHAPE_ARRAY|NGX_HTTP_LLM_SHAPE_NULL,
    &ngx_http_llm_gemini_candidate_shape, NULL
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_gemini_usage_m[] = {
    { "promptTokenCount", &ngx_http_llm_shape_count_null },
    { "candidatesTokenCount", &ngx_http_llm_shape_count_null },
    { "cachedContentTokenCount", &ngx_http_llm_shape_count_null },
    { "thoughtsTokenCount", &ngx_http_llm_shape_count_null },
    { "totalTokenCount", &ngx_http_llm_shape_count_null },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_usage_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT|NGX_HTTP_LLM_SHAPE_NULL, NULL,
    ngx_http_llm_gemini_usage_m
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_gemini_response[] = {
    { "candidates", &ngx_http_llm_gemini_candidates_shape },
    { "usageMetadata", &ngx_http_llm_gemini_usage_shape },
    { "responseId", &ngx_http_llm_shape_string_null },
    { "modelVersion", &ngx_http_llm_shape_string_null },
    { "promptFeedback", &ngx_http_llm_shape_object_null },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_response_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_gemini_response
};


const char *const  ngx_http_llm_gemini_finish[][2] = {
    { "STOP", "end" },
    { "MAX_TOKENS", "max_tokens" },
    { "SAFETY", "refusal" },
    { "RECITATION", "refusal" },
    { "BLOCKLIST", "refusal" },
    { "PROHIBITED_CONTENT", "refusal" },
    { "SPII", "refusal" },
    { "IMAGE_SAFETY", "refusal" },
    { NULL, NULL }
};


cJSON *
ngx_http_llm_canon_to_gemini_request(cJSON *canon, int64_t default_max_tokens,
    ngx_http_llm_tr_err_t *err)
{
    cJSON       *req, *msgs, *msg, *contents, *parts, *si, *sp, *part, *p;
    cJSON       *last;
    const char  *role, *s;

    req = cJSON_CreateObject();
    last = NULL;
    if (req == NULL) {
        goto failed;
    }

    msgs = cJSON_GetObjectItemCaseSensitive(canon, "messages");

    contents = cJSON_AddArrayToObject(req, "contents");
    if (contents == NULL) {
        goto failed;
    }

    cJSON_ArrayForEach(msg, msgs) {
        role = ngx_http_llm_canon_str(msg, "role");

        /* tool results travel in a user turn, as function responses */
        parts = ngx_http_llm_canon_turn(contents, &last,
                    (role && strcmp(role, "assistant") == 0) ? "model"
                                                             : "user",
                    "parts");
        if (parts == NULL
            || ngx_http_llm_gemini_parts(msgs,
                   cJSON_GetObjectItemCaseSensitive(msg, "content"), parts,
                   err)
               != NGX_OK)
        {
            goto failed;
        }
    }

    if (cJSON_GetArraySize(contents) == 0) {
        ngx_http_llm_canon_error(err, "at least one user or assistant "
                                 "message is needed");
        goto failed;
    }

    if (ngx_http_llm_gemini_signed(canon, contents) != NGX_OK) {
        goto failed;
    }

    si = cJSON_GetObjectItemCaseSensitive(canon, "system");

    if (cJSON_GetArraySize(si) > 0) {
        sp = cJSON_AddArrayToObject(cJSON_AddObjectToObject(req,
                                                        "systemInstruction"),
                                    "parts");
        if (sp == NULL) {
            goto failed;
        }

        cJSON_ArrayForEach(part, si) {
            s = ngx_http_llm_canon_str(part, "text");

            if (s == NULL) {
                ngx_http_llm_canon_error(err, "a system message may hold "
                                         "text only");
                goto failed;
            }

            p = cJSON_CreateObject();

            if (ngx_http_llm_canon_add(sp, p) != NGX_OK
                || cJSON_AddStringToObject(p, "text", s) == NULL)
            {
                goto failed;
            }
        }
    }

    if (ngx_http_llm_gemini_tools(canon, req) != NGX_OK
        || ngx_http_llm_gemini_config(canon, req) != NGX_OK)
    {
        goto failed;
    }

    if (ngx_http_llm_canon_str(canon, "user")) {
        ngx_http_llm_canon_drop(err, "user");
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
ngx_http_llm_gemini_parts(cJSON *msgs, cJSON *parts, cJSON *out,
    ngx_http_llm_tr_err_t *err)
{
    size_t       len;
    char        *text, *t;
    cJSON       *part, *p, *o, *args, *r, *c;
    const char  *type, *s, *name;

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
            if (ngx_http_llm_canon_str(part, "url")) {
                return ngx_http_llm_canon_error(err, "an image URL cannot be "
                                 "translated for Gemini, which takes "
                                 "images as base64 data");
            }

            o = cJSON_AddObjectToObject(p, "inlineData");

            if (o == NULL
                || cJSON_AddStringToObject(o, "mimeType",
                       ngx_http_llm_canon_str(part, "media_type")) == NULL
                || cJSON_AddStringToObject(o, "data",
                       ngx_http_llm_canon_str(part, "data")) == NULL)
            {
                return NGX_ERROR;
            }

            continue;
        }

        if (strcmp(type, "tool_call") == 0) {
            s = ngx_http_llm_canon_str(part, "arguments");
            args = s ? cJSON_Parse(s) : NULL;

            if (!cJSON_IsObject(args)) {
                cJSON_Delete(args);
                return ngx_http_llm_canon_error(err, "the arguments of tool "
                                 "call \"%s\" are not a JSON object",
                                 ngx_http_llm_canon_str(part, "id"));
            }

            o = cJSON_AddObjectToObject(p, "functionCall");

            if (o == NULL
                || cJSON_AddStringToObject(o, "name",
                       ngx_http_llm_canon_str(part, "name")) == NULL
                || !cJSON_AddItemToObject(o, "args", args))
            {
                cJSON_Delete(args);
                return NGX_ERROR;
            }

            /* the signature Gemini gave the call, kept in its id */
            s = ngx_http_llm_canon_str(part, "id");
            s = s ? strstr(s, NGX_HTTP_LLM_GEMINI_TS) : NULL;

            if (s && s[sizeof(NGX_HTTP_LLM_GEMINI_TS) - 1] != '\0') {
                s += sizeof(NGX_HTTP_LLM_GEMINI_TS) - 1;
                len = strlen(s);

                text = malloc(len + 4);
                if (text == NULL) {
                    return NGX_ERROR;
                }

                for (t = text; *s; s++) {
                    *t++ = (*s == '-') ? '+' : (*s == '_') ? '/' : *s;
                }

                while ((t - text) % 4) {
                    *t++ = '=';
                }

                *t = '\0';

                c = cJSON_AddStringToObject(p, "thoughtSignature", text);
                free(text);

                if (c == NULL) {
                    return NGX_ERROR;
                }
            }

            continue;
        }

        if (strcmp(type, "tool_result") != 0) {
            return ngx_http_llm_canon_error(err, "a \"%s\" part cannot be "
                                            "translated for Gemini", type);
        }

        /* {"functionResponse": {"name": ..., "response": {"content": ..}}} */

        s = ngx_http_llm_canon_str(part, "id");
        name = s ? ngx_http_llm_gemini_call_name(msgs, s) : NULL;

        if (name == NULL) {
            return ngx_http_llm_canon_error(err, "the tool result for \"%s\" "
                                            "answers no call in the history",
                                            s ? s : "(none)");
        }

        len = 1;

        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(part,
                                                               "content"))
        {
            s = ngx_http_llm_canon_str(c, "text");

            if (s == NULL) {
                return ngx_http_llm_canon_error(err, "a tool result may hold "
                                                "text only for Gemini");
            }

            len += strlen(s);
        }

        text = malloc(len);
        if (text == NULL) {
            return NGX_ERROR;
        }

        t = text;
        *t = '\0';

        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(part,
                                                               "content"))
        {
            t = stpcpy(t, ngx_http_llm_canon_str(c, "text"));
        }

        o = cJSON_AddObjectToObject(p, "functionResponse");
        r = o ? cJSON_AddObjectToObject(o, "response") : NULL;

        if (r == NULL
            || cJSON_AddStringToObject(o, "name", name) == NULL
            || cJSON_AddStringToObject(r,
                   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(part,
                                                                "is_error"))
                   ? "error" : "content", text)
               == NULL)
        {
            free(text);
            return NGX_ERROR;
        }

        free(text);
    }

    return NGX_OK;
}


static const char *
ngx_http_llm_gemini_call_name(cJSON *msgs, const char *id)
{
    cJSON       *msg, *part;
    const char  *s;

    cJSON_ArrayForEach(msg, msgs) {
        cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(msg,
                                                                  "content"))
        {
            s = ngx_http_llm_canon_str(part, "type");

            if (s && strcmp(s, "tool_call") == 0
                && (s = ngx_http_llm_canon_str(part, "id"))
                && strcmp(s, id) == 0)
            {
                return ngx_http_llm_canon_str(part, "name");
            }
        }
    }

    return NULL;
}


static ngx_int_t
ngx_http_llm_gemini_tools(cJSON *canon, cJSON *req)
{
    cJSON       *tools, *tool, *decls, *d, *v, *tc, *fc, *names;
    const char  *s;

    tools = cJSON_GetObjectItemCaseSensitive(canon, "tools");

    if (cJSON_GetArraySize(tools) > 0) {
        decls = cJSON_CreateArray();
        v = cJSON_CreateObject();

        if (decls == NULL || v == NULL
            || ngx_http_llm_canon_add(cJSON_AddArrayToObject(req, "tools"), v)
               != NGX_OK
            || !cJSON_AddItemToObject(v, "functionDeclarations", decls))
        {
            cJSON_Delete(decls);
            return NGX_ERROR;
        }

        cJSON_ArrayForEach(tool, tools) {
            d = cJSON_CreateObject();

            if (ngx_http_llm_canon_add(decls, d) != NGX_OK) {
                return NGX_ERROR;
            }

            /* JSON Schema as given, not Gemini's OpenAPI subset */
            v = ngx_http_llm_canon_tool_out(tool, d);

            if (v == NULL
                || !cJSON_AddItemToObject(d, "parametersJsonSchema", v))
            {
                cJSON_Delete(v);
                return NGX_ERROR;
            }
        }
    }

    tc = cJSON_GetObjectItemCaseSensitive(canon, "tool_choice");

    if (tc == NULL) {
        return NGX_OK;
    }

    fc = cJSON_AddObjectToObject(cJSON_AddObjectToObject(req, "toolConfig"),
                                 "functionCallingConfig");
    if (fc == NULL) {
        return NGX_ERROR;
    }

    s = cJSON_IsString(tc) ? tc->valuestring : NULL;

    if (s) {
        return cJSON_AddStringToObject(fc, "mode",
                   strcmp(s, "none") == 0 ? "NONE"
                   : strcmp(s, "required") == 0 ? "ANY" : "AUTO")
               ? NGX_OK : NGX_ERROR;
    }

    names = cJSON_AddArrayToObject(fc, "allowedFunctionNames");

    return (cJSON_AddStringToObject(fc, "mode", "ANY")
            && names
            && ngx_http_llm_canon_add(names,
                   cJSON_CreateString(ngx_http_llm_canon_str(tc, "name")))
               == NGX_OK)
           ? NGX_OK : NGX_ERROR;
}


static ngx_int_t
ngx_http_llm_gemini_config(cJSON *canon, cJSON *req)
{
    cJSON       *gc, *v;
    ngx_uint_t   i;

    static const char  *names[][2] = {
        { "temperature", "temperature" },
        { "top_p", "topP" },
        { "stop", "stopSequences" },
        { NULL, NULL }
    };

    gc = cJSON_CreateObject();
    if (gc == NULL) {
        return NGX_ERROR;
    }

    v = cJSON_GetObjectItemCaseSensitive(canon, "max_tokens");

    if (cJSON_IsNumber(v)
        && ngx_http_llm_canon_add_int(gc, "maxOutputTokens",
                                      (int64_t) v->valuedouble)
           == NULL)
    {
        cJSON_Delete(gc);
        return NGX_ERROR;
    }

    for (i = 0; names[i][0]; i++) {
        v = cJSON_GetObjectItemCaseSensitive(canon, names[i][0]);

        if (v == NULL || (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 0)) {
            continue;
        }

        v = cJSON_Duplicate(v, 1);

        if (v == NULL || !cJSON_AddItemToObject(gc, names[i][1], v)) {
            cJSON_Delete(v);
            cJSON_Delete(gc);
            return NGX_ERROR;
        }
    }

    if (gc->child == NULL) {
        cJSON_Delete(gc);
        return NGX_OK;
    }

    cJSON_AddItemToObject(req, "generationConfig", gc);

    return NGX_OK;
}


/*
 * A GenerateContentResponse into the canonical one: the first candidate's
 * parts (thoughts left out), function calls with ids of our own, and the
 * usage, whose prompt count includes the cached tokens and whose output
 * is the candidates' and the thoughts' tokens.
 */

cJSON *
ngx_http_llm_gemini_response_to_canon(cJSON *resp, ngx_http_llm_tr_err_t *err)
{
    int          calls;
    char        *args, *sid;
    u_char      *q;
    size_t       n;
    cJSON       *canon, *content, *cand, *part, *fc, *p, *meta, *u, *v;
    int64_t      prompt, cached;
    const char  *s, *sig;

    canon = cJSON_CreateObject();
    content = cJSON_AddArrayToObject(canon, "content");

    if (content == NULL) {
        goto failed;
    }

    if (!cJSON_IsObject(resp)
        || (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(resp,
                                                            "candidates"))
            && !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(resp,
                                                     "promptFeedback"))))
    {
        ngx_http_llm_canon_error(err, "not a GenerateContentResponse");
        goto failed;
    }

    if (ngx_http_llm_canon_check(resp, &ngx_http_llm_gemini_response_shape,
                                 err)
        != NGX_OK)
    {
        goto failed;
    }

    s = ngx_http_llm_canon_str(resp, "responseId");

    if (s && cJSON_AddStringToObject(canon, "id", s) == NULL) {
        goto failed;
    }

    s = ngx_http_llm_canon_str(resp, "modelVersion");

    if (s && cJSON_AddStringToObject(canon, "model", s) == NULL) {
        goto failed;
    }

    cand = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(resp,
                                                               "candidates"),
                              0);
    calls = 0;

    cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(
                           cJSON_GetObjectItemCaseSensitive(cand, "content"),
                           "parts"))
    {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(part, "thought"))) {
            continue;
        }

        s = ngx_http_llm_canon_str(part, "text");

        if (s) {
            if (ngx_http_llm_canon_add(content, ngx_http_llm_canon_text(s))
                != NGX_OK)
            {
                goto failed;
            }

            continue;
        }

        fc = cJSON_GetObjectItemCaseSensitive(part, "functionCall");

        if (fc == NULL) {
            /* inline data and the like have no other dialect's form */
            continue;
        }

        v = cJSON_GetObjectItemCaseSensitive(fc, "args");
        s = ngx_http_llm_canon_str(fc, "name");

        if (s == NULL || (v && !cJSON_IsObject(v))) {
            ngx_http_llm_canon_error(err, "a functionCall needs a name and "
                                     "args as an object");
            goto failed;
        }

        args = v ? cJSON_PrintUnformatted(v) : NULL;
        p = cJSON_CreateObject();

        sig = ngx_http_llm_canon_str(part, "thoughtSignature");
        n = sig ? strlen(sig) : 0;
        sid = malloc(sizeof("call_" NGX_HTTP_LLM_GEMINI_TS) + NGX_INT_T_LEN
                     + n);

        if (sid) {
            q = (u_char *) sid + sprintf(sid, "call_%d", calls++);

            q += ngx_http_llm_gemini_sig_id(q, (u_char *) sig, n);

            *q = '\0';
        }

        if (sid == NULL
            || ngx_http_llm_canon_add(content, p) != NGX_OK
            || cJSON_AddStringToObject(p, "type", "tool_call") == NULL
            || cJSON_AddStringToObject(p, "id", sid) == NULL
            || cJSON_AddStringToObject(p, "name", s) == NULL
            || cJSON_AddStringToObject(p, "arguments", args ? args : "{}")
               == NULL)
        {
            cJSON_free(args);
            free(sid);
            goto failed;
        }

        cJSON_free(args);
        free(sid);
    }

    s = ngx_http_llm_canon_str(cand, "finishReason");

    if (cJSON_AddStringToObject(canon, "stop_reason",
            calls ? "tool_calls"
                  : cand ? ngx_http_llm_canon_map(s,
                                           ngx_http_llm_gemini_finish, "end")
                         : "refusal")
        == NULL)
    {
        goto failed;
    }

    meta = cJSON_GetObjectItemCaseSensitive(resp, "usageMetadata");

    if (cJSON_IsObject(meta)) {
        prompt = ngx_http_llm_canon_count(meta, "promptTokenCount");
        cached = ngx_http_llm_canon_count(meta, "cachedContentTokenCount");
        cached = ngx_min(cached, prompt);

        u = cJSON_AddObjectToObject(canon, "usage");

        if (u == NULL
            || cJSON_AddNumberToObject(u, "input", (double) (prompt - cached))
               == NULL
            || cJSON_AddNumberToObject(u, "output", (double)
                   (ngx_http_llm_canon_count(meta, "candidatesTokenCount")
                    + ngx_http_llm_canon_count(meta, "thoughtsTokenCount")))
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
 * One event of a streamGenerateContent?alt=sse stream (a whole
 * GenerateContentResponse) as chat.completion.chunk events: text as
 * content deltas, each function call whole as a tool call, the finish
 * reason when it comes.  Gemini sends no end marker: the stream's end is
 * ngx_http_llm_openai_chunk_body_end(), at the end of the body.  Strings are
 * copied as tokens; function arguments are escaped into a string.
 * NGX_OK: go on; NGX_DECLINED: an error, written as an OpenAI error
 * event; NGX_ERROR: not a response, or no room.
 */

ngx_int_t
ngx_http_llm_gemini_stream_event(ngx_http_llm_chunks_t *st, u_char *data,
    size_t len, u_char **out, u_char *end)
{
    ngx_http_llm_json_value_t   doc, v, cands, cand, content, parts, part;
    ngx_http_llm_json_value_t   fc, name, args, meta, e, sig;

    if (ngx_http_llm_json_document(data, data + len, &doc) != NGX_OK
        || doc.type != NGX_HTTP_LLM_JSON_OBJECT)
    {
        return NGX_ERROR;
    }

    if (ngx_http_llm_json_get(&doc, "error", &e) == NGX_OK) {
        return ngx_http_llm_openai_chunk_error(
                   ngx_http_llm_json_get(&e, "message", &v) == NGX_OK
                   ? &v : NULL,
                   out, end);
    }

    if (!st->started) {
        st->started = 1;

        ngx_http_llm_canon_token(&doc, "responseId", st->id, &st->id_len);
        ngx_http_llm_canon_token(&doc, "modelVersion", st->model,
                                 &st->model_len);

        if (ngx_http_llm_openai_chunk_head(st, out, end) != NGX_OK) {
            return NGX_ERROR;
        }

        ngx_http_llm_put("{\"role\":\"assistant\",\"content\":\"\"},"
                         "\"finish_reason\":null}]}\n\n");
    }

    /* the counts of every chunk are cumulative: the last one holds */
    if (ngx_http_llm_json_get(&doc, "usageMetadata", &meta) == NGX_OK) {
        ngx_http_llm_gemini_usage(&st->usage, &meta);
    }

    if (ngx_http_llm_json_get(&doc, "candidates", &cands) != NGX_OK
        || cands.type != NGX_HTTP_LLM_JSON_ARRAY)
    {
        return NGX_OK;
    }

    cand.end = cands.start + 1;

    if (ngx_http_llm_json_array_next(&cands, &cand) != NGX_OK) {
        return NGX_OK;
    }

    if (ngx_http_llm_json_get(&cand, "content", &content) == NGX_OK
        && ngx_http_llm_json_get(&content, "parts", &parts) == NGX_OK
        && parts.type == NGX_HTTP_LLM_JSON_ARRAY)
    {
        for (part.end = parts.start + 1;
             ngx_http_llm_json_array_next(&parts, &part) == NGX_OK;
             /* void */)
        {
            if (ngx_http_llm_json_get(&part, "thought", &v) == NGX_OK
                && v.type == NGX_HTTP_LLM_JSON_TRUE)
            {
                continue;
            }

            if (ngx_http_llm_json_get(&part, "text", &v) == NGX_OK
                && v.type == NGX_HTTP_LLM_JSON_STRING)
            {
                if (ngx_http_llm_openai_chunk_text(st, &v, out, end)
                    != NGX_OK)
                {
                    return NGX_ERROR;
                }

                continue;
            }

            if (ngx_http_llm_json_get(&part, "functionCall", &fc) != NGX_OK) {
                continue;
            }

            if (ngx_http_llm_json_get(&fc, "name", &name) != NGX_OK
                || name.type != NGX_HTTP_LLM_JSON_STRING)
            {
                return NGX_ERROR;
            }

            if (ngx_http_llm_json_get(&fc, "args", &args) != NGX_OK) {
                args.start = (u_char *) "{}";
                args.end = args.start + 2;

            } else if (args.type != NGX_HTTP_LLM_JSON_OBJECT) {
                return NGX_ERROR;
            }

            if (ngx_http_llm_json_get(&part, "thoughtSignature", &sig)
                != NGX_OK
                || sig.type != NGX_HTTP_LLM_JSON_STRING)
            {
                /* no signature: an empty string */
                sig.start = (u_char *) "\"\"";
                sig.end = sig.start + 2;
            }

            /* the arguments object, escaped into OpenAI's string */
            if ((size_t) (end - *out) < 2 * (size_t) (args.end - args.start)
                                        + 256 + (name.end - name.start)
                                        + (sig.end - sig.start))
            {
                return NGX_ERROR;
            }

            st->usage.streamed += args.end - args.start;

            if (ngx_http_llm_openai_chunk_head(st, out, end) != NGX_OK) {
                return NGX_ERROR;
            }

            ngx_http_llm_put("{\"tool_calls\":[{\"index\":");
            ngx_http_llm_put_int(st->tools);
            ngx_http_llm_put(",\"id\":\"call_");
            ngx_http_llm_put_int(st->tools);
            *out += ngx_http_llm_gemini_sig_id(*out, sig.start + 1,
                                               sig.end - sig.start - 2);
            ngx_http_llm_put("\",\"type\":\"function\",\"function\":"
                             "{\"name\":");
            ngx_http_llm_put_tok(&name);
            ngx_http_llm_put(",\"arguments\":\"");

            if ((size_t) (end - *out)
                < ngx_http_llm_json_escape_len(args.start,
                                               args.end - args.start))
            {
                return NGX_ERROR;
            }

            *out = ngx_http_llm_json_escape(*out, args.start,
                                            args.end - args.start);

            ngx_http_llm_put("\"}}]},\"finish_reason\":null}]}\n\n");

            st->tools++;
        }
    }

    if (ngx_http_llm_json_get(&cand, "finishReason", &v) != NGX_OK
        || v.type != NGX_HTTP_LLM_JSON_STRING || st->finished)
    {
        return NGX_OK;
    }

    /* Gemini says STOP after function calls too */
    st->finished = 1;

    return ngx_http_llm_openai_chunk_finish(st,
               st->tools ? "tool_calls"
                         : ngx_http_llm_canon_map_token(&v,
                                               ngx_http_llm_gemini_finish,
                                               "end"),
               out, end);
}


/* usageMetadata: cumulative, cached tokens apart, thoughts as output */

void
ngx_http_llm_gemini_usage(ngx_http_llm_stream_usage_t *u,
    ngx_http_llm_json_value_t *meta)
{
    int64_t                     n, prompt, cached;
    ngx_http_llm_json_value_t   v;

    prompt = 0;
    cached = 0;

    if (ngx_http_llm_json_get(meta, "promptTokenCount", &v) == NGX_OK
        && ngx_http_llm_json_int(&v, &n) == NGX_OK && n > 0)
    {
        prompt = n;
    }

    if (ngx_http_llm_json_get(meta, "cachedContentTokenCount", &v) == NGX_OK
        && ngx_http_llm_json_int(&v, &n) == NGX_OK && n > 0)
    {
        cached = ngx_min(n, prompt);
    }

    u->input = prompt - cached;
    u->cache_read = cached;
    u->output = 0;

    if (ngx_http_llm_json_get(meta, "candidatesTokenCount", &v) == NGX_OK
        && ngx_http_llm_json_int(&v, &n) == NGX_OK && n > 0)
    {
        u->output += n;
    }

    if (ngx_http_llm_json_get(meta, "thoughtsTokenCount", &v) == NGX_OK
        && ngx_http_llm_json_int(&v, &n) == NGX_OK && n > 0)
    {
        u->output += n;
    }

    u->seen = 1;
}


/*
 * Gemini 3 must get each function call back with the thoughtSignature it
 * came with; a client of another dialect returns the call's id verbatim,
 * so the signature travels in it: "call_N_ts_" and the signature with
 * base64's '+' and '/' as '-' and '_' and no padding (so the id also
 * suits Anthropic's [a-zA-Z0-9_-]+).  Writes the separator and the
 * signature; 0: none, or not base64.
 */

size_t
ngx_http_llm_gemini_sig_id(u_char *dst, u_char *sig, size_t len)
{
    u_char  *p, c;
    size_t   i;

    p = ngx_cpymem(dst, NGX_HTTP_LLM_GEMINI_TS,
                   sizeof(NGX_HTTP_LLM_GEMINI_TS) - 1);

    for (i = 0; i < len; i++) {
        c = sig[i];

        if (c == '=') {
            continue;
        }

        if (c == '+' || c == '/') {
            c = (c == '+') ? '-' : '_';

        } else if (!isalnum(c)) {
            /* not base64: no signature to keep */
            return 0;
        }

        *p++ = c;
    }

    return (p - dst > (ssize_t) sizeof(NGX_HTTP_LLM_GEMINI_TS) - 1)
           ? (size_t) (p - dst) : 0;
}


/*
 * A Gemini 3 model turn with function calls but no signature (history
 * from another model, or a client that made up the call) is refused
 * unless its first call carries the validator-skipping value Google
 * documents for that case.
 * https://ai.google.dev/gemini-api/docs/thought-signatures
 */

static ngx_int_t
ngx_http_llm_gemini_signed(cJSON *canon, cJSON *contents)
{
    cJSON       *turn, *part, *first;
    const char  *model, *slash, *role;

    model = ngx_http_llm_canon_str(canon, "model");

    if (model == NULL) {
        return NGX_OK;
    }

    slash = strrchr(model, '/');
    model = slash ? slash + 1 : model;

    if (strncmp(model, "gemini-3", 8) != 0) {
        return NGX_OK;
    }

    cJSON_ArrayForEach(turn, contents) {
        role = ngx_http_llm_canon_str(turn, "role");

        if (role == NULL || strcmp(role, "model") != 0) {
            continue;
        }

        first = NULL;

        cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(turn,
                                                                  "parts"))
        {
            if (cJSON_GetObjectItemCaseSensitive(part, "functionCall")
                == NULL)
            {
                continue;
            }

            if (cJSON_GetObjectItemCaseSensitive(part, "thoughtSignature")) {
                first = NULL;
                break;
            }

            if (first == NULL) {
                first = part;
            }
        }

        if (first
            && cJSON_AddStringToObject(first, "thoughtSignature",
                                       "skip_thought_signature_validator")
               == NULL)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * A Gemini stream or answer passed through to a Gemini client: only read,
 * for its usage (cumulative in every chunk) and its end, the chunk with
 * a finishReason.  NGX_DONE: that chunk, or an error.
 */

ngx_int_t
ngx_http_llm_gemini_observe(ngx_http_llm_stream_usage_t *u, u_char *data,
    size_t len)
{
    ngx_int_t                   rc;
    ngx_http_llm_json_value_t   doc, v, cands, cand, content, parts, part;

    if (ngx_http_llm_json_document(data, data + len, &doc) != NGX_OK
        || doc.type != NGX_HTTP_LLM_JSON_OBJECT)
    {
        return NGX_OK;
    }

    if (ngx_http_llm_json_get(&doc, "error", &v) == NGX_OK) {
        return NGX_DONE;
    }

    if (ngx_http_llm_json_get(&doc, "usageMetadata", &v) == NGX_OK) {
        ngx_http_llm_gemini_usage(u, &v);
    }

    if (ngx_http_llm_json_get(&doc, "candidates", &cands) != NGX_OK
        || cands.type != NGX_HTTP_LLM_JSON_ARRAY)
    {
        return NGX_OK;
    }

    cand.end = cands.start + 1;

    if (ngx_http_llm_json_array_next(&cands, &cand) != NGX_OK) {
        return NGX_OK;
    }

    rc = (ngx_http_llm_json_get(&cand, "finishReason", &v) == NGX_OK)
         ? NGX_DONE : NGX_OK;

    if (ngx_http_llm_json_get(&cand, "content", &content) == NGX_OK
        && ngx_http_llm_json_get(&content, "parts", &parts) == NGX_OK
        && parts.type == NGX_HTTP_LLM_JSON_ARRAY)
    {
        for (part.end = parts.start + 1;
             ngx_http_llm_json_array_next(&parts, &part) == NGX_OK;
             /* void */)
        {
            if (ngx_http_llm_json_get(&part, "text", &v) == NGX_OK
                && v.type == NGX_HTTP_LLM_JSON_STRING)
            {
                u->streamed += v.end - v.start - 2;
            }
        }
    }

    return rc;
}


const ngx_http_llm_dialect_t  ngx_http_llm_gemini_dialect = {
    NULL, NULL, NULL, 0, NULL, NULL,        /* a client's side */
    ngx_http_llm_canon_to_gemini_request,
    ngx_http_llm_gemini_response_to_canon,
    ngx_http_llm_gemini_stream_event,
    ngx_http_llm_openai_chunk_body_end,     /* no end marker */
    ngx_http_llm_gemini_observe,
    ngx_http_llm_gemini_observe,
    1, 0
};
