
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_json.h"

#if (__SSE2__)
#include <emmintrin.h>
#endif


static u_char *ngx_http_llm_json_value(u_char *p, u_char *end,
    ngx_uint_t depth, ngx_http_llm_json_value_t *v);
static u_char *ngx_http_llm_json_string(u_char *p, u_char *end);
static u_char *ngx_http_llm_json_number(u_char *p, u_char *end);
static u_char *ngx_http_llm_json_literal(u_char *p, u_char *end,
    const char *lit, size_t len);
static ngx_int_t ngx_http_llm_json_hex4(u_char *p, ngx_uint_t *cp);
static u_char *ngx_http_llm_json_special(u_char *p, u_char *end);


u_char *
ngx_http_llm_json_ws(u_char *p, u_char *end)
{
    while (p < end
           && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    {
        p++;
    }

    return p;
}


u_char *
ngx_http_llm_json_parse(u_char *p, u_char *end, ngx_http_llm_json_value_t *v)
{
    return ngx_http_llm_json_value(ngx_http_llm_json_ws(p, end), end, 0, v);
}


/* a whole document: one value and nothing but white space after it */

ngx_int_t
ngx_http_llm_json_document(u_char *p, u_char *end,
    ngx_http_llm_json_value_t *v)
{
    p = ngx_http_llm_json_parse(p, end, v);

    if (p == NULL || ngx_http_llm_json_ws(p, end) != end) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static u_char *
ngx_http_llm_json_value(u_char *p, u_char *end, ngx_uint_t depth,
    ngx_http_llm_json_value_t *v)
{
    u_char                     *start;
    ngx_uint_t                  type;
    ngx_http_llm_json_value_t   sub;

    if (p >= end || depth > NGX_HTTP_LLM_JSON_MAX_DEPTH) {
        return NULL;
    }

    start = p;

    switch (*p) {

    case '"':
        type = NGX_HTTP_LLM_JSON_STRING;
        p = ngx_http_llm_json_string(p, end);
        break;

    case '{':
        type = NGX_HTTP_LLM_JSON_OBJECT;
        p = ngx_http_llm_json_ws(p + 1, end);

        if (p < end && *p == '}') {
            p++;
            break;
        }

        for ( ;; ) {
            if (p >= end || *p != '"') {
                return NULL;
            }

            p = ngx_http_llm_json_string(p, end);
            if (p == NULL) {
                return NULL;
            }

            p = ngx_http_llm_json_ws(p, end);
            if (p >= end || *p != ':') {
                return NULL;
            }

            p = ngx_http_llm_json_ws(p + 1, end);
            p = ngx_http_llm_json_value(p, end, depth + 1, &sub);
            if (p == NULL) {
                return NULL;
            }

            p = ngx_http_llm_json_ws(p, end);
            if (p >= end) {
                return NULL;
            }

            if (*p == '}') {
                p++;
                break;
            }

            if (*p != ',') {
                return NULL;
            }

            p = ngx_http_llm_json_ws(p + 1, end);
        }

        break;

    case '[':
        type = NGX_HTTP_LLM_JSON_ARRAY;
        p = ngx_http_llm_json_ws(p + 1, end);

        if (p < end && *p == ']') {
            p++;
            break;
        }

        for ( ;; ) {
            p = ngx_http_llm_json_value(p, end, depth + 1, &sub);
            if (p == NULL) {
                return NULL;
            }

            p = ngx_http_llm_json_ws(p, end);
            if (p >= end) {
                return NULL;
            }

            if (*p == ']') {
                p++;
                break;
            }

            if (*p != ',') {
                return NULL;
            }

            p = ngx_http_llm_json_ws(p + 1, end);
        }

        break;

    case 't':
        type = NGX_HTTP_LLM_JSON_TRUE;
        p = ngx_http_llm_json_literal(p, end, "true", 4);
        break;

    case 'f':
        type = NGX_HTTP_LLM_JSON_FALSE;
        p = ngx_http_llm_json_literal(p, end, "false", 5);
        break;

    case 'n':
        type = NGX_HTTP_LLM_JSON_NULL;
        p = ngx_http_llm_json_literal(p, end, "null", 4);
        break;

    default:
        type = NGX_HTTP_LLM_JSON_NUMBER;
        p = ngx_http_llm_json_number(p, end);
        break;
    }

    if (p == NULL) {
        return NULL;
    }

    v->start = start;
    v->end = p;
    v->type = type;

    return p;
}


/*
 * Strings are most of a prompt: one pass finds the bytes that end a run of
 * plain text (ngx_http_llm_json_special()); an escape is checked and the
 * pass goes on after it.
 */

static u_char *
ngx_http_llm_json_string(u_char *p, u_char *end)
{
    ngx_uint_t  cp;

    p++;

    for ( ;; ) {
        p = ngx_http_llm_json_special(p, end);

        if (p == end || *p < 0x20) {
            return NULL;
        }

        if (*p == '"') {
            return p + 1;
        }

        /* an escape */

        if (++p == end) {
            return NULL;
        }

        switch (*p) {
        case '"': case '\\': case '/': case 'b':
        case 'f': case 'n': case 'r': case 't':
            p++;
            break;

        case 'u':
            if (end - p < 5 || ngx_http_llm_json_hex4(p + 1, &cp) != NGX_OK) {
                return NULL;
            }

            p += 5;
            break;

        default:
            return NULL;
        }
    }
}


/*
 * The first byte in [p, end) a string cannot hold as it is: a quote, a
 * backslash or a control character; end if none.  16 bytes at a time with
 * SSE2 (every x86-64 has it), else 8 in a machine word, where a byte that
 * is zero after the XOR, or under 0x20, borrows into its top bit (a hint,
 * confirmed byte by byte).
 */

static u_char *
ngx_http_llm_json_special(u_char *p, u_char *end)
{
#if (__SSE2__)
    int      mask;
    __m128i  v, quote, bslash, ctl;

    quote = _mm_set1_epi8('"');
    bslash = _mm_set1_epi8('\\');
    ctl = _mm_set1_epi8(0x1f);

    for ( /* void */ ; end - p >= 16; p += 16) {
        v = _mm_loadu_si128((const __m128i *) p);

        mask = _mm_movemask_epi8(
                   _mm_or_si128(
                       _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                    _mm_cmpeq_epi8(v, bslash)),
                       _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl)));

        if (mask) {
            return p + __builtin_ctz(mask);
        }
    }

#else
    uint64_t  w, q, b;

    for ( /* void */ ; end - p >= 8; p += 8) {
        ngx_memcpy(&w, p, 8);

        q = w ^ 0x2222222222222222ULL;
        b = w ^ 0x5c5c5c5c5c5c5c5cULL;

        if ((((q - 0x0101010101010101ULL) & ~q)
             | ((b - 0x0101010101010101ULL) & ~b)
             | ((w - 0x2020202020202020ULL) & ~w))
            & 0x8080808080808080ULL)
        {
            break;
        }
    }
#endif

    for ( /* void */ ; p < end; p++) {
        if (*p == '"' || *p == '\\' || *p < 0x20) {
            break;
        }
    }

    return p;
}


static u_char *
ngx_http_llm_json_number(u_char *p, u_char *end)
{
    u_char  *digits;

    if (p < end && *p == '-') {
        p++;
    }

    if (p >= end) {
        return NULL;
    }

    if (*p == '0') {
        p++;

    } else if (*p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9') {
            p++;
        }

    } else {
        return NULL;
    }

    if (p < end && *p == '.') {
        digits = ++p;

        while (p < end && *p >= '0' && *p <= '9') {
            p++;
        }

        if (p == digits) {
            return NULL;
        }
    }

    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;

        if (p < end && (*p == '+' || *p == '-')) {
            p++;
        }

        digits = p;

        while (p < end && *p >= '0' && *p <= '9') {
            p++;
        }

        if (p == digits) {
            return NULL;
        }
    }

    return p;
}


static u_char *
ngx_http_llm_json_literal(u_char *p, u_char *end, const char *lit,
    size_t len)
{
    if ((size_t) (end - p) < len || ngx_memcmp(p, lit, len) != 0) {
        return NULL;
    }

    return p + len;
}


static ngx_int_t
ngx_http_llm_json_hex4(u_char *p, ngx_uint_t *cp)
{
    u_char      c;
    ngx_uint_t  i, v;

    v = 0;

    for (i = 0; i < 4; i++) {
        c = p[i];

        if (c >= '0' && c <= '9') {
            v = v * 16 + (c - '0');

        } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            v = v * 16 + ((c | 0x20) - 'a' + 10);

        } else {
            return NGX_ERROR;
        }
    }

    *cp = v;

    return NGX_OK;
}


void
ngx_http_llm_json_iter_init(ngx_http_llm_json_iter_t *it,
    ngx_http_llm_json_value_t *obj)
{
    it->pos = obj->start + 1;
    it->end = obj->end - 1;
    it->first = 1;
}


/*
 * Walks the members of an object that ngx_http_llm_json_parse() has
 * already validated: NGX_OK with the next key and value, NGX_DONE at the
 * end.
 */

ngx_int_t
ngx_http_llm_json_next(ngx_http_llm_json_iter_t *it,
    ngx_http_llm_json_value_t *key, ngx_http_llm_json_value_t *val)
{
    u_char  *p;

    p = ngx_http_llm_json_ws(it->pos, it->end);

    if (!it->first) {
        if (p >= it->end || *p != ',') {
            return NGX_DONE;
        }

        p = ngx_http_llm_json_ws(p + 1, it->end);
    }

    if (p >= it->end || *p != '"') {
        return NGX_DONE;
    }

    it->first = 0;

    p = ngx_http_llm_json_value(p, it->end, 0, key);
    if (p == NULL) {
        return NGX_ERROR;
    }

    p = ngx_http_llm_json_ws(p, it->end);
    if (p >= it->end || *p != ':') {
        return NGX_ERROR;
    }

    p = ngx_http_llm_json_parse(p + 1, it->end, val);
    if (p == NULL) {
        return NGX_ERROR;
    }

    it->pos = p;

    return NGX_OK;
}


/*
 * The elements of a validated array: start with v->end = arr->start + 1;
 * NGX_OK with the next element in v, NGX_DONE at the end.
 */

ngx_int_t
ngx_http_llm_json_array_next(ngx_http_llm_json_value_t *arr,
    ngx_http_llm_json_value_t *v)
{
    u_char  *p, *end;

    end = arr->end - 1;
    p = ngx_http_llm_json_ws(v->end, end);

    if (p < end && *p == ',') {
        p = ngx_http_llm_json_ws(p + 1, end);
    }

    if (p >= end) {
        return NGX_DONE;
    }

    return ngx_http_llm_json_value(p, end, 0, v) ? NGX_OK : NGX_ERROR;
}


ngx_int_t
ngx_http_llm_json_key_is(ngx_http_llm_json_value_t *key, const char *name)
{
    size_t  len;

    len = ngx_strlen(name);

    return (size_t) (key->end - key->start) == len + 2
           && ngx_memcmp(key->start + 1, name, len) == 0;
}


/* the last member of that name wins, as in most JSON parsers */

ngx_int_t
ngx_http_llm_json_get(ngx_http_llm_json_value_t *obj, const char *name,
    ngx_http_llm_json_value_t *val)
{
    ngx_int_t                   rc;
    ngx_http_llm_json_pick_t    pick;
    ngx_http_llm_json_value_t   v;

    pick.name = name;
    pick.val = &v;

    rc = ngx_http_llm_json_pick(obj, &pick, 1);

    if (rc != NGX_OK) {
        return rc;
    }

    if (v.type == 0) {
        return NGX_DECLINED;
    }

    *val = v;

    return NGX_OK;
}


/*
 * Several members of an object in one walk over it (a stream event is
 * read member by member, and each ngx_http_llm_json_get() walks the whole
 * object): a name not there leaves its value's type 0; of a name given
 * twice the last wins, as everywhere in this scanner.
 */

ngx_int_t
ngx_http_llm_json_pick(ngx_http_llm_json_value_t *obj,
    ngx_http_llm_json_pick_t *picks, ngx_uint_t n)
{
    ngx_int_t                   rc;
    ngx_uint_t                  i;
    ngx_http_llm_json_iter_t    it;
    ngx_http_llm_json_value_t   k, v;

    for (i = 0; i < n; i++) {
        picks[i].val->type = 0;
    }

    if (obj->type != NGX_HTTP_LLM_JSON_OBJECT) {
        return NGX_DECLINED;
    }

    ngx_http_llm_json_iter_init(&it, obj);

    for ( ;; ) {
        rc = ngx_http_llm_json_next(&it, &k, &v);

        if (rc == NGX_DONE) {
            return NGX_OK;
        }

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        for (i = 0; i < n; i++) {
            if (ngx_http_llm_json_key_is(&k, picks[i].name)) {
                *picks[i].val = v;
                break;
            }
        }
    }
}


/* a non-negative integer (token counts): fractions and exponents refused */

ngx_int_t
ngx_http_llm_json_int(ngx_http_llm_json_value_t *v, int64_t *out)
{
    u_char   *p;
    int64_t   n;

    if (v->type != NGX_HTTP_LLM_JSON_NUMBER) {
        return NGX_ERROR;
    }

    n = 0;

    for (p = v->start; p < v->end; p++) {
        if (*p < '0' || *p > '9' || n > (INT64_MAX - 9) / 10) {
            return NGX_ERROR;
        }

        n = n * 10 + (*p - '0');
    }

    *out = n;

    return NGX_OK;
}


/* decodes a string value into dst (at most its encoded length) */

ssize_t
ngx_http_llm_json_unescape(ngx_http_llm_json_value_t *v, u_char *dst)
{
    u_char      *p, *end, *d;
    ngx_uint_t   cp, lo;

    if (v->type != NGX_HTTP_LLM_JSON_STRING) {
        return NGX_ERROR;
    }

    d = dst;
    p = v->start + 1;
    end = v->end - 1;

    while (p < end) {

        if (*p != '\\') {
            *d++ = *p++;
            continue;
        }

        p++;

        switch (*p++) {
        case 'b': *d++ = '\b'; continue;
        case 'f': *d++ = '\f'; continue;
        case 'n': *d++ = '\n'; continue;
        case 'r': *d++ = '\r'; continue;
        case 't': *d++ = '\t'; continue;
        case 'u': break;
        default: *d++ = p[-1]; continue;
        }

        (void) ngx_http_llm_json_hex4(p, &cp);
        p += 4;

        if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 6
            && p[0] == '\\' && p[1] == 'u'
            && ngx_http_llm_json_hex4(p + 2, &lo) == NGX_OK
            && lo >= 0xdc00 && lo <= 0xdfff)
        {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            p += 6;
        }

        if (cp < 0x80) {
            *d++ = (u_char) cp;

        } else if (cp < 0x800) {
            *d++ = (u_char) (0xc0 | (cp >> 6));
            *d++ = (u_char) (0x80 | (cp & 0x3f));

        } else if (cp < 0x10000) {
            *d++ = (u_char) (0xe0 | (cp >> 12));
            *d++ = (u_char) (0x80 | ((cp >> 6) & 0x3f));
            *d++ = (u_char) (0x80 | (cp & 0x3f));

        } else {
            *d++ = (u_char) (0xf0 | (cp >> 18));
            *d++ = (u_char) (0x80 | ((cp >> 12) & 0x3f));
            *d++ = (u_char) (0x80 | ((cp >> 6) & 0x3f));
            *d++ = (u_char) (0x80 | (cp & 0x3f));
        }
    }

    return d - dst;
}


/*
 * The first "\u0000" escape of a JSON text (its backslash), or NULL:
 * cJSON ends its strings there, so a translated text would lose what
 * follows.  "\\u0000" is a backslash and "u0000", not an escape.
 */

u_char *
ngx_http_llm_json_nul(u_char *p, u_char *end)
{
    u_char  *q;

    for (q = p; end - q >= 6; q++) {
        /* libc's memchr goes a vector at a time: bodies are megabytes */
        q = memchr(q, '\\', end - 5 - q);

        if (q == NULL) {
            return NULL;
        }

        if (q[1] == '\\') {
            /* an escaped backslash: both skipped */
            q++;
            continue;
        }

        if (ngx_strncmp(q + 1, "u0000", 5) == 0) {
            return q;
        }
    }

    return NULL;
}


size_t
ngx_http_llm_json_escape_len(u_char *src, size_t len)
{
    size_t  n;

    for (n = len; len; len--, src++) {
        if (*src == '"' || *src == '\\') {
            n++;

        } else if (*src < 0x20) {
            n += 5;
        }
    }

    return n;
}


/* the contents of a JSON string, without the quotes */

u_char *
ngx_http_llm_json_escape(u_char *dst, u_char *src, size_t len)
{
    static u_char  hex[] = "0123456789abcdef";

    for ( /* void */ ; len; len--, src++) {

        if (*src == '"' || *src == '\\') {
            *dst++ = '\\';
            *dst++ = *src;

        } else if (*src < 0x20) {
            *dst++ = '\\';
            *dst++ = 'u';
            *dst++ = '0';
            *dst++ = '0';
            *dst++ = hex[*src >> 4];
            *dst++ = hex[*src & 0xf];

        } else {
            *dst++ = *src;
        }
    }

    return dst;
}
