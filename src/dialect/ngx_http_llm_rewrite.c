
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <float.h>
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_rewrite.h"
#include "ngx_http_llm_anthropic.h"
#include "ngx_http_llm_openai_canon.h"


/*
 * Token-copying rewrites between OpenAI and Anthropic for the common
 * shapes: text-only chat requests and text-only answers.  The bulk of a
 * request is its text, which the canonical path decodes into a document
 * and escapes again; here it is copied as the JSON token it arrived as.
 * Whatever is not one of these shapes is declined and goes through the
 * canonical path, which is the reference: the unit tests and the fuzzer
 * check that both give the same document.
 */


typedef struct {
    ngx_http_llm_json_value_t   model;
    ngx_http_llm_json_value_t   messages;
    ngx_http_llm_json_value_t   max_tokens;
    ngx_http_llm_json_value_t   temperature;
    ngx_http_llm_json_value_t   top_p;
    ngx_http_llm_json_value_t   stop;
    ngx_http_llm_json_value_t   user;
    ngx_http_llm_json_value_t   ignored[2];
    ngx_uint_t                  stream;
} ngx_http_llm_rewrite_req_t;


/* a simple message: its role and its content's string token */
typedef struct {
    ngx_http_llm_json_value_t   content;
    ngx_uint_t                  role;
} ngx_http_llm_rewrite_msg_t;

#define NGX_HTTP_LLM_REWRITE_USER       0
#define NGX_HTTP_LLM_REWRITE_ASSISTANT  1
#define NGX_HTTP_LLM_REWRITE_SYSTEM     2

/* longer conversations take the canonical path */
#define NGX_HTTP_LLM_REWRITE_MSGS       128


static ngx_int_t ngx_http_llm_rewrite_scan(ngx_http_llm_json_value_t *doc,
    ngx_http_llm_rewrite_req_t *rq);
static ngx_int_t ngx_http_llm_rewrite_messages(
    ngx_http_llm_json_value_t *msgs, ngx_http_llm_rewrite_msg_t *m,
    ngx_uint_t *n);
static ngx_int_t ngx_http_llm_rewrite_turns(ngx_http_llm_rewrite_msg_t *m,
    ngx_uint_t n, ngx_uint_t system, u_char **out, u_char *end);
static ngx_int_t ngx_http_llm_rewrite_double(ngx_http_llm_json_value_t *v,
    double *d);
static ngx_int_t ngx_http_llm_rewrite_number(ngx_http_llm_json_value_t *v,
    double max, u_char **out, u_char *end);
static ngx_int_t ngx_http_llm_rewrite_members(ngx_http_llm_json_value_t *obj,
    const char **names, ngx_uint_t n, ngx_http_llm_json_value_t *vals);


/*
 * An OpenAI chat request, a JSON document already validated (the text is
 * not scanned more than needed), as the Messages request the canonical
 * path would render (ngx_http_llm_canon_to_anthropic_request): written
 * at *out as '{"model":MODEL' and the rest, *rest pointing at the rest,
 * so that each attempt names its own model.  NGX_DECLINED: not a simple
 * shape.
 */

ngx_int_t
ngx_http_llm_rewrite_openai_request(u_char *body, size_t len,
    int64_t default_max_tokens, u_char **out, u_char *end, u_char **rest)
{
    u_char                      *system;
    int64_t                      n;
    ngx_int_t                    rc;
    ngx_uint_t                   nmsgs;
    ngx_http_llm_json_value_t    doc;
    ngx_http_llm_rewrite_req_t   rq;
    ngx_http_llm_rewrite_msg_t   msgs[NGX_HTTP_LLM_REWRITE_MSGS];

    /* the canonical path holds no NUL in a string: it says what it does */
    if (ngx_http_llm_json_nul(body, body + len)) {
        return NGX_DECLINED;
    }

    doc.start = ngx_http_llm_json_ws(body, body + len);
    doc.end = body + len;
    doc.type = NGX_HTTP_LLM_JSON_OBJECT;

    while (doc.end > doc.start
           && (doc.end[-1] == ' ' || doc.end[-1] == '\t'
               || doc.end[-1] == '\n' || doc.end[-1] == '\r'))
    {
        doc.end--;
    }

    if (doc.end - doc.start < 2 || *doc.start != '{'
        || ngx_http_llm_rewrite_scan(&doc, &rq) != NGX_OK
        || ngx_http_llm_rewrite_messages(&rq.messages, msgs, &nmsgs)
           != NGX_OK)
    {
        return NGX_DECLINED;
    }

    ngx_http_llm_put("{\"model\":");
    ngx_http_llm_put_tok(&rq.model);

    *rest = *out;

    /* the system messages' text, if any, then the turns */

    system = *out;
    ngx_http_llm_put(",\"system\":[");

    rc = ngx_http_llm_rewrite_turns(msgs, nmsgs, 1, out, end);
    if (rc != NGX_OK) {
        return rc;
    }

    if ((*out)[-1] == '[') {
        *out = system;

    } else {
        ngx_http_llm_put("]");
    }

    ngx_http_llm_put(",\"messages\":[");

    rc = ngx_http_llm_rewrite_turns(msgs, nmsgs, 0, out, end);
    if (rc != NGX_OK) {
        return rc;
    }

    if ((*out)[-1] == '[') {
        /* no turn: the canonical path says why */
        return NGX_DECLINED;
    }

    ngx_http_llm_put("],\"max_tokens\":");

    if (rq.max_tokens.start) {
        if (ngx_http_llm_json_int(&rq.max_tokens, &n) != NGX_OK || n < 1) {
            return NGX_DECLINED;
        }

    } else {
        n = default_max_tokens;
    }

    ngx_http_llm_put_int(n);

    if (rq.stop.type == NGX_HTTP_LLM_JSON_STRING) {
        ngx_http_llm_put(",\"stop_sequences\":[");
        ngx_http_llm_put_tok(&rq.stop);
        ngx_http_llm_put("]");

    } else if (rq.stop.start
               && *ngx_http_llm_json_ws(rq.stop.start + 1, rq.stop.end)
                  != ']')
    {
        ngx_http_llm_put(",\"stop_sequences\":");
        ngx_http_llm_put_tok(&rq.stop);
    }

    /* OpenAI allows a temperature up to 2, Anthropic up to 1 */

    if (rq.temperature.start
        && (ngx_http_llm_canon_put(out, end, (u_char *) ",\"temperature\":",
                                   sizeof(",\"temperature\":") - 1)
            != NGX_OK
            || ngx_http_llm_rewrite_number(&rq.temperature, 1, out, end)
               != NGX_OK))
    {
        return NGX_ERROR;
    }

    if (rq.top_p.start
        && (ngx_http_llm_canon_put(out, end, (u_char *) ",\"top_p\":",
                                   sizeof(",\"top_p\":") - 1)
            != NGX_OK
            || ngx_http_llm_rewrite_number(&rq.top_p, DBL_MAX, out, end)
               != NGX_OK))
    {
        return NGX_ERROR;
    }

    if (rq.stream) {
        ngx_http_llm_put(",\"stream\":true");
    }

    if (rq.user.start) {
        ngx_http_llm_put(",\"metadata\":{\"user_id\":");
        ngx_http_llm_put_tok(&rq.user);
        ngx_http_llm_put("}");
    }

    ngx_http_llm_put("}");

    return NGX_OK;
}


/* the members of a simple request, each once; anything else declines */

static ngx_int_t
ngx_http_llm_rewrite_scan(ngx_http_llm_json_value_t *doc,
    ngx_http_llm_rewrite_req_t *rq)
{
    double                      d;
    ngx_int_t                   rc;
    ngx_uint_t                  i, stream;
    ngx_http_llm_json_iter_t    it;
    ngx_http_llm_json_value_t   k, v, s, *slot;

    static struct {
        const char  *name;
        size_t       offset;
        ngx_uint_t   type;
        ngx_uint_t   or;        /* another type it may have */
        ngx_uint_t   strings;   /* an array of strings only */
    } members[] = {
        { "model", offsetof(ngx_http_llm_rewrite_req_t, model),
          NGX_HTTP_LLM_JSON_STRING, 0, 0 },
        { "messages", offsetof(ngx_http_llm_rewrite_req_t, messages),
          NGX_HTTP_LLM_JSON_ARRAY, 0, 0 },
        { "max_tokens", offsetof(ngx_http_llm_rewrite_req_t, max_tokens),
          NGX_HTTP_LLM_JSON_NUMBER, 0, 0 },
        { "max_completion_tokens",
          offsetof(ngx_http_llm_rewrite_req_t, max_tokens),
          NGX_HTTP_LLM_JSON_NUMBER, 0, 0 },
        { "temperature", offsetof(ngx_http_llm_rewrite_req_t, temperature),
          NGX_HTTP_LLM_JSON_NUMBER, 0, 0 },
        { "top_p", offsetof(ngx_http_llm_rewrite_req_t, top_p),
          NGX_HTTP_LLM_JSON_NUMBER, 0, 0 },
        { "user", offsetof(ngx_http_llm_rewrite_req_t, user),
          NGX_HTTP_LLM_JSON_STRING, 0, 0 },
        { "stop", offsetof(ngx_http_llm_rewrite_req_t, stop),
          NGX_HTTP_LLM_JSON_ARRAY, NGX_HTTP_LLM_JSON_STRING, 1 },

        /* what Messages has no place for, and the gateway's own field:
         * typed as the reader types them, then left out */
        { "stream_options", offsetof(ngx_http_llm_rewrite_req_t, ignored[0]),
          NGX_HTTP_LLM_JSON_OBJECT, NGX_HTTP_LLM_JSON_NULL, 0 },
        { "fallbacks", offsetof(ngx_http_llm_rewrite_req_t, ignored[1]),
          NGX_HTTP_LLM_JSON_ARRAY, 0, 1 },
        { NULL, 0, 0, 0, 0 }
    };

    ngx_memzero(rq, sizeof(ngx_http_llm_rewrite_req_t));
    ngx_http_llm_json_iter_init(&it, doc);
    stream = 0;

    for ( ;; ) {
        rc = ngx_http_llm_json_next(&it, &k, &v);

        if (rc == NGX_DONE) {
            break;
        }

        if (rc != NGX_OK) {
            return NGX_DECLINED;
        }

        if (ngx_http_llm_json_key_is(&k, "stream")) {
            if ((v.type != NGX_HTTP_LLM_JSON_TRUE
                 && v.type != NGX_HTTP_LLM_JSON_FALSE)
                || stream++)
            {
                return NGX_DECLINED;
            }

            rq->stream = (v.type == NGX_HTTP_LLM_JSON_TRUE);
            continue;
        }

        for (i = 0; members[i].name; i++) {
            if (ngx_http_llm_json_key_is(&k, members[i].name)) {
                break;
            }
        }

        if (members[i].name == NULL) {
            return NGX_DECLINED;
        }

        slot = (ngx_http_llm_json_value_t *) ((u_char *) rq
                                              + members[i].offset);

        if (slot->start
            || (v.type != members[i].type && v.type != members[i].or))
        {
            return NGX_DECLINED;
        }

        *slot = v;

        /* 1e999 is no number the reader takes: the canonical path says so */
        if (v.type == NGX_HTTP_LLM_JSON_NUMBER
            && (ngx_http_llm_rewrite_double(&v, &d) != NGX_OK
                || !isfinite(d)))
        {
            return NGX_DECLINED;
        }

        if (members[i].strings && v.type == NGX_HTTP_LLM_JSON_ARRAY) {
            for (s.end = v.start + 1;
                 ngx_http_llm_json_array_next(&v, &s) == NGX_OK;
                 /* void */)
            {
                if (s.type != NGX_HTTP_LLM_JSON_STRING) {
                    return NGX_DECLINED;
                }
            }
        }
    }

    /* the model a non-empty string, as the reader wants it ("" is 2) */
    if (rq->model.start == NULL || rq->model.end - rq->model.start <= 2
        || rq->messages.start == NULL)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * The messages, walked once: each an object of a role and a string
 * content (a "name" aside).  The document is valid, so that an object's
 * members are walked up to its closing brace without finding it first.
 */

static ngx_int_t
ngx_http_llm_rewrite_messages(ngx_http_llm_json_value_t *msgs,
    ngx_http_llm_rewrite_msg_t *m, ngx_uint_t *n)
{
    u_char                     *p, *end;
    ngx_int_t                   rc;
    ngx_uint_t                  named;
    ngx_http_llm_json_iter_t    it;
    ngx_http_llm_json_value_t   k, v, role, content;

    end = msgs->end - 1;
    p = ngx_http_llm_json_ws(msgs->start + 1, end);
    *n = 0;

    while (p < end) {
        if (*p != '{' || *n == NGX_HTTP_LLM_REWRITE_MSGS) {
            return NGX_DECLINED;
        }

        ngx_memzero(&role, sizeof(ngx_http_llm_json_value_t));
        ngx_memzero(&content, sizeof(ngx_http_llm_json_value_t));
        named = 0;

        it.pos = p + 1;
        it.end = end;
        it.first = 1;

        while ((rc = ngx_http_llm_json_next(&it, &k, &v)) == NGX_OK) {
            if (ngx_http_llm_json_key_is(&k, "role") && role.start == NULL) {
                role = v;

            } else if (ngx_http_llm_json_key_is(&k, "content")
                       && content.start == NULL)
            {
                content = v;

            } else if (ngx_http_llm_json_key_is(&k, "name") && !named
                       && (v.type == NGX_HTTP_LLM_JSON_STRING
                           || v.type == NGX_HTTP_LLM_JSON_NULL))
            {
                /* dropped, as the reader does; its type checked alike */
                named = 1;

            } else {
                return NGX_DECLINED;
            }
        }

        p = ngx_http_llm_json_ws(it.pos, end);

        if (rc != NGX_DONE || p >= end || *p != '}'
            || role.start == NULL || content.type != NGX_HTTP_LLM_JSON_STRING)
        {
            return NGX_DECLINED;
        }

        if (ngx_http_llm_json_key_is(&role, "user")) {
            m[*n].role = NGX_HTTP_LLM_REWRITE_USER;

        } else if (ngx_http_llm_json_key_is(&role, "assistant")) {
            m[*n].role = NGX_HTTP_LLM_REWRITE_ASSISTANT;

        } else if (ngx_http_llm_json_key_is(&role, "system")
                   || ngx_http_llm_json_key_is(&role, "developer"))
        {
            m[*n].role = NGX_HTTP_LLM_REWRITE_SYSTEM;

        } else {
            return NGX_DECLINED;
        }

        m[(*n)++].content = content;

        p = ngx_http_llm_json_ws(p + 1, end);

        if (p < end) {
            if (*p != ',') {
                return NGX_DECLINED;
            }

            p = ngx_http_llm_json_ws(p + 1, end);
        }
    }

    return NGX_OK;
}


/*
 * The system messages' contents as text blocks (system), or the user and
 * assistant messages as turns of text blocks, alike roles merged.
 */

static ngx_int_t
ngx_http_llm_rewrite_turns(ngx_http_llm_rewrite_msg_t *m, ngx_uint_t n,
    ngx_uint_t system, u_char **out, u_char *end)
{
    ngx_uint_t  i, last, blocks;

    last = NGX_HTTP_LLM_REWRITE_SYSTEM;   /* no turn yet */
    blocks = 0;

    for (i = 0; i < n; i++) {

        if ((m[i].role == NGX_HTTP_LLM_REWRITE_SYSTEM) != system) {
            continue;
        }

        if (system) {
            if (blocks++) {
                ngx_http_llm_put(",");
            }

        } else if (m[i].role != last) {
            if (last != NGX_HTTP_LLM_REWRITE_SYSTEM) {
                ngx_http_llm_put("]},");
            }

            if (m[i].role == NGX_HTTP_LLM_REWRITE_ASSISTANT) {
                ngx_http_llm_put("{\"role\":\"assistant\",\"content\":[");

            } else {
                ngx_http_llm_put("{\"role\":\"user\",\"content\":[");
            }

            last = m[i].role;

        } else {
            ngx_http_llm_put(",");
        }

        ngx_http_llm_put("{\"type\":\"text\",\"text\":");
        ngx_http_llm_put_tok(&m[i].content);
        ngx_http_llm_put("}");
    }

    if (last != NGX_HTTP_LLM_REWRITE_SYSTEM) {
        ngx_http_llm_put("]}");
    }

    return NGX_OK;
}


/* a number token's value; NGX_DECLINED: longer than any number printed */

static ngx_int_t
ngx_http_llm_rewrite_double(ngx_http_llm_json_value_t *v, double *d)
{
    char  buf[64];

    if (v->end - v->start >= (ssize_t) sizeof(buf)) {
        return NGX_DECLINED;
    }

    ngx_memcpy(buf, v->start, v->end - v->start);
    buf[v->end - v->start] = '\0';

    *d = strtod(buf, NULL);

    return NGX_OK;
}


/* a number as cJSON prints it (so that both paths agree), at most "max" */

static ngx_int_t
ngx_http_llm_rewrite_number(ngx_http_llm_json_value_t *v, double max,
    u_char **out, u_char *end)
{
    int     n;
    char    buf[64];
    double  d, test;

    /* finite: the scan declined any other */
    if (ngx_http_llm_rewrite_double(v, &d) != NGX_OK) {
        return NGX_ERROR;
    }

    if (d > max) {
        d = max;
    }

    if (fabs(d) < INT_MAX && d == (double) (int) d) {
        n = snprintf(buf, sizeof(buf), "%d", (int) d);

    } else {
        n = snprintf(buf, sizeof(buf), "%1.15g", d);

        if (sscanf(buf, "%lg", &test) != 1
            || fabs(test - d) > fmax(fabs(test), fabs(d)) * DBL_EPSILON)
        {
            n = snprintf(buf, sizeof(buf), "%1.17g", d);
        }
    }

    return ngx_http_llm_canon_put(out, end, (u_char *) buf, n);
}


/*
 * A Messages answer of text blocks only as the chat.completion the
 * canonical path would render, its usage in "usage".  The members read
 * must come once each (the canonical path's parser takes the first of a
 * name, the scanner the last).  NGX_DECLINED: not that shape.
 */

ngx_int_t
ngx_http_llm_rewrite_anthropic_response(u_char *body, size_t len,
    int64_t created, ngx_http_llm_stream_usage_t *usage, u_char **out,
    u_char *end)
{
    int64_t                     n, *count[4];
    ngx_int_t                   rc;
    ngx_uint_t                  i, seen;
    const char                 *finish;
    ngx_http_llm_json_iter_t    it;
    ngx_http_llm_json_value_t   doc, k, v, m[6], c[4], b, t;

    static const char  *members[] = { "type", "id", "model", "content",
                                      "stop_reason", "usage" };
    static const char  *counts[] = { "input_tokens", "output_tokens",
                                     "cache_read_input_tokens",
                                     "cache_creation_input_tokens" };

    if (ngx_http_llm_json_document(body, body + len, &doc) != NGX_OK
        || doc.type != NGX_HTTP_LLM_JSON_OBJECT
        || ngx_http_llm_json_nul(body, body + len))
    {
        return NGX_DECLINED;
    }

    ngx_memzero(m, sizeof(m));

    if (ngx_http_llm_rewrite_members(&doc, members, 6, m) != NGX_OK
        || !ngx_http_llm_json_key_is(&m[0], "message")
        || m[3].type != NGX_HTTP_LLM_JSON_ARRAY
        || m[5].type != NGX_HTTP_LLM_JSON_OBJECT)
    {
        return NGX_DECLINED;
    }

    /* the types the canonical path requires (its answer shape) */
    for (i = 1; i < 5; i++) {
        if (i != 3 && m[i].start
            && m[i].type != NGX_HTTP_LLM_JSON_STRING
            && m[i].type != NGX_HTTP_LLM_JSON_NULL)
        {
            return NGX_DECLINED;
        }
    }

    /* text blocks of a type and a text, each once */

    for (b.end = m[3].start + 1;
         ngx_http_llm_json_array_next(&m[3], &b) == NGX_OK;
         /* void */)
    {
        if (b.type != NGX_HTTP_LLM_JSON_OBJECT) {
            return NGX_DECLINED;
        }

        seen = 0;
        ngx_http_llm_json_iter_init(&it, &b);

        while ((rc = ngx_http_llm_json_next(&it, &k, &v)) == NGX_OK) {
            if (ngx_http_llm_json_key_is(&k, "type")
                && ngx_http_llm_json_key_is(&v, "text") && !(seen & 1))
            {
                seen |= 1;

            } else if (ngx_http_llm_json_key_is(&k, "text")
                       && v.type == NGX_HTTP_LLM_JSON_STRING && !(seen & 2))
            {
                seen |= 2;

            } else {
                return NGX_DECLINED;
            }
        }

        if (rc != NGX_DONE || seen != 3) {
            return NGX_DECLINED;
        }
    }

    /* integer counts; what the canonical path would read as 0 declines */

    count[0] = &usage->input;
    count[1] = &usage->output;
    count[2] = &usage->cache_read;
    count[3] = &usage->cache_write;

    ngx_memzero(c, sizeof(c));

    if (ngx_http_llm_rewrite_members(&m[5], counts, 4, c) != NGX_OK) {
        return NGX_DECLINED;
    }

    for (i = 0; i < 4; i++) {
        *count[i] = 0;

        if (c[i].start == NULL) {
            continue;
        }

        if (c[i].type != NGX_HTTP_LLM_JSON_NUMBER
            || ngx_http_llm_json_int(&c[i], &n) != NGX_OK
            || n > 1000000000000LL)
        {
            return NGX_DECLINED;
        }

        *count[i] = ngx_max(n, 0);
    }

    usage->seen = 1;

    if (m[4].start == NULL) {
        m[4].type = NGX_HTTP_LLM_JSON_NULL;
    }

    finish = ngx_http_llm_openai_finish_reason(
                 ngx_http_llm_canon_map_token(&m[4],
                                              ngx_http_llm_anthropic_stops,
                                              "end"));

    ngx_http_llm_put("{\"id\":");

    if (m[1].type == NGX_HTTP_LLM_JSON_STRING) {
        ngx_http_llm_put_tok(&m[1]);

    } else {
        ngx_http_llm_put("\"chatcmpl-llm\"");
    }

    ngx_http_llm_put(",\"object\":\"chat.completion\",\"created\":");
    ngx_http_llm_put_int(created);

    if (m[2].type == NGX_HTTP_LLM_JSON_STRING) {
        ngx_http_llm_put(",\"model\":");
        ngx_http_llm_put_tok(&m[2]);
    }

    ngx_http_llm_put(",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                     "\"assistant\",\"content\":\"");

    /* the texts joined: string tokens without their quotes, back to back */

    for (b.end = m[3].start + 1;
         ngx_http_llm_json_array_next(&m[3], &b) == NGX_OK;
         /* void */)
    {
        if (ngx_http_llm_json_get(&b, "text", &t) != NGX_OK) {
            return NGX_DECLINED;
        }

        ngx_http_llm_put_str(t.start + 1, t.end - t.start - 2);
    }

    ngx_http_llm_put("\"},\"finish_reason\":\"");
    ngx_http_llm_put_str((u_char *) finish, ngx_strlen(finish));
    ngx_http_llm_put("\"}],\"usage\":{\"prompt_tokens\":");
    ngx_http_llm_put_int(usage->input + usage->cache_read
                         + usage->cache_write);
    ngx_http_llm_put(",\"completion_tokens\":");
    ngx_http_llm_put_int(usage->output);
    ngx_http_llm_put(",\"total_tokens\":");
    ngx_http_llm_put_int(usage->input + usage->cache_read
                         + usage->cache_write + usage->output);
    ngx_http_llm_put(",\"prompt_tokens_details\":{\"cached_tokens\":");
    ngx_http_llm_put_int(usage->cache_read);

    if (usage->cache_write) {
        ngx_http_llm_put(",\"cache_write_tokens\":");
        ngx_http_llm_put_int(usage->cache_write);
    }

    ngx_http_llm_put("}}}");

    return NGX_OK;
}


/* the named members of an object, each at most once; others ignored */

static ngx_int_t
ngx_http_llm_rewrite_members(ngx_http_llm_json_value_t *obj,
    const char **names, ngx_uint_t n, ngx_http_llm_json_value_t *vals)
{
    ngx_int_t                   rc;
    ngx_uint_t                  i;
    ngx_http_llm_json_iter_t    it;
    ngx_http_llm_json_value_t   k, v;

    ngx_http_llm_json_iter_init(&it, obj);

    while ((rc = ngx_http_llm_json_next(&it, &k, &v)) == NGX_OK) {
        for (i = 0; i < n; i++) {
            if (ngx_http_llm_json_key_is(&k, names[i])) {
                if (vals[i].start) {
                    return NGX_DECLINED;
                }

                vals[i] = v;
                break;
            }
        }
    }

    return (rc == NGX_DONE) ? NGX_OK : NGX_DECLINED;
}
