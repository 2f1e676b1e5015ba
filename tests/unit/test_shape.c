
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_shape.h"
#include "unit.h"


/* a small dialect: {"items": [{"name", "n", "tags": [...]}], ...} */

static const ngx_http_llm_shape_t  item_shape;

static const ngx_http_llm_shape_t  items_shape = {
    NGX_HTTP_LLM_SHAPE_ARRAY, &item_shape, NULL
};

static const ngx_http_llm_shape_t  text_shape = {
    NGX_HTTP_LLM_SHAPE_STRING|NGX_HTTP_LLM_SHAPE_ARRAY
    |NGX_HTTP_LLM_SHAPE_NULL, &ngx_http_llm_shape_string, NULL
};

static const ngx_http_llm_shape_member_t  item[] = {
    { "name", &ngx_http_llm_shape_name },
    { "n", &ngx_http_llm_shape_int_null },
    { "count", &ngx_http_llm_shape_count },
    { "t", &ngx_http_llm_shape_number_null },
    { "on", &ngx_http_llm_shape_bool },
    { "text", &text_shape },
    { "children", &items_shape },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  item_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, item
};

static const ngx_http_llm_shape_member_t  doc[] = {
    { "items", &items_shape },
    { "meta", &ngx_http_llm_shape_object },
    { NULL, NULL }
};

static const ngx_http_llm_shape_t  doc_shape = {
    NGX_HTTP_LLM_SHAPE_OBJECT, NULL, doc
};


static ngx_http_llm_shape_err_t  err;


static ngx_int_t
check(const char *json)
{
    cJSON      *d;
    ngx_int_t   rc;

    ngx_memzero(&err, sizeof(err));

    d = cJSON_Parse(json);
    if (d == NULL) {
        fprintf(stderr, "  not JSON: %s\n", json);
        return NGX_ERROR;
    }

    rc = ngx_http_llm_shape_check(d, &doc_shape, &err);
    cJSON_Delete(d);

    return rc;
}


/* refused, with this path and message */
static int
refused(const char *json, const char *code, const char *path,
    const char *msg)
{
    int  ok;

    ok = check(json) == NGX_DECLINED
         && err.code && strcmp(err.code, code) == 0
         && strcmp(err.path, path) == 0 && strcmp(err.msg, msg) == 0;

    if (!ok) {
        fprintf(stderr, "  %s: %s %s \"%s\"\n", json,
                err.code ? err.code : "(accepted)", err.path, err.msg);
    }

    return ok;
}


int
main(void)
{
    int    i;
    char  *big;

    /* what fits; unknown members and their values are not looked at */
    CHECK(check("{}") == NGX_OK);
    CHECK(check("{\"items\":[],\"other\":[[[]]],\"meta\":{\"a\":[1]}}")
          == NGX_OK);
    CHECK(check("{\"items\":[{\"name\":\"a\",\"n\":3,\"count\":0,\"t\":0.5,"
                "\"on\":false,\"text\":[\"x\"],\"children\":[{\"name\":"
                "\"b\",\"n\":null,\"text\":null,\"x\":{}}]}]}") == NGX_OK);
    CHECK(check("{\"items\":[{\"n\":-9007199254740992,\"t\":1e300,"
                "\"count\":1000000000000,\"text\":\"s\"}]}") == NGX_OK);

    /* the crash of issue 14: arrays where objects are expected */
    CHECK(refused("{\"items\":[[[]]]}", "invalid_type", "items[0]",
                  "Invalid type for \"items[0]\": expected an object, but "
                  "got an array instead"));
    CHECK(refused("{\"items\":[{},1]}", "invalid_type", "items[1]",
                  "Invalid type for \"items[1]\": expected an object, but "
                  "got a number instead"));
    CHECK(refused("{\"items\":{}}", "invalid_type", "items",
                  "Invalid type for \"items\": expected an array, but got "
                  "an object instead"));
    CHECK(refused("{\"meta\":null}", "invalid_type", "meta",
                  "Invalid type for \"meta\": expected an object, but got "
                  "null instead"));

    /* deep paths */
    CHECK(refused("{\"items\":[{},{\"children\":[{\"text\":[\"a\",true]}]}]}",
                  "invalid_type", "items[1].children[0].text[1]",
                  "Invalid type for \"items[1].children[0].text[1]\": "
                  "expected a string, but got a boolean instead"));
    CHECK(refused("{\"items\":[{\"text\":5}]}", "invalid_type",
                  "items[0].text",
                  "Invalid type for \"items[0].text\": expected an array, "
                  "a string or null, but got a number instead"));

    /* numbers: integers, counts, out of range */
    CHECK(refused("{\"items\":[{\"n\":1.5}]}", "invalid_type", "items[0].n",
                  "Invalid type for \"items[0].n\": expected an integer or "
                  "null, but got a fractional number instead"));
    CHECK(refused("{\"items\":[{\"n\":1e300}]}", "invalid_type",
                  "items[0].n",
                  "Invalid type for \"items[0].n\": expected an integer or "
                  "null, but got a number out of range instead"));
    CHECK(refused("{\"items\":[{\"n\":\"3\"}]}", "invalid_type",
                  "items[0].n",
                  "Invalid type for \"items[0].n\": expected an integer or "
                  "null, but got a string instead"));
    CHECK(refused("{\"items\":[{\"t\":1e999}]}", "invalid_type",
                  "items[0].t",
                  "Invalid type for \"items[0].t\": expected a number or "
                  "null, but got a number out of range instead"));
    CHECK(refused("{\"items\":[{\"count\":-1}]}", "invalid_type",
                  "items[0].count",
                  "Invalid type for \"items[0].count\": expected a token "
                  "count, but got a negative number instead"));
    CHECK(refused("{\"items\":[{\"count\":1000000000001}]}", "invalid_type",
                  "items[0].count",
                  "Invalid type for \"items[0].count\": expected a token "
                  "count, but got a number out of range instead"));
    CHECK(refused("{\"items\":[{\"on\":null}]}", "invalid_type",
                  "items[0].on",
                  "Invalid type for \"items[0].on\": expected a boolean, but "
                  "got null instead"));

    /* empty names, and a member given twice */
    CHECK(refused("{\"items\":[{\"name\":\"\"}]}", "invalid_type",
                  "items[0].name",
                  "Invalid type for \"items[0].name\": expected a non-empty "
                  "string, but got an empty string instead"));
    CHECK(refused("{\"items\":[{\"n\":1,\"name\":\"a\",\"n\":2}]}",
                  "invalid_request", "items[0].n",
                  "\"items[0].n\" is given twice"));
    CHECK(refused("{\"items\":[],\"items\":[]}", "invalid_request", "items",
                  "\"items\" is given twice"));
    CHECK(check("{\"x\":1,\"x\":2}") == NGX_OK);

    /* not an object at all */
    CHECK(refused("[]", "invalid_type", "", "The body must be a JSON "
                  "object"));
    CHECK(refused("\"s\"", "invalid_type", "", "The body must be a JSON "
                  "object"));

    /* a path too long to name is cut, never overflowed */
    big = malloc(100 * 16 + 64);
    if (big == NULL) {
        return 1;
    }

    strcpy(big, "{\"items\":[");
    for (i = 0; i < 100; i++) {
        strcat(big, "{\"children\":[");
    }
    strcat(big, "1");
    for (i = 0; i < 100; i++) {
        strcat(big, "]}");
    }
    strcat(big, "]}");

    CHECK(check(big) == NGX_DECLINED && strcmp(err.code, "invalid_type") == 0
          && strlen(err.path) < NGX_HTTP_LLM_SHAPE_PATH
          && strncmp(err.path, "items[0].children[0].", 21) == 0);
    free(big);

    UNIT_DONE("shape");
}
