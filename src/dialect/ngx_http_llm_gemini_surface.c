
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <stdio.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_gemini_surface.h"
#include "ngx_http_llm_gemini.h"
#include "ngx_http_llm_openai_canon.h"


/*
 * The Gemini generateContent dialect as the client's (llm_gateway
 * gemini): its requests parsed into the canonical model, canonical
 * answers rendered as GenerateContentResponse, and other dialects'
 * streams as streamGenerateContent?alt=sse chunks.  Gemini names neither
 * the model nor the stream in the body (both are in the URL), and it
 * answers a function by the function's name: calls without an id get
 * one of ours, and a response is matched to the earliest unanswered call
 * of its name.
 */


static ngx_int_t ngx_http_llm_gemini_in_parts(cJSON *turn, cJSON *parts,
    ngx_uint_t model, cJSON *calls, ngx_uint_t *ncalls,
    ngx_http_llm_tr_err_t *err, int i);
static ngx_int_t ngx_http_llm_gemini_in_call(cJSON *fc, cJSON *parts,
    cJSON *calls, ngx_uint_t *ncalls, ngx_http_llm_tr_err_t *err, int i);
static ngx_int_t ngx_http_llm_gemini_in_result(cJSON *fr, cJSON *parts,
    cJSON *calls, ngx_http_llm_tr_err_t *err, int i);
static ngx_int_t ngx_http_llm_gemini_in_tools(cJSON *req, cJSON *canon,
    ngx_http_llm_tr_err_t *err);
static void ngx_http_llm_gemini_schema(cJSON *schema);
static ngx_int_t ngx_http_llm_gemini_in_config(cJSON *req, cJSON *canon,
    ngx_http_llm_tr_err_t *err);
static cJSON *ngx_http_llm_gemini_usage_metadata(cJSON *usage);
static ngx_int_t ngx_http_llm_gchunks_chunk(ngx_http_llm_gchunks_t *st,
    u_char *data, size_t len, u_char **out, u_char *end);
static ngx_int_t ngx_http_llm_gchunks_head(ngx_http_llm_gchunks_t *st,
    u_char **out, u_char *end);
static ngx_int_t ngx_http_llm_gchunks_tail(ngx_http_llm_gchunks_t *st,
    ngx_uint_t last, u_char **out, u_char *end);
static ngx_int_t ngx_http_llm_gchunks_error(ngx_http_llm_json_value_t *msg,
    u_char **out, u_char *end);
static ngx_int_t ngx_http_llm_gchunks_calls(ngx_http_llm_gchunks_t *st,
    ngx_http_llm_json_value_t *calls);
static ngx_int_t ngx_http_llm_gchunks_add(ngx_http_llm_gchunks_t *st,
    u_char *p, size_t n);
static ngx_int_t ngx_http_llm_gchunks_close(ngx_http_llm_gchunks_t *st);


/* the members translation reads, with their types */

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_system_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT|NGX_HTTP_LLM_SHAPE_NULL, NULL,
    ngx_http_llm_gemini_content
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_contents_shape = {
    NGX_HTTP_LLM_SHAPE_ARRAY, &ngx_http_llm_gemini_content_shape, NULL
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_gemini_decl[] = {
    { "name", &ngx_http_llm_shape_name },
    { "description", &ngx_http_llm_shape_string },
    { "parameters", &ngx_http_llm_shape_object },
    { "parametersJsonSchema", &ngx_http_llm_shape_object },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_decl_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_gemini_decl
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_decls_shape = {
    NGX_HTTP_LLM_SHAPE_ARRAY, &ngx_http_llm_gemini_decl_shape, NULL
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_gemini_tool[] = {
    { "functionDeclarations", &ngx_http_llm_gemini_decls_shape },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_tool_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_gemini_tool
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_tools_shape = {
    NGX_HTTP_LLM_SHAPE_ARRAY, &ngx_http_llm_gemini_tool_shape, NULL
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_gemini_fcc[] = {
    { "mode", &ngx_http_llm_shape_string },
    { "allowedFunctionNames", &ngx_http_llm_shape_strings },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_fcc_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_gemini_fcc
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_gemini_tool_config[] = {
    { "functionCallingConfig", &ngx_http_llm_gemini_fcc_shape },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_tool_config_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_gemini_tool_config
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_gemini_config[] = {
    { "maxOutputTokens", &ngx_http_llm_shape_int_null },
    { "temperature", &ngx_http_llm_shape_number_null },
    { "topP", &ngx_http_llm_shape_number_null },
    { "stopSequences", &ngx_http_llm_shape_strings_null },
    { "candidateCount", &ngx_http_llm_shape_int_null },
    { "responseMimeType", &ngx_http_llm_shape_string_null },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_config_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT|NGX_HTTP_LLM_SHAPE_NULL, NULL,
    ngx_http_llm_gemini_config
};

static const ngx_http_llm_shape_member_t  ngx_http_llm_gemini_request[] = {
    { "contents", &ngx_http_llm_gemini_contents_shape },
    { "systemInstruction", &ngx_http_llm_gemini_system_shape },
    { "tools", &ngx_http_llm_gemini_tools_shape },
    { "toolConfig", &ngx_http_llm_gemini_tool_config_shape },
    { "generationConfig", &ngx_http_llm_gemini_config_shape },
    { "fallbacks", &ngx_http_llm_shape_strings },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  ngx_http_llm_gemini_request_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, ngx_http_llm_gemini_request
};


/* the function calls a request's history may hold */
#define NGX_HTTP_LLM_GEMINI_MAX_CALLS_IN  4096

/* the largest functionCall parts a stream holds until its end */
#define NGX_HTTP_LLM_GEMINI_MAX_CALLS  (4 * 1024 * 1024)


cJSON *
ngx_http_llm_gemini_request_to_canon(cJSON *req, const char *model,
    ngx_uint_t stream, ngx_http_llm_tr_err_t *err)
{
    int          i;
    cJSON       *canon, *system, *messages, *calls, *turn, *parts, *si;
    cJSON       *part;
    ngx_uint_t   ncalls;
    const char  *role, *s;

    ncalls = 0;
    calls = cJSON_CreateArray();    /* [id, name] of unanswered calls */
    canon = ngx_http_llm_canon_request(req,
                                       &ngx_http_llm_gemini_request_shape,
                                       model, err);
    if (canon == NULL || calls == NULL) {
        goto failed;
    }

    system = cJSON_GetObjectItemCaseSensitive(canon, "system");
    messages = cJSON_GetObjectItemCaseSensitive(canon, "messages");

    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(req, "contents"))) {
        ngx_http_llm_canon_error(err, "\"contents\" must be an array");
        goto failed;
    }

    i = 0;

    cJSON_ArrayForEach(turn, cJSON_GetObjectItemCaseSensitive(req,
                                                              "contents"))
    {
        role = ngx_http_llm_canon_str(turn, "role");

        /* a single turn may leave out its role: it is the user's */
        if (role != NULL && strcmp(role, "user") != 0
            && strcmp(role, "model") != 0)
        {
            ngx_http_llm_canon_error(err, "contents[%d].role must be "
                                     "\"user\" or \"model\"", i);
            goto failed;
        }

        parts = ngx_http_llm_canon_message(messages,
                    (role && role[0] == 'm') ? "assistant" : "user");

        if (parts == NULL
            || ngx_http_llm_gemini_in_parts(turn, parts,
                                            role && role[0] == 'm', calls,
                                            &ncalls, err, i)
               != NGX_OK)
        {
            goto failed;
        }

        i++;
    }

    si = cJSON_GetObjectItemCaseSensitive(req, "systemInstruction");

    if (si && !cJSON_IsNull(si)) {
        cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(si,
                                                                  "parts"))
        {
            s = ngx_http_llm_canon_str(part, "text");

            if (s == NULL) {
                ngx_http_llm_canon_error(err, "\"systemInstruction\" may "
                                         "hold text parts only");
                goto failed;
            }

            if (ngx_http_llm_canon_add(system, ngx_http_llm_canon_text(s))
                != NGX_OK)
            {
                goto failed;
            }
        }

        if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(si, "parts"))) {
            ngx_http_llm_canon_error(err, "\"systemInstruction\" must be a "
                                     "Content with \"parts\"");
            goto failed;
        }
    }

    if (ngx_http_llm_gemini_in_tools(req, canon, err) != NGX_OK
        || ngx_http_llm_gemini_in_config(req, canon, err) != NGX_OK)
    {
        goto failed;
    }

    if (stream && cJSON_AddTrueToObject(canon, "stream") == NULL) {
        goto failed;
    }

    cJSON_Delete(calls);

    return canon;

failed:

    if (err->msg[0] == '\0') {
        ngx_http_llm_canon_error(err, "out of memory");
    }

    cJSON_Delete(calls);
    cJSON_Delete(canon);

    return NULL;
}


static ngx_int_t
ngx_http_llm_gemini_in_parts(cJSON *turn, cJSON *parts, ngx_uint_t model,
    cJSON *calls, ngx_uint_t *ncalls, ngx_http_llm_tr_err_t *err, int i)
{
    cJSON       *part, *v, *p;
    const char  *s, *mime, *data;

    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(turn, "parts"))) {
        return ngx_http_llm_canon_error(err, "contents[%d].parts must be an "
                                        "array", i);
    }

    cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(turn, "parts"))
    {
        /* earlier thoughts have no other dialect's form */
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(part, "thought"))) {
            ngx_http_llm_canon_drop(err, "thought");
            continue;
        }

        if (cJSON_GetObjectItemCaseSensitive(part, "thoughtSignature")) {
            ngx_http_llm_canon_drop(err, "thoughtSignature");
        }

        s = ngx_http_llm_canon_str(part, "text");

        if (s) {
            if (ngx_http_llm_canon_add(parts, ngx_http_llm_canon_text(s))
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            continue;
        }

        v = cJSON_GetObjectItemCaseSensitive(part, "inlineData");

        if (v == NULL) {
            v = cJSON_GetObjectItemCaseSensitive(part, "fileData");
        }

        if (v) {
            mime = ngx_http_llm_canon_str(v, "mimeType");
            data = ngx_http_llm_canon_str(v, "data");
            s = ngx_http_llm_canon_str(v, "fileUri");

            if (mime == NULL || strncmp(mime, "image/", 6) != 0
                || (data == NULL && s == NULL))
            {
                return ngx_http_llm_canon_error(err, "contents[%d]: only "
                                 "images (inlineData or fileData with an "
                                 "image/ mimeType) can be translated", i);
            }

            if (s) {
                p = ngx_http_llm_canon_image_url(s);

            } else {
                p = cJSON_CreateObject();

                if (p == NULL
                    || cJSON_AddStringToObject(p, "type", "image") == NULL
                    || cJSON_AddStringToObject(p, "media_type", mime) == NULL
                    || cJSON_AddStringToObject(p, "data", data) == NULL)
                {
                    cJSON_Delete(p);
                    return NGX_ERROR;
                }
            }

            if (ngx_http_llm_canon_add(parts, p) != NGX_OK) {
                return NGX_ERROR;
            }

            continue;
        }

        v = cJSON_GetObjectItemCaseSensitive(part, "functionCall");

        if (v && model) {
            if (ngx_http_llm_gemini_in_call(v, parts, calls, ncalls, err, i)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            continue;
        }

        v = cJSON_GetObjectItemCaseSensitive(part, "functionResponse");

        if (v && !model) {
            if (ngx_http_llm_gemini_in_result(v, parts, calls, err, i)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            continue;
        }

        /* executableCode, codeExecutionResult, videoMetadata, ... */
        return ngx_http_llm_canon_error(err, "contents[%d]: a part with "
                         "\"%s\" cannot be translated", i,
                         (part && part->child && part->child->string)
                         ? part->child->string : "nothing");
    }

    return NGX_OK;
}


/* a model's function call; one without an id gets ours, to be answered */

static ngx_int_t
ngx_http_llm_gemini_in_call(cJSON *fc, cJSON *parts, cJSON *calls,
    ngx_uint_t *ncalls, ngx_http_llm_tr_err_t *err, int i)
{
    char        *args, id[32];
    cJSON       *p, *a, *pair;
    const char  *name, *s;

    name = ngx_http_llm_canon_str(fc, "name");
    a = cJSON_GetObjectItemCaseSensitive(fc, "args");

    if (name == NULL || (a && !cJSON_IsObject(a))) {
        return ngx_http_llm_canon_error(err, "contents[%d]: a functionCall "
                                        "needs a name and args as an object",
                                        i);
    }

    /* a response looks for its call among those before it: bounded */
    if (++*ncalls > NGX_HTTP_LLM_GEMINI_MAX_CALLS_IN) {
        return ngx_http_llm_canon_error(err, "more than %d function calls "
                                        "cannot be translated",
                                        NGX_HTTP_LLM_GEMINI_MAX_CALLS_IN);
    }

    s = ngx_http_llm_canon_str(fc, "id");

    if (s == NULL) {
        (void) snprintf(id, sizeof(id), "call_%u",
                        (unsigned) (*ncalls - 1));
        s = id;
    }

    args = a ? cJSON_PrintUnformatted(a) : NULL;
    p = cJSON_CreateObject();
    pair = cJSON_CreateArray();

    if (ngx_http_llm_canon_add(parts, p) != NGX_OK
        || ngx_http_llm_canon_add(calls, pair) != NGX_OK
        || ngx_http_llm_canon_add(pair, cJSON_CreateString(s)) != NGX_OK
        || ngx_http_llm_canon_add(pair, cJSON_CreateString(name)) != NGX_OK
        || cJSON_AddStringToObject(p, "type", "tool_call") == NULL
        || cJSON_AddStringToObject(p, "id", s) == NULL
        || cJSON_AddStringToObject(p, "name", name) == NULL
        || cJSON_AddStringToObject(p, "arguments", args ? args : "{}")
           == NULL)
    {
        cJSON_free(args);
        return NGX_ERROR;
    }

    cJSON_free(args);

    return NGX_OK;
}


/*
 * A function's response: its "content" or "output" string as the text,
 * else the response object as JSON; a response holding "error" only is
 * an error result.
 */

static ngx_int_t
ngx_http_llm_gemini_in_result(cJSON *fr, cJSON *parts, cJSON *calls,
    ngx_http_llm_tr_err_t *err, int i)
{
    char        *json;
    cJSON       *resp, *p, *c, *pair, *text, *only;
    const char  *name, *id, *s;

    name = ngx_http_llm_canon_str(fr, "name");
    resp = cJSON_GetObjectItemCaseSensitive(fr, "response");
    id = ngx_http_llm_canon_str(fr, "id");

    if (name == NULL || !cJSON_IsObject(resp)) {
        return ngx_http_llm_canon_error(err, "contents[%d]: a "
                                        "functionResponse needs a name and "
                                        "a response object", i);
    }

    cJSON_ArrayForEach(pair, calls) {
        s = cJSON_GetArrayItem(pair, id ? 0 : 1)->valuestring;

        if (strcmp(s, id ? id : name) == 0) {
            break;
        }
    }

    if (pair == NULL) {
        return ngx_http_llm_canon_error(err, "contents[%d]: the "
                                        "functionResponse \"%s\" answers no "
                                        "functionCall before it", i, name);
    }

    p = cJSON_CreateObject();
    c = cJSON_CreateArray();

    if (p == NULL || c == NULL
        || ngx_http_llm_canon_add(parts, p) != NGX_OK
        || cJSON_AddStringToObject(p, "type", "tool_result") == NULL
        || cJSON_AddStringToObject(p, "id",
               cJSON_GetArrayItem(pair, 0)->valuestring) == NULL)
    {
        cJSON_Delete(c);
        return NGX_ERROR;
    }

    cJSON_AddItemToObject(p, "content", c);

    only = (resp->child && resp->child->next == NULL) ? resp->child : NULL;

    if (only && only->string == NULL) {
        only = NULL;
    }

    if (only && strcmp(only->string, "error") == 0
        && cJSON_AddTrueToObject(p, "is_error") == NULL)
    {
        return NGX_ERROR;
    }

    if (only && cJSON_IsString(only)
        && (strcmp(only->string, "content") == 0
            || strcmp(only->string, "output") == 0
            || strcmp(only->string, "error") == 0))
    {
        text = ngx_http_llm_canon_text(only->valuestring);

    } else {
        json = cJSON_PrintUnformatted(resp);
        text = json ? ngx_http_llm_canon_text(json) : NULL;
        cJSON_free(json);
    }

    if (ngx_http_llm_canon_add(c, text) != NGX_OK) {
        return NGX_ERROR;
    }

    /* answered: a later response of the same name is the next call's */
    cJSON_Delete(cJSON_DetachItemViaPointer(calls, pair));

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_gemini_in_tools(cJSON *req, cJSON *canon,
    ngx_http_llm_tr_err_t *err)
{
    cJSON       *tools, *tool, *d, *out, *v, *fc, *names;
    const char  *s;

    tools = cJSON_GetObjectItemCaseSensitive(req, "tools");

    if (tools && !cJSON_IsArray(tools)) {
        return ngx_http_llm_canon_error(err, "\"tools\" must be an array");
    }

    out = NULL;

    cJSON_ArrayForEach(tool, tools) {
        cJSON_ArrayForEach(v, tool) {
            /* googleSearch, codeExecution, urlContext run at Google */
            if (v->string == NULL
                || strcmp(v->string, "functionDeclarations") != 0)
            {
                return ngx_http_llm_canon_error(err, "\"tools\": the tool "
                                 "\"%s\" cannot be translated; only "
                                 "functionDeclarations",
                                 v->string ? v->string : "(none)");
            }
        }

        cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(tool,
                                                   "functionDeclarations"))
        {
            s = ngx_http_llm_canon_str(d, "name");

            if (s == NULL) {
                return ngx_http_llm_canon_error(err, "\"tools\": a function "
                                                "declaration needs a name");
            }

            if (out == NULL) {
                out = cJSON_AddArrayToObject(canon, "tools");
            }

            /* JSON Schema as given, or Gemini's OpenAPI subset made one */
            v = cJSON_GetObjectItemCaseSensitive(d, "parametersJsonSchema");

            if (v == NULL) {
                v = cJSON_GetObjectItemCaseSensitive(d, "parameters");
            }

            v = ngx_http_llm_canon_tool(out, s,
                                        ngx_http_llm_canon_str(d,
                                                               "description"),
                                        v);
            if (v == NULL) {
                return NGX_ERROR;
            }

            ngx_http_llm_gemini_schema(v);
        }
    }

    fc = cJSON_GetObjectItemCaseSensitive(
             cJSON_GetObjectItemCaseSensitive(req, "toolConfig"),
             "functionCallingConfig");

    s = ngx_http_llm_canon_str(fc, "mode");

    if (s == NULL || strcmp(s, "AUTO") == 0 || strcmp(s, "VALIDATED") == 0) {
        return NGX_OK;
    }

    if (strcmp(s, "NONE") == 0) {
        return cJSON_AddStringToObject(canon, "tool_choice", "none")
               ? NGX_OK : NGX_ERROR;
    }

    if (strcmp(s, "ANY") != 0) {
        return ngx_http_llm_canon_error(err, "\"toolConfig\": the mode "
                                        "\"%s\" is not AUTO, ANY or NONE", s);
    }

    names = cJSON_GetObjectItemCaseSensitive(fc, "allowedFunctionNames");

    if (cJSON_GetArraySize(names) == 1 && cJSON_IsString(names->child)) {
        v = cJSON_AddObjectToObject(canon, "tool_choice");

        return (v && cJSON_AddStringToObject(v, "name",
                                             names->child->valuestring))
               ? NGX_OK : NGX_ERROR;
    }

    if (cJSON_GetArraySize(names) > 1) {
        /* any tool: the list's restriction has no other form */
        ngx_http_llm_canon_drop(err, "allowedFunctionNames");
    }

    return cJSON_AddStringToObject(canon, "tool_choice", "required")
           ? NGX_OK : NGX_ERROR;
}


/* Gemini's OpenAPI types are upper case ("OBJECT"); JSON Schema's not */

static void
ngx_http_llm_gemini_schema(cJSON *schema)
{
    char   *s;
    cJSON  *v;

    cJSON_ArrayForEach(v, schema) {
        if (cJSON_IsString(v) && v->string && strcmp(v->string, "type") == 0)
        {
            for (s = v->valuestring; *s; s++) {
                *s = ngx_tolower(*s);
            }

            continue;
        }

        if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
            ngx_http_llm_gemini_schema(v);
        }
    }
}


static ngx_int_t
ngx_http_llm_gemini_in_config(cJSON *req, cJSON *canon,
    ngx_http_llm_tr_err_t *err)
{
    cJSON        *gc, *v;
    const char   *mime;

    static const char  *const mapped[][2] = {
        { "temperature", "temperature" },
        { "topP", "top_p" },
        { NULL, NULL }
    };
    static const char  *known[] = { "contents", "systemInstruction",
                                    "tools", "toolConfig",
                                    "generationConfig", "model",
                                    "fallbacks", NULL };
    static const char  *refused[] = { "cachedContent", NULL };
    static const char  *config[] = { "maxOutputTokens", "temperature",
                                     "topP", "stopSequences",
                                     "candidateCount", "responseMimeType",
                                     NULL };
    static const char  *config_refused[] = { "responseSchema",
                                             "responseJsonSchema",
                                             "responseModalities",
                                             "speechConfig", NULL };

    gc = cJSON_GetObjectItemCaseSensitive(req, "generationConfig");

    if (cJSON_IsNull(gc)) {
        gc = NULL;
    }

    if (ngx_http_llm_canon_sampling(gc, "maxOutputTokens", mapped, canon,
                                    err)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_llm_canon_stop(cJSON_GetObjectItemCaseSensitive(gc,
                                                        "stopSequences"),
                                canon, "stopSequences", err)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    v = cJSON_GetObjectItemCaseSensitive(gc, "candidateCount");

    if (v && !cJSON_IsNull(v) && v->valuedouble != 1) {
        return ngx_http_llm_canon_error(err, "\"candidateCount\" other than "
                                        "1 cannot be translated");
    }

    mime = ngx_http_llm_canon_str(gc, "responseMimeType");

    if (mime && strcmp(mime, "text/plain") != 0) {
        return ngx_http_llm_canon_error(err, "\"responseMimeType\" \"%s\" "
                                        "cannot be translated", mime);
    }

    /* what is neither mapped nor refused is named in the debug log */

    if (ngx_http_llm_canon_fields(gc, config, config_refused, err)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_llm_canon_fields(req, known, refused, err);
}


/* a GenerateContentResponse from a canonical response */

cJSON *
ngx_http_llm_canon_to_gemini_response(cJSON *canon, int64_t created,
    ngx_http_llm_tr_err_t *err)
{
    cJSON       *resp, *cands, *cand, *content, *parts, *part, *p, *fc, *a;
    cJSON       *meta;
    const char  *type, *s, *stop;

    resp = cJSON_CreateObject();
    cands = cJSON_AddArrayToObject(resp, "candidates");
    cand = cJSON_CreateObject();

    if (cands == NULL || ngx_http_llm_canon_add(cands, cand) != NGX_OK) {
        goto failed;
    }

    content = cJSON_AddObjectToObject(cand, "content");
    parts = cJSON_AddArrayToObject(content, "parts");

    if (parts == NULL
        || cJSON_AddStringToObject(content, "role", "model") == NULL)
    {
        goto failed;
    }

    cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(canon,
                                                              "content"))
    {
        type = ngx_http_llm_canon_str(part, "type");
        p = cJSON_CreateObject();

        if (type == NULL || ngx_http_llm_canon_add(parts, p) != NGX_OK) {
            goto failed;
        }

        if (strcmp(type, "text") == 0) {
            if (cJSON_AddStringToObject(p, "text",
                    ngx_http_llm_canon_str(part, "text")) == NULL)
            {
                goto failed;
            }

            continue;
        }

        if (strcmp(type, "tool_call") != 0) {
            ngx_http_llm_canon_error(err, "a \"%s\" part has no Gemini "
                                     "form", type);
            goto failed;
        }

        s = ngx_http_llm_canon_str(part, "arguments");
        a = (s && *s) ? cJSON_Parse(s) : cJSON_CreateObject();

        if (!cJSON_IsObject(a)) {
            cJSON_Delete(a);
            ngx_http_llm_canon_error(err, "the arguments of a tool call are "
                                     "not a JSON object");
            goto failed;
        }

        fc = cJSON_AddObjectToObject(p, "functionCall");

        if (fc == NULL
            || cJSON_AddStringToObject(fc, "id",
                   ngx_http_llm_canon_str(part, "id")) == NULL
            || cJSON_AddStringToObject(fc, "name",
                   ngx_http_llm_canon_str(part, "name")) == NULL
            || !cJSON_AddItemToObject(fc, "args", a))
        {
            cJSON_Delete(a);
            goto failed;
        }
    }

    /* Gemini says STOP after function calls and stop sequences too */
    stop = ngx_http_llm_canon_unmap(ngx_http_llm_canon_str(canon,
                                                           "stop_reason"),
                                    ngx_http_llm_gemini_finish, "STOP");

    if (cJSON_AddStringToObject(cand, "finishReason", stop) == NULL
        || cJSON_AddNumberToObject(cand, "index", 0) == NULL)
    {
        goto failed;
    }

    meta = ngx_http_llm_gemini_usage_metadata(
               cJSON_GetObjectItemCaseSensitive(canon, "usage"));

    if (meta == NULL || !cJSON_AddItemToObject(resp, "usageMetadata", meta)) {
        cJSON_Delete(meta);
        goto failed;
    }

    s = ngx_http_llm_canon_str(canon, "model");

    if (s && cJSON_AddStringToObject(resp, "modelVersion", s) == NULL) {
        goto failed;
    }

    s = ngx_http_llm_canon_str(canon, "id");

    if (s && cJSON_AddStringToObject(resp, "responseId", s) == NULL) {
        goto failed;
    }

    return resp;

failed:

    if (err->msg[0] == '\0') {
        ngx_http_llm_canon_error(err, "out of memory");
    }

    cJSON_Delete(resp);

    return NULL;
}


static cJSON *
ngx_http_llm_gemini_usage_metadata(cJSON *usage)
{
    cJSON    *meta;
    int64_t   prompt, output, cached;

    cached = ngx_http_llm_canon_count(usage, "cache_read");
    prompt = ngx_http_llm_canon_count(usage, "input") + cached
             + ngx_http_llm_canon_count(usage, "cache_write");
    output = ngx_http_llm_canon_count(usage, "output");

    meta = cJSON_CreateObject();

    if (ngx_http_llm_canon_add_int(meta, "promptTokenCount", prompt) == NULL
        || ngx_http_llm_canon_add_int(meta, "candidatesTokenCount", output)
           == NULL
        || ngx_http_llm_canon_add_int(meta, "totalTokenCount",
                                      prompt + output) == NULL
        || (cached
            && ngx_http_llm_canon_add_int(meta, "cachedContentTokenCount",
                                          cached) == NULL))
    {
        cJSON_Delete(meta);
        return NULL;
    }

    return meta;
}


/*
 * One chat.completion.chunk (its data: JSON, or [DONE]) as Gemini
 * chunks: each text delta at once as a chunk of its own; tool calls,
 * which Gemini sends whole, gathered until the answer's end, and sent
 * with the finishReason and the usage in the last chunk at [DONE] (after
 * OpenAI's usage chunk).  NGX_OK: go on; NGX_DONE: the stream is
 * complete; NGX_DECLINED: an error chunk, written as Gemini's error,
 * which ends the stream; NGX_ERROR: not a chunk, or no room.
 */

ngx_int_t
ngx_http_llm_gchunks_write(void *data, ngx_http_llm_stream_usage_t *u,
    ngx_uint_t given, u_char *in, size_t len, u_char **out, u_char *end)
{
    ngx_int_t                rc;
    ngx_http_llm_gchunks_t  *st;

    st = data;
    st->relayed = given;

    if (given) {
        st->usage = *u;
    }

    rc = ngx_http_llm_gchunks_chunk(st, in, len, out, end);

    if (!given) {
        *u = st->usage;
    }

    return rc;
}


static ngx_int_t
ngx_http_llm_gchunks_chunk(ngx_http_llm_gchunks_t *st, u_char *data,
    size_t len, u_char **out, u_char *end)
{
    ngx_http_llm_json_value_t   doc, v, choice, delta, d;

    if (len == 6 && ngx_strncmp(data, "[DONE]", 6) == 0) {
        if (!st->started
            || ngx_http_llm_gchunks_close(st) != NGX_OK
            || ngx_http_llm_gchunks_head(st, out, end) != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (st->calls_len) {
            ngx_http_llm_put_str(st->calls, st->calls_len);

        } else {
            ngx_http_llm_put("{\"text\":\"\"}");
        }

        if (ngx_http_llm_gchunks_tail(st, 1, out, end) != NGX_OK) {
            return NGX_ERROR;
        }

        return NGX_DONE;
    }

    if (ngx_http_llm_json_document(data, data + len, &doc) != NGX_OK
        || doc.type != NGX_HTTP_LLM_JSON_OBJECT)
    {
        return NGX_ERROR;
    }

    if (ngx_http_llm_json_get(&doc, "error", &v) == NGX_OK
        && v.type != NGX_HTTP_LLM_JSON_NULL)
    {
        if (ngx_http_llm_json_get(&v, "message", &d) != NGX_OK
            || d.type != NGX_HTTP_LLM_JSON_STRING)
        {
            d.start = NULL;
        }

        return (ngx_http_llm_gchunks_error(&d, out, end) == NGX_OK)
               ? NGX_DECLINED : NGX_ERROR;
    }

    if (!st->started) {
        st->started = 1;
        st->tool = -1;

        ngx_http_llm_canon_token(&doc, "id", st->id, &st->id_len);
        ngx_http_llm_canon_token(&doc, "model", st->model, &st->model_len);
    }

    if (!st->relayed
        && ngx_http_llm_json_get(&doc, "usage", &v) == NGX_OK
        && v.type == NGX_HTTP_LLM_JSON_OBJECT)
    {
        ngx_http_llm_openai_chunk_usage(&st->usage, &v);
    }

    if (ngx_http_llm_openai_chunk_choice(&doc, &choice) != NGX_OK) {
        /* the usage chunk has no choices */
        return NGX_OK;
    }

    if (ngx_http_llm_json_get(&choice, "delta", &delta) == NGX_OK) {

        if ((ngx_http_llm_json_get(&delta, "content", &d) == NGX_OK
             || ngx_http_llm_json_get(&delta, "refusal", &d) == NGX_OK)
            && d.type == NGX_HTTP_LLM_JSON_STRING && d.end - d.start > 2)
        {
            st->usage.streamed += d.end - d.start - 2;

            if (ngx_http_llm_gchunks_head(st, out, end) != NGX_OK) {
                return NGX_ERROR;
            }

            ngx_http_llm_put("{\"text\":");
            ngx_http_llm_put_tok(&d);
            ngx_http_llm_put("}");

            if (ngx_http_llm_gchunks_tail(st, 0, out, end) != NGX_OK) {
                return NGX_ERROR;
            }
        }

        if (ngx_http_llm_json_get(&delta, "tool_calls", &d) == NGX_OK
            && d.type == NGX_HTTP_LLM_JSON_ARRAY
            && ngx_http_llm_gchunks_calls(st, &d) != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (ngx_http_llm_json_get(&choice, "finish_reason", &v) == NGX_OK
        && v.type == NGX_HTTP_LLM_JSON_STRING)
    {
        if (ngx_http_llm_gchunks_close(st) != NGX_OK) {
            return NGX_ERROR;
        }

        st->finish = ngx_http_llm_canon_unmap(
                         ngx_http_llm_canon_map_token(&v,
                                                ngx_http_llm_openai_finish,
                                                "end"),
                         ngx_http_llm_gemini_finish, "STOP");
    }

    return NGX_OK;
}


/*
 * Tool call deltas, gathered as Gemini's functionCall parts: a call is
 * '{"functionCall":{"id":ID,"name":NAME,"args":' and its arguments'
 * text, closed when the next call or the finish reason comes.
 */

static ngx_int_t
ngx_http_llm_gchunks_calls(ngx_http_llm_gchunks_t *st,
    ngx_http_llm_json_value_t *calls)
{
    u_char                     *p;
    int64_t                     index;
    ssize_t                     n;
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

        if (ngx_http_llm_json_get(&call, "function", &fn) != NGX_OK
            || fn.type != NGX_HTTP_LLM_JSON_OBJECT)
        {
            return NGX_ERROR;
        }

        if (ngx_http_llm_json_get(&call, "id", &id) == NGX_OK
            && id.type == NGX_HTTP_LLM_JSON_STRING && index != st->tool)
        {
            if (ngx_http_llm_json_get(&fn, "name", &name) != NGX_OK
                || name.type != NGX_HTTP_LLM_JSON_STRING
                || ngx_http_llm_gchunks_close(st) != NGX_OK
                || (st->calls_len
                    && ngx_http_llm_gchunks_add(st, (u_char *) ",", 1)
                       != NGX_OK)
                || ngx_http_llm_gchunks_add(st,
                       (u_char *) "{\"functionCall\":{\"id\":", 22)
                   != NGX_OK
                || ngx_http_llm_gchunks_add(st, id.start, id.end - id.start)
                   != NGX_OK
                || ngx_http_llm_gchunks_add(st, (u_char *) ",\"name\":", 8)
                   != NGX_OK
                || ngx_http_llm_gchunks_add(st, name.start,
                                            name.end - name.start)
                   != NGX_OK
                || ngx_http_llm_gchunks_add(st, (u_char *) ",\"args\":", 8)
                   != NGX_OK)
            {
                return NGX_ERROR;
            }

            st->tool = index;
            st->args = st->calls_len;

        } else if (st->tool < 0 || st->tool != index) {
            /* arguments for a call that never began */
            return NGX_ERROR;
        }

        if (ngx_http_llm_json_get(&fn, "arguments", &args) != NGX_OK
            || args.type != NGX_HTTP_LLM_JSON_STRING
            || args.end - args.start <= 2)
        {
            continue;
        }

        /* the string's text, unescaped: the arguments object's JSON */
        if (ngx_http_llm_gchunks_add(st, NULL, args.end - args.start)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        p = st->calls + st->calls_len;
        n = ngx_http_llm_json_unescape(&args, p);

        if (n < 0) {
            return NGX_ERROR;
        }

        st->usage.streamed += n;
        st->calls_len += n;
    }

    return NGX_OK;
}


/* room for n more bytes (p NULL), or n bytes appended */

static ngx_int_t
ngx_http_llm_gchunks_add(ngx_http_llm_gchunks_t *st, u_char *p, size_t n)
{
    u_char  *grown;
    size_t   size;

    if (st->calls_len + n > st->calls_size) {
        if (st->calls_len + n > NGX_HTTP_LLM_GEMINI_MAX_CALLS) {
            return NGX_ERROR;
        }

        for (size = ngx_max(st->calls_size * 2, 1024);
             size < st->calls_len + n;
             size *= 2)
        {
            /* void */
        }

        grown = realloc(st->calls, size);
        if (grown == NULL) {
            return NGX_ERROR;
        }

        st->calls = grown;
        st->calls_size = size;
    }

    if (p) {
        ngx_memcpy(st->calls + st->calls_len, p, n);
        st->calls_len += n;
    }

    return NGX_OK;
}


/* the open call's arguments must be an object: "{}" when none came */

static ngx_int_t
ngx_http_llm_gchunks_close(ngx_http_llm_gchunks_t *st)
{
    ngx_http_llm_json_value_t  doc;

    if (st->tool < 0) {
        return NGX_OK;
    }

    st->tool = -1;

    if (st->calls_len == st->args) {
        return ngx_http_llm_gchunks_add(st, (u_char *) "{}}}", 4);
    }

    if (ngx_http_llm_json_document(st->calls + st->args,
                                   st->calls + st->calls_len, &doc)
        != NGX_OK
        || doc.type != NGX_HTTP_LLM_JSON_OBJECT)
    {
        return NGX_ERROR;
    }

    return ngx_http_llm_gchunks_add(st, (u_char *) "}}", 2);
}


/* what the last chunk will carry besides its own */

size_t
ngx_http_llm_gchunks_pending(void *data)
{
    ngx_http_llm_gchunks_t  *st = data;

    return st->calls_len;
}


void
ngx_http_llm_gchunks_free(void *data)
{
    ngx_http_llm_gchunks_t  *st = data;

    free(st->calls);
    st->calls = NULL;
    st->calls_len = 0;
    st->calls_size = 0;
}


static ngx_int_t
ngx_http_llm_gchunks_head(ngx_http_llm_gchunks_t *st, u_char **out,
    u_char *end)
{
    ngx_http_llm_put("data: {\"candidates\":[{\"content\":{\"parts\":[");

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_gchunks_tail(ngx_http_llm_gchunks_t *st, ngx_uint_t last,
    u_char **out, u_char *end)
{
    ngx_http_llm_stream_usage_t  *u;

    ngx_http_llm_put("],\"role\":\"model\"},");

    if (last) {
        ngx_http_llm_put("\"finishReason\":\"");
        ngx_http_llm_put_str((u_char *) (st->finish ? st->finish : "STOP"),
                             ngx_strlen(st->finish ? st->finish : "STOP"));
        ngx_http_llm_put("\",");
    }

    ngx_http_llm_put("\"index\":0}],");

    if (last) {
        u = &st->usage;

        ngx_http_llm_put("\"usageMetadata\":{\"promptTokenCount\":");
        ngx_http_llm_put_int(u->input + u->cache_read + u->cache_write);
        ngx_http_llm_put(",\"candidatesTokenCount\":");
        ngx_http_llm_put_int(u->output);
        ngx_http_llm_put(",\"totalTokenCount\":");
        ngx_http_llm_put_int(u->input + u->cache_read + u->cache_write
                             + u->output);

        if (u->cache_read) {
            ngx_http_llm_put(",\"cachedContentTokenCount\":");
            ngx_http_llm_put_int(u->cache_read);
        }

        ngx_http_llm_put("},");
    }

    if (st->model_len) {
        ngx_http_llm_put("\"modelVersion\":");
        ngx_http_llm_put_str(st->model, st->model_len);
        ngx_http_llm_put(",");
    }

    ngx_http_llm_put("\"responseId\":");

    if (st->id_len) {
        ngx_http_llm_put_str(st->id, st->id_len);

    } else {
        ngx_http_llm_put("\"llm\"");
    }

    ngx_http_llm_put("}\r\n\r\n");

    return NGX_OK;
}


/* a stream's error, as Gemini's: the provider's message, if any */

static ngx_int_t
ngx_http_llm_gchunks_error(ngx_http_llm_json_value_t *msg, u_char **out,
    u_char *end)
{
    ngx_http_llm_put("data: {\"error\":{\"code\":502,\"message\":");

    if (msg->start) {
        ngx_http_llm_put_tok(msg);

    } else {
        ngx_http_llm_put("\"The provider's stream failed.\"");
    }

    ngx_http_llm_put(",\"status\":\"UNAVAILABLE\"}}\r\n\r\n");

    return NGX_OK;
}


const ngx_http_llm_dialect_t  ngx_http_llm_gemini_surface = {
    ngx_http_llm_gemini_request_to_canon,
    ngx_http_llm_canon_to_gemini_response,
    ngx_http_llm_gchunks_write,
    sizeof(ngx_http_llm_gchunks_t),
    ngx_http_llm_gchunks_pending,
    ngx_http_llm_gchunks_free,
    NULL, NULL, NULL, NULL, NULL, NULL,     /* a provider's side */
    1, 0
};
