
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_json.h"
#include "unit.h"


static int
valid(const char *s)
{
    ngx_http_llm_json_value_t  v;

    return ngx_http_llm_json_document((u_char *) s,
                                      (u_char *) s + strlen(s), &v)
           == NGX_OK;
}


static ngx_http_llm_json_value_t
doc(const char *s)
{
    ngx_http_llm_json_value_t  v;

    ngx_memzero(&v, sizeof(v));
    (void) ngx_http_llm_json_document((u_char *) s,
                                      (u_char *) s + strlen(s), &v);
    return v;
}


static int
str_is(ngx_http_llm_json_value_t *v, const char *s)
{
    return (size_t) (v->end - v->start) == strlen(s)
           && memcmp(v->start, s, strlen(s)) == 0;
}


/*
 * A string of n plain bytes with c at position at: whether it is a valid
 * document (and, for a quote, that the string ends there), across the
 * 16- and 8-byte steps of the scan.
 */
static int
special_at(int n, int at, int c)
{
    int                         ok;
    char                        s[80];
    ngx_http_llm_json_value_t   v;

    memset(s, 0, sizeof(s));
    s[0] = '"';
    memset(s + 1, 0xc3, n);             /* high bytes are plain text */
    s[n + 1] = '"';

    if (c == '\\') {
        s[1 + at] = '\\';
        s[1 + at + 1] = 'n';
        return valid(s);
    }

    s[1 + at] = (char) c;

    if (c != '"') {
        return valid(s);
    }

    ok = ngx_http_llm_json_parse((u_char *) s, (u_char *) s + n + 2, &v)
         != NULL;

    return ok && v.end == (u_char *) s + at + 2;
}


int
main(void)
{
    int                         i;
    char                        deep[600];
    u_char                      out[64];
    ssize_t                     n;
    int64_t                     num;
    ngx_http_llm_json_iter_t    it;
    ngx_http_llm_json_value_t   d, k, v;

    /* documents that must parse */
    CHECK(valid("{}"));
    CHECK(valid("[]"));
    CHECK(valid(" \t\r\n{ \"a\" : [ 1 , -0 , 2.5e-3 , 1E+9 , true , false ,"
                " null , \"x\" , {} ] } \n"));
    CHECK(valid("\"caf\\u00e9 \\\" \\\\ \\/ \\b\\f\\n\\r\\t\""));
    CHECK(valid("0"));
    CHECK(valid("-12.75"));

    /* and those that must not */
    CHECK(!valid(""));
    CHECK(!valid("{"));
    CHECK(!valid("{\"a\":}"));
    CHECK(!valid("{\"a\" 1}"));
    CHECK(!valid("{\"a\":1,}"));
    CHECK(!valid("[1,]"));
    CHECK(!valid("[1 2]"));
    CHECK(!valid("01"));
    CHECK(!valid("1."));
    CHECK(!valid("-"));
    CHECK(!valid("1e"));
    CHECK(!valid("\"\\x\""));
    CHECK(!valid("\"\\u12g4\""));
    CHECK(!valid("\"tab\there\""));
    CHECK(!valid("\"0123456789abcdef\x01xyz\""));
    CHECK(!valid("\"0123456\x1f\""));

    /* several members in one walk: absent ones typed 0, the last wins */
    d = doc("{\"a\":1,\"b\":{\"c\":2},\"a\":\"x\",\"z\":null}");
    {
        ngx_http_llm_json_value_t  va, vb, vq, vz;
        ngx_http_llm_json_pick_t   picks[] = {
            { "a", &va }, { "b", &vb }, { "q", &vq }, { "z", &vz }
        };

        CHECK(ngx_http_llm_json_pick(&d, picks, 4) == NGX_OK);
        CHECK(va.type == NGX_HTTP_LLM_JSON_STRING && str_is(&va, "\"x\""));
        CHECK(vb.type == NGX_HTTP_LLM_JSON_OBJECT);
        CHECK(vq.type == 0);
        CHECK(vz.type == NGX_HTTP_LLM_JSON_NULL);
        CHECK(ngx_http_llm_json_pick(&vb, picks, 1) == NGX_OK
              && va.type == 0);
        CHECK(ngx_http_llm_json_pick(&vz, picks, 2) == NGX_DECLINED
              && va.type == 0 && vb.type == 0);
        CHECK(ngx_http_llm_json_get(&d, "a", &v) == NGX_OK
              && str_is(&v, "\"x\""));
        CHECK(ngx_http_llm_json_get(&d, "q", &v) == NGX_DECLINED
              && str_is(&v, "\"x\""));
    }

    /* every position of a 40-byte string, for each kind of special byte */
    for (i = 0; i < 39; i++) {
        CHECK(!special_at(40, i, 0x01));
        CHECK(!special_at(40, i, 0x1f));
        CHECK(special_at(40, i, 0x20));
        CHECK(special_at(40, i, 0x7f));
        CHECK(special_at(40, i, '"'));
        CHECK(special_at(40, i, '\\'));
    }
    CHECK(valid("\"0123456789abcdef caf\xc3\xa9 \xe2\x82\xac\x7f 0123456\""));
    CHECK(valid("\"\x20\x21\x2f\x3f\x40\x7e\x80\xff\x9f\xa0 !\""));
    CHECK(!valid("\"unterminated"));
    CHECK(!valid("tru"));
    CHECK(!valid("nul"));
    CHECK(!valid("{} x"));
    CHECK(!valid("{'a':1}"));
    CHECK(!valid("{1:2}"));

    /* nesting is bounded, not recursion without end */
    for (i = 0; i < 300; i++) {
        deep[i] = '[';
        deep[300 + i] = ']';
    }
    deep[599] = ']';
    CHECK(ngx_http_llm_json_document((u_char *) deep, (u_char *) deep + 600,
                                     &d) != NGX_OK);

    for (i = 0; i < 100; i++) {
        deep[i] = '[';
        deep[100 + i] = ']';
    }
    CHECK(ngx_http_llm_json_document((u_char *) deep, (u_char *) deep + 200,
                                     &d) == NGX_OK);

    /* members in place, the last of a name wins */
    d = doc("{\"model\":\"a\",\"n\":3,\"model\":\"b\",\"o\":{\"x\":[1]}}");
    CHECK(d.type == NGX_HTTP_LLM_JSON_OBJECT);
    CHECK(ngx_http_llm_json_get(&d, "model", &v) == NGX_OK);
    CHECK(v.type == NGX_HTTP_LLM_JSON_STRING && str_is(&v, "\"b\""));
    CHECK(ngx_http_llm_json_get(&d, "o", &v) == NGX_OK);
    CHECK(v.type == NGX_HTTP_LLM_JSON_OBJECT && str_is(&v, "{\"x\":[1]}"));
    CHECK(ngx_http_llm_json_get(&d, "missing", &v) == NGX_DECLINED);
    CHECK(ngx_http_llm_json_get(&v, "x", &k) == NGX_OK
          && k.type == NGX_HTTP_LLM_JSON_ARRAY);

    ngx_http_llm_json_iter_init(&it, &d);
    for (i = 0; ngx_http_llm_json_next(&it, &k, &v) == NGX_OK; i++) {
        /* void */
    }
    CHECK(i == 4);

    /* numbers: non-negative integers only */
    d = doc("{\"a\":123,\"b\":-1,\"c\":1.5,\"d\":99999999999999999999999}");
    CHECK(ngx_http_llm_json_get(&d, "a", &v) == NGX_OK
          && ngx_http_llm_json_int(&v, &num) == NGX_OK && num == 123);
    CHECK(ngx_http_llm_json_get(&d, "b", &v) == NGX_OK
          && ngx_http_llm_json_int(&v, &num) == NGX_ERROR);
    CHECK(ngx_http_llm_json_get(&d, "c", &v) == NGX_OK
          && ngx_http_llm_json_int(&v, &num) == NGX_ERROR);
    CHECK(ngx_http_llm_json_get(&d, "d", &v) == NGX_OK
          && ngx_http_llm_json_int(&v, &num) == NGX_ERROR);

    /* strings decode to UTF-8, surrogate pairs included */
    d = doc("\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\"\"");
    n = ngx_http_llm_json_unescape(&d, out);
    CHECK(n == 14 && memcmp(out, "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"", 14)
                     == 0);

    d = doc("\"\\u20ac\"");
    n = ngx_http_llm_json_unescape(&d, out);
    CHECK(n == 3 && memcmp(out, "\xe2\x82\xac", 3) == 0);

    /* and escape back */
    CHECK(ngx_http_llm_json_escape_len((u_char *) "a\"b\\c\n", 6) == 13);
    *ngx_http_llm_json_escape(out, (u_char *) "a\"b\\c\n", 6) = '\0';
    CHECK(strcmp((char *) out, "a\\\"b\\\\c\\u000a") == 0);

    /* a NUL escape, and what only looks like one */
#define NUL(s)  ngx_http_llm_json_nul((u_char *) s, (u_char *) s          \
                                      + sizeof(s) - 1)
    CHECK(NUL("\"a\\u0000\"") != NULL);
    CHECK(*(NUL("{\"t\":\"x\\u0000\"}") + 1) == 'u');
    CHECK(NUL("\"a\\\\u0000\"") == NULL);
    CHECK(NUL("\"a\\\\\\u0000\"") != NULL);
    CHECK(NUL("\"\\u0001\\u00000\"") != NULL);
    CHECK(NUL("\"u0000\"") == NULL);
    CHECK(NUL("\\u000") == NULL);
    CHECK(NUL("") == NULL);

    UNIT_DONE("json");
}
