
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <stdio.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_window.h"


/*
 * Small helpers over the canonical document (see ngx_http_llm_canon.h);
 * free of nginx's runtime so that the translators are unit-tested alone.
 */


cJSON *
ngx_http_llm_canon_text(const char *text)
{
    cJSON  *part;

    part = cJSON_CreateObject();

    if (part == NULL
        || cJSON_AddStringToObject(part, "type", "text") == NULL
        || cJSON_AddStringToObject(part, "text", text) == NULL)
    {
        cJSON_Delete(part);
        return NULL;
    }

    return part;
}


/* a data: URL becomes base64 with its media type, others stay URLs */

cJSON *
ngx_http_llm_canon_image_url(const char *url)
{
    cJSON       *part;
    const char  *semi, *comma;
    char         media[128];

    part = cJSON_CreateObject();
    if (part == NULL || cJSON_AddStringToObject(part, "type", "image") == NULL)
    {
        goto failed;
    }

    if (strncmp(url, "data:", 5) == 0) {
        semi = strchr(url, ';');
        comma = strchr(url, ',');

        if (semi == NULL || comma == NULL || semi > comma
            || strncmp(semi, ";base64,", 8) != 0
            || (size_t) (semi - url - 5) >= sizeof(media))
        {
            goto failed;
        }

        memcpy(media, url + 5, semi - url - 5);
        media[semi - url - 5] = '\0';

        if (cJSON_AddStringToObject(part, "media_type", media) == NULL
            || cJSON_AddStringToObject(part, "data", comma + 1) == NULL)
        {
            goto failed;
        }

        return part;
    }

    if (cJSON_AddStringToObject(part, "url", url) == NULL) {
        goto failed;
    }

    return part;

failed:

    cJSON_Delete(part);
    return NULL;
}


ngx_int_t
ngx_http_llm_canon_add(cJSON *array, cJSON *item)
{
    if (item == NULL || !cJSON_AddItemToArray(array, item)) {
        cJSON_Delete(item);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * An integer member of a document to be printed: raw digits, as cJSON
 * prints every number through sprintf("%1.15g") and checks it back.
 */

cJSON *
ngx_http_llm_canon_add_int(cJSON *obj, const char *name, int64_t v)
{
    u_char   buf[NGX_INT64_LEN + 1], *p;
    cJSON   *item;

    p = ngx_http_llm_digits(buf, v > 0 ? (uint64_t) v : 0, 1);
    *p = '\0';

    item = cJSON_CreateRaw((char *) buf);

    if (item == NULL || !cJSON_AddItemToObject(obj, name, item)) {
        cJSON_Delete(item);
        return NULL;
    }

    return item;
}


/* a token count of the canonical usage: 0 when absent or not a count */

int64_t
ngx_http_llm_canon_count(cJSON *usage, const char *name)
{
    cJSON  *v;

    v = cJSON_GetObjectItemCaseSensitive(usage, name);

    if (!cJSON_IsNumber(v) || !(v->valuedouble > 0)
        || v->valuedouble > 1e15)
    {
        return 0;
    }

    return (int64_t) v->valuedouble;
}


/*
 * A provider's usage object as canon's "usage": the counts named by a
 * table of {provider's name, canon's name} pairs ending with {NULL, NULL}.
 * Nothing when the answer has no usage object.
 */

ngx_int_t
ngx_http_llm_canon_add_usage(cJSON *canon, cJSON *usage,
    const char *const names[][2])
{
    cJSON       *u;
    ngx_uint_t   i;

    if (!cJSON_IsObject(usage)) {
        return NGX_OK;
    }

    u = cJSON_AddObjectToObject(canon, "usage");
    if (u == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; names[i][0]; i++) {
        if (cJSON_AddNumberToObject(u, names[i][1], (double)
                ngx_http_llm_canon_count(usage, names[i][0]))
            == NULL)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * A value through a table of {from, to} pairs ending with {NULL, NULL};
 * "unmap" reads the table backwards, the first match winning.
 */

const char *
ngx_http_llm_canon_map(const char *v, const char *const map[][2],
    const char *dflt)
{
    ngx_uint_t  i;

    for (i = 0; v && map[i][0]; i++) {
        if (strcmp(v, map[i][0]) == 0) {
            return map[i][1];
        }
    }

    return dflt;
}


const char *
ngx_http_llm_canon_unmap(const char *v, const char *const map[][2],
    const char *dflt)
{
    ngx_uint_t  i;

    for (i = 0; v && map[i][0]; i++) {
        if (strcmp(v, map[i][1]) == 0) {
            return map[i][0];
        }
    }

    return dflt;
}


/* a JSON string token (quotes included) through a map */

const char *
ngx_http_llm_canon_map_token(ngx_http_llm_json_value_t *v,
    const char *const map[][2], const char *dflt)
{
    char  s[32];

    if (v->type != NGX_HTTP_LLM_JSON_STRING
        || (size_t) (v->end - v->start) >= sizeof(s))
    {
        return dflt;
    }

    ngx_memcpy(s, v->start + 1, v->end - v->start - 2);
    s[v->end - v->start - 2] = '\0';

    return ngx_http_llm_canon_map(s, map, dflt);
}


/* a string member, or NULL */

const char *
ngx_http_llm_canon_str(cJSON *obj, const char *name)
{
    cJSON  *v;

    v = cJSON_GetObjectItemCaseSensitive(obj, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}


ngx_int_t
ngx_http_llm_canon_error(ngx_http_llm_tr_err_t *err, const char *fmt, ...)
{
    va_list  args;

    va_start(args, fmt);
    (void) vsnprintf(err->msg, sizeof(err->msg), fmt, args);
    va_end(args);

    return NGX_ERROR;
}


/*
 * A document against its dialect's shape, before a translator reads it:
 * NGX_ERROR with the member at fault in err when it does not fit.
 */

ngx_int_t
ngx_http_llm_canon_check(cJSON *doc, const ngx_http_llm_shape_t *shape,
    ngx_http_llm_tr_err_t *err)
{
    ngx_http_llm_shape_err_t  se;

    if (ngx_http_llm_shape_check(doc, shape, &se) == NGX_OK) {
        return NGX_OK;
    }

    err->code = se.code;
    ngx_memcpy(err->path, se.path, sizeof(err->path));

    return ngx_http_llm_canon_error(err, "%s", se.msg);
}


/* a field left out of a translation, named for the debug log */

void
ngx_http_llm_canon_drop(ngx_http_llm_tr_err_t *err, const char *name)
{
    size_t  len;

    len = strlen(err->dropped);

    (void) snprintf(err->dropped + len, sizeof(err->dropped) - len, "%s%s",
                    len ? ", " : "", name);
}


/*
 * A provider's error document, any dialect: OpenAI's {"error":
 * {"message", "type", "code"}}, Anthropic's {"type": "error", "error":
 * {"type", "message"}}, Google's.  The code is the most specific name it
 * gives.
 */

ngx_int_t
ngx_http_llm_provider_error(cJSON *doc, const char **message,
    const char **code)
{
    cJSON  *e;

    e = cJSON_GetObjectItemCaseSensitive(doc, "error");

    *message = ngx_http_llm_canon_str(e, "message");
    *code = ngx_http_llm_canon_str(e, "code");

    if (*code == NULL) {
        *code = ngx_http_llm_canon_str(e, "type");
    }

    if (*code == NULL) {
        /* Google's {"code": 400, "message", "status": "INVALID_ARGUMENT"} */
        *code = ngx_http_llm_canon_str(e, "status");
    }

    if (*message == NULL && cJSON_IsString(e)) {
        *message = e->valuestring;
    }

    if (*message == NULL && e == NULL) {
        /* AWS's {"message": ...}, its type in a header */
        *message = ngx_http_llm_canon_str(doc, "message");
    }

    return *message ? NGX_OK : NGX_DECLINED;
}


/* stream translators write straight into a bounded buffer */

ngx_int_t
ngx_http_llm_canon_put(u_char **out, u_char *end, u_char *p, size_t n)
{
    if ((size_t) (end - *out) < n) {
        return NGX_ERROR;
    }

    *out = ngx_cpymem(*out, p, n);

    return NGX_OK;
}


ngx_int_t
ngx_http_llm_canon_put_int(u_char **out, u_char *end, int64_t v)
{
    if (end - *out < (ssize_t) NGX_INT64_LEN) {
        return NGX_ERROR;
    }

    *out = ngx_http_llm_digits(*out, v > 0 ? (uint64_t) v : 0, 1);

    return NGX_OK;
}


/* a string member's JSON token, quotes included, when it fits */

void
ngx_http_llm_canon_token(ngx_http_llm_json_value_t *obj, const char *name,
    u_char *buf, size_t *len)
{
    ngx_http_llm_json_value_t  v;

    if (ngx_http_llm_json_get(obj, name, &v) == NGX_OK
        && v.type == NGX_HTTP_LLM_JSON_STRING
        && (size_t) (v.end - v.start) <= NGX_HTTP_LLM_TOKEN_LEN)
    {
        *len = v.end - v.start;
        ngx_memcpy(buf, v.start, *len);
    }
}


/*
 * An object's members against a dialect's lists: a refused one is an
 * error naming it; one neither known nor refused is left out and named
 * in the debug log.
 */

ngx_int_t
ngx_http_llm_canon_fields(cJSON *obj, const char **known,
    const char **refused, ngx_http_llm_tr_err_t *err)
{
    cJSON        *v;
    const char  **name;

    if (!cJSON_IsObject(obj)) {
        return NGX_OK;
    }

    cJSON_ArrayForEach(v, obj) {
        for (name = refused; *name; name++) {
            if (strcmp(v->string, *name) == 0) {
                return ngx_http_llm_canon_error(err, "\"%s\" cannot be "
                                                "translated", *name);
            }
        }

        for (name = known; *name; name++) {
            if (strcmp(v->string, *name) == 0) {
                break;
            }
        }

        if (*name == NULL) {
            ngx_http_llm_canon_drop(err, v->string);
        }
    }

    return NGX_OK;
}


/* the sampling numbers named as the canonical model names them */

const char *const  ngx_http_llm_canon_numbers[][2] = {
    { "temperature", "temperature" },
    { "top_p", "top_p" },
    { NULL, NULL }
};


/*
 * The sampling members of a client's request, in "from": the answer's
 * length (the dialect's member "max") and the numbers, {the dialect's
 * name, the canonical}, each copied as it is given.
 */

ngx_int_t
ngx_http_llm_canon_sampling(cJSON *from, const char *max,
    const char *const numbers[][2], cJSON *canon, ngx_http_llm_tr_err_t *err)
{
    cJSON       *v;
    ngx_uint_t   i;

    v = cJSON_GetObjectItemCaseSensitive(from, max);

    if (v && !cJSON_IsNull(v)) {
        if (!cJSON_IsNumber(v) || v->valuedouble < 1) {
            return ngx_http_llm_canon_error(err, "\"%s\" must be a positive "
                                            "integer", max);
        }

        if (cJSON_AddNumberToObject(canon, "max_tokens", v->valuedouble)
            == NULL)
        {
            return NGX_ERROR;
        }
    }

    for (i = 0; numbers[i][0]; i++) {
        v = cJSON_GetObjectItemCaseSensitive(from, numbers[i][0]);

        if (v == NULL || cJSON_IsNull(v)) {
            continue;
        }

        if (!cJSON_IsNumber(v)) {
            return ngx_http_llm_canon_error(err, "\"%s\" must be a number",
                                            numbers[i][0]);
        }

        if (cJSON_AddNumberToObject(canon, numbers[i][1], v->valuedouble)
            == NULL)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* stop sequences, an array of strings, as the canonical "stop" */

ngx_int_t
ngx_http_llm_canon_stop(cJSON *v, cJSON *canon, const char *name,
    ngx_http_llm_tr_err_t *err)
{
    cJSON  *s;

    if (v == NULL || cJSON_IsNull(v)) {
        return NGX_OK;
    }

    cJSON_ArrayForEach(s, v) {
        if (!cJSON_IsString(s)) {
            break;
        }
    }

    if (!cJSON_IsArray(v) || s != NULL) {
        return ngx_http_llm_canon_error(err, "\"%s\" must be an array of "
                                        "strings", name);
    }

    v = cJSON_Duplicate(v, 1);

    if (v == NULL || !cJSON_AddItemToObject(canon, "stop", v)) {
        cJSON_Delete(v);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a new message of the role at the end of "messages": its content array */

cJSON *
ngx_http_llm_canon_message(cJSON *messages, const char *role)
{
    cJSON  *m, *parts;

    m = cJSON_CreateObject();

    if (ngx_http_llm_canon_add(messages, m) != NGX_OK) {
        return NULL;
    }

    parts = cJSON_AddArrayToObject(m, "content");

    if (parts == NULL || cJSON_AddStringToObject(m, "role", role) == NULL) {
        return NULL;
    }

    return parts;
}


/*
 * A tool definition at the end of "tools": its JSON Schema copied, or an
 * empty object's when none is given.  Returns the schema copy (NULL on
 * failure), for a dialect to adjust.
 */

cJSON *
ngx_http_llm_canon_tool(cJSON *tools, const char *name, const char *desc,
    cJSON *schema)
{
    cJSON  *t, *v;

    t = cJSON_CreateObject();

    if (ngx_http_llm_canon_add(tools, t) != NGX_OK
        || cJSON_AddStringToObject(t, "name", name) == NULL
        || (desc && cJSON_AddStringToObject(t, "description", desc) == NULL))
    {
        return NULL;
    }

    v = cJSON_IsObject(schema) ? cJSON_Duplicate(schema, 1)
                               : cJSON_Parse("{\"type\":\"object\","
                                             "\"properties\":{}}");

    if (v == NULL || !cJSON_AddItemToObject(t, "parameters", v)) {
        cJSON_Delete(v);
        return NULL;
    }

    return v;
}


/*
 * A canonical request begun from a client's: its shape checked, its
 * "system" and "messages" arrays, and its model, the body's or (a dialect
 * that names it in the URL) the one given.
 */

cJSON *
ngx_http_llm_canon_request(cJSON *req, const ngx_http_llm_shape_t *shape,
    const char *model, ngx_http_llm_tr_err_t *err)
{
    cJSON  *canon, *v;

    canon = cJSON_CreateObject();

    if (canon == NULL
        || cJSON_AddArrayToObject(canon, "system") == NULL
        || cJSON_AddArrayToObject(canon, "messages") == NULL
        || ngx_http_llm_canon_check(req, shape, err) != NGX_OK)
    {
        goto failed;
    }

    if (model == NULL) {
        v = cJSON_GetObjectItemCaseSensitive(req, "model");

        if (!cJSON_IsString(v)) {
            ngx_http_llm_canon_error(err, "\"model\" must be a string");
            goto failed;
        }

        model = v->valuestring;
    }

    if (cJSON_AddStringToObject(canon, "model", model) == NULL) {
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
 * A canonical tool as a dialect's: its name and description into "to",
 * and a copy of its schema returned (NULL on failure) for the dialect to
 * place.
 */

cJSON *
ngx_http_llm_canon_tool_out(cJSON *tool, cJSON *to)
{
    const char  *s;

    if (cJSON_AddStringToObject(to, "name",
                                ngx_http_llm_canon_str(tool, "name"))
        == NULL)
    {
        return NULL;
    }

    s = ngx_http_llm_canon_str(tool, "description");

    if (s && cJSON_AddStringToObject(to, "description", s) == NULL) {
        return NULL;
    }

    return cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(tool,
                                                           "parameters"),
                           1);
}


/* usage counts by a dialect's names for input, output, cache reads, writes */

void
ngx_http_llm_canon_usage(ngx_http_llm_stream_usage_t *u,
    ngx_http_llm_json_value_t *usage, const char *const names[4])
{
    int64_t                     n, *fields[4];
    ngx_uint_t                  i;
    ngx_http_llm_json_value_t   v;

    fields[0] = &u->input;
    fields[1] = &u->output;
    fields[2] = &u->cache_read;
    fields[3] = &u->cache_write;

    for (i = 0; i < 4; i++) {
        if (ngx_http_llm_json_get(usage, names[i], &v) == NGX_OK
            && ngx_http_llm_json_int(&v, &n) == NGX_OK && n >= 0)
        {
            *fields[i] = n;
        }
    }
}


/*
 * A dialect's turns, where one role may not follow itself: the parts
 * array of the last turn (*last, kept by the caller: finding it in the
 * array would cost the array's length each turn) if it has this role,
 * else of a new one.
 */

cJSON *
ngx_http_llm_canon_turn(cJSON *turns, cJSON **last, const char *role,
    const char *parts)
{
    cJSON       *turn;
    const char  *r;

    r = ngx_http_llm_canon_str(*last, "role");

    if (r && strcmp(r, role) == 0) {
        return cJSON_GetObjectItemCaseSensitive(*last, parts);
    }

    turn = cJSON_CreateObject();

    if (ngx_http_llm_canon_add(turns, turn) != NGX_OK
        || cJSON_AddStringToObject(turn, "role", role) == NULL)
    {
        return NULL;
    }

    *last = turn;

    return cJSON_AddArrayToObject(turn, parts);
}
