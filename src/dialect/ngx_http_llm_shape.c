
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <stdio.h>
#include <math.h>
#include "ngx_http_llm_shape.h"


/*
 * A document checked against a dialect's table of member types (see
 * ngx_http_llm_shape.h).  Free of nginx's runtime: the translators that
 * call it are unit-tested and fuzzed alone.  The walk goes only where the
 * tables go, so its depth is the tables' (and cJSON's nesting limit).
 */


/* the largest integer a double holds exactly */
#define NGX_HTTP_LLM_SHAPE_INT_MAX  9007199254740992.0

/* more tokens than any answer holds: a count past it is not one */
#define NGX_HTTP_LLM_SHAPE_COUNT_MAX  1e12

/* known members an object may have, for the duplicate check */
#define NGX_HTTP_LLM_SHAPE_MEMBERS  64


static ngx_int_t ngx_http_llm_shape_walk(cJSON *v,
    const ngx_http_llm_shape_t *shape, char *path, size_t len,
    ngx_http_llm_shape_err_t *err);
static ngx_uint_t ngx_http_llm_shape_type(cJSON *v);
static const char *ngx_http_llm_shape_got(cJSON *v, ngx_uint_t types);
static void ngx_http_llm_shape_expected(ngx_uint_t types, char *buf,
    size_t size);
static size_t ngx_http_llm_shape_path(char *path, size_t len,
    const char *name, int index);
static ngx_int_t ngx_http_llm_shape_error(ngx_http_llm_shape_err_t *err,
    const char *path, const char *code, const char *fmt, ...);


const ngx_http_llm_shape_t  ngx_http_llm_shape_string = {
    NGX_HTTP_LLM_SHAPE_STRING, NULL, NULL
};

const ngx_http_llm_shape_t  ngx_http_llm_shape_name = {
    NGX_HTTP_LLM_SHAPE_STRING|NGX_HTTP_LLM_SHAPE_NONEMPTY, NULL, NULL
};

const ngx_http_llm_shape_t  ngx_http_llm_shape_string_null = {
    NGX_HTTP_LLM_SHAPE_STRING|NGX_HTTP_LLM_SHAPE_NULL, NULL, NULL
};

const ngx_http_llm_shape_t  ngx_http_llm_shape_bool = {
    NGX_HTTP_LLM_SHAPE_BOOL, NULL, NULL
};

const ngx_http_llm_shape_t  ngx_http_llm_shape_bool_null = {
    NGX_HTTP_LLM_SHAPE_BOOL|NGX_HTTP_LLM_SHAPE_NULL, NULL, NULL
};

const ngx_http_llm_shape_t  ngx_http_llm_shape_number_null = {
    NGX_HTTP_LLM_SHAPE_NUMBER|NGX_HTTP_LLM_SHAPE_NULL, NULL, NULL
};

const ngx_http_llm_shape_t  ngx_http_llm_shape_int_null = {
    NGX_HTTP_LLM_SHAPE_INT|NGX_HTTP_LLM_SHAPE_NULL, NULL, NULL
};

const ngx_http_llm_shape_t  ngx_http_llm_shape_count = {
    NGX_HTTP_LLM_SHAPE_INT|NGX_HTTP_LLM_SHAPE_COUNT, NULL, NULL
};

const ngx_http_llm_shape_t  ngx_http_llm_shape_count_null = {
    NGX_HTTP_LLM_SHAPE_INT|NGX_HTTP_LLM_SHAPE_COUNT|NGX_HTTP_LLM_SHAPE_NULL,
    NULL, NULL
};

const ngx_http_llm_shape_t  ngx_http_llm_shape_object = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, NULL
};

const ngx_http_llm_shape_t  ngx_http_llm_shape_object_null = {
    NGX_HTTP_LLM_SHAPE_OBJECT|NGX_HTTP_LLM_SHAPE_NULL, NULL, NULL
};

const ngx_http_llm_shape_t  ngx_http_llm_shape_strings = {
    NGX_HTTP_LLM_SHAPE_ARRAY, &ngx_http_llm_shape_string, NULL
};

const ngx_http_llm_shape_t  ngx_http_llm_shape_strings_null = {
    NGX_HTTP_LLM_SHAPE_ARRAY|NGX_HTTP_LLM_SHAPE_NULL,
    &ngx_http_llm_shape_string, NULL
};


/*
 * NGX_OK: the document has the shape; NGX_DECLINED: it has not, and err
 * says where and why.
 */

ngx_int_t
ngx_http_llm_shape_check(cJSON *doc, const ngx_http_llm_shape_t *shape,
    ngx_http_llm_shape_err_t *err)
{
    char  path[NGX_HTTP_LLM_SHAPE_PATH];

    path[0] = '\0';

    if (!cJSON_IsObject(doc) && (shape->types & NGX_HTTP_LLM_SHAPE_OBJECT)) {
        return ngx_http_llm_shape_error(err, "", "invalid_type",
                                        "The body must be a JSON object");
    }

    return ngx_http_llm_shape_walk(doc, shape, path, 0, err);
}


static ngx_int_t
ngx_http_llm_shape_walk(cJSON *v, const ngx_http_llm_shape_t *shape,
    char *path, size_t len, ngx_http_llm_shape_err_t *err)
{
    int                                 i;
    char                                expected[96];
    cJSON                              *c;
    uint64_t                            seen;
    ngx_uint_t                          t, m;
    const char                         *wrong;
    const ngx_http_llm_shape_member_t  *mb;

    t = ngx_http_llm_shape_type(v);
    wrong = ngx_http_llm_shape_got(v, shape->types);

    if (wrong) {
        ngx_http_llm_shape_expected(shape->types, expected,
                                    sizeof(expected));

        return ngx_http_llm_shape_error(err, path, "invalid_type",
                                        "Invalid type for \"%s\": expected "
                                        "%s, but got %s instead", path,
                                        expected, wrong);
    }

    if (t == NGX_HTTP_LLM_SHAPE_ARRAY && shape->items) {
        i = 0;

        cJSON_ArrayForEach(c, v) {
            if (ngx_http_llm_shape_walk(c, shape->items, path,
                                        ngx_http_llm_shape_path(path, len,
                                                                NULL, i),
                                        err)
                != NGX_OK)
            {
                return NGX_DECLINED;
            }

            path[len] = '\0';
            i++;
        }

        return NGX_OK;
    }

    if (t != NGX_HTTP_LLM_SHAPE_OBJECT || shape->members == NULL) {
        return NGX_OK;
    }

    seen = 0;

    cJSON_ArrayForEach(c, v) {
        if (c->string == NULL) {
            continue;
        }

        for (mb = shape->members, m = 0; mb->name; mb++, m++) {
            if (strcmp(mb->name, c->string) == 0) {
                break;
            }
        }

        if (mb->name == NULL) {
            continue;
        }

        if (m < NGX_HTTP_LLM_SHAPE_MEMBERS) {
            if (seen & ((uint64_t) 1 << m)) {
                (void) ngx_http_llm_shape_path(path, len, mb->name, -1);

                return ngx_http_llm_shape_error(err, path, "invalid_request",
                                                "\"%s\" is given twice",
                                                path);
            }

            seen |= (uint64_t) 1 << m;
        }

        if (ngx_http_llm_shape_walk(c, mb->shape, path,
                                    ngx_http_llm_shape_path(path, len,
                                                            mb->name, -1),
                                    err)
            != NGX_OK)
        {
            return NGX_DECLINED;
        }

        path[len] = '\0';
    }

    return NGX_OK;
}


static ngx_uint_t
ngx_http_llm_shape_type(cJSON *v)
{
    if (cJSON_IsNull(v)) {
        return NGX_HTTP_LLM_SHAPE_NULL;
    }

    if (cJSON_IsBool(v)) {
        return NGX_HTTP_LLM_SHAPE_BOOL;
    }

    if (cJSON_IsNumber(v)) {
        /* cJSON reads 1e999 as infinity: no number a member can take */
        return isfinite(v->valuedouble) ? NGX_HTTP_LLM_SHAPE_NUMBER : 0;
    }

    if (cJSON_IsString(v)) {
        return NGX_HTTP_LLM_SHAPE_STRING;
    }

    if (cJSON_IsArray(v)) {
        return NGX_HTTP_LLM_SHAPE_ARRAY;
    }

    if (cJSON_IsObject(v)) {
        return NGX_HTTP_LLM_SHAPE_OBJECT;
    }

    return 0;
}


/* the type names of errors, in the order a list of them is said */

static const struct {
    ngx_uint_t   type;
    const char  *name;
}  ngx_http_llm_shape_names[] = {
    { NGX_HTTP_LLM_SHAPE_OBJECT, "an object" },
    { NGX_HTTP_LLM_SHAPE_ARRAY, "an array" },
    { NGX_HTTP_LLM_SHAPE_STRING, "a string" },
    { NGX_HTTP_LLM_SHAPE_INT, "an integer" },
    { NGX_HTTP_LLM_SHAPE_NUMBER, "a number" },
    { NGX_HTTP_LLM_SHAPE_BOOL, "a boolean" },
    { NGX_HTTP_LLM_SHAPE_NULL, "null" },
    { 0, NULL }
};


/*
 * What a value is, in the words of an error ("an array"), where "types"
 * are expected; NULL when it is one of them.  A number where an integer
 * is expected is said to be what is wrong with it.
 */

static const char *
ngx_http_llm_shape_got(cJSON *v, ngx_uint_t types)
{
    double      d;
    ngx_uint_t  t, i;

    t = ngx_http_llm_shape_type(v);

    if (t == NGX_HTTP_LLM_SHAPE_NUMBER && (types & NGX_HTTP_LLM_SHAPE_INT)) {
        d = v->valuedouble;

        if (d != floor(d)) {
            return (types & NGX_HTTP_LLM_SHAPE_NUMBER)
                   ? NULL : "a fractional number";
        }

        if (fabs(d) > NGX_HTTP_LLM_SHAPE_INT_MAX) {
            return "a number out of range";
        }

        if ((types & NGX_HTTP_LLM_SHAPE_COUNT)
            && (d < 0 || d > NGX_HTTP_LLM_SHAPE_COUNT_MAX))
        {
            return d < 0 ? "a negative number" : "a number out of range";
        }

        return NULL;
    }

    if (t & types) {
        if (t == NGX_HTTP_LLM_SHAPE_STRING
            && (types & NGX_HTTP_LLM_SHAPE_NONEMPTY)
            && v->valuestring[0] == '\0')
        {
            return "an empty string";
        }

        return NULL;
    }

    if (cJSON_IsNumber(v) && t == 0) {
        return "a number out of range";
    }

    for (i = 0; ngx_http_llm_shape_names[i].name; i++) {
        if (ngx_http_llm_shape_names[i].type == t) {
            return ngx_http_llm_shape_names[i].name;
        }
    }

    return "an invalid value";
}


/* the types expected, as a list: "a string, an array or null" */

static void
ngx_http_llm_shape_expected(ngx_uint_t types, char *buf, size_t size)
{
    size_t       len;
    ngx_uint_t   i, n, said;
    const char  *name;

    /* "a number" says nothing more once "an integer" is said */
    if (types & NGX_HTTP_LLM_SHAPE_INT) {
        types &= ~NGX_HTTP_LLM_SHAPE_NUMBER;
    }

    for (i = 0, n = 0; ngx_http_llm_shape_names[i].name; i++) {
        n += (types & ngx_http_llm_shape_names[i].type) ? 1 : 0;
    }

    buf[0] = '\0';
    said = 0;

    for (i = 0; ngx_http_llm_shape_names[i].name; i++) {
        if (!(types & ngx_http_llm_shape_names[i].type)) {
            continue;
        }

        name = ngx_http_llm_shape_names[i].name;

        if (ngx_http_llm_shape_names[i].type == NGX_HTTP_LLM_SHAPE_INT
            && (types & NGX_HTTP_LLM_SHAPE_COUNT))
        {
            name = "a token count";

        } else if (ngx_http_llm_shape_names[i].type
                   == NGX_HTTP_LLM_SHAPE_STRING
                   && (types & NGX_HTTP_LLM_SHAPE_NONEMPTY))
        {
            name = "a non-empty string";
        }

        said++;
        len = strlen(buf);

        (void) snprintf(buf + len, size - len, "%s%s",
                        said == 1 ? "" : said == n ? " or " : ", ", name);
    }
}


/* the path one level down: ".name" (or "name" at the top), or "[index]" */

static size_t
ngx_http_llm_shape_path(char *path, size_t len, const char *name, int index)
{
    int  n;

    if (name) {
        n = snprintf(path + len, NGX_HTTP_LLM_SHAPE_PATH - len, "%s%s",
                     len ? "." : "", name);

    } else {
        n = snprintf(path + len, NGX_HTTP_LLM_SHAPE_PATH - len, "[%d]",
                     index);
    }

    if (n < 0 || (size_t) n >= NGX_HTTP_LLM_SHAPE_PATH - len) {
        /* too deep to name: the path stays cut where it was */
        path[len] = '\0';
        return len;
    }

    return len + n;
}


static ngx_int_t
ngx_http_llm_shape_error(ngx_http_llm_shape_err_t *err, const char *path,
    const char *code, const char *fmt, ...)
{
    va_list  args;

    err->code = code;
    (void) snprintf(err->path, sizeof(err->path), "%s", path);

    va_start(args, fmt);
    (void) vsnprintf(err->msg, sizeof(err->msg), fmt, args);
    va_end(args);

    return NGX_DECLINED;
}
