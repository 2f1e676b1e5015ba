
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <cjson/cJSON.h>
#include <openssl/sha.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_mock.h"
#include "ngx_http_llm_client.h"
#include "ngx_http_llm_error.h"
#include "ngx_http_llm_govern.h"
#include "ngx_http_llm_translate.h"
#include "ngx_http_llm_variables.h"
#include "ngx_http_llm_json.h"
#include "ngx_http_llm_sse.h"


/*
 * The built-in "mock" provider answers in-process, in OpenAI's shapes:
 * deterministic text derived from the last user message, plausible usage,
 * optional latency (an nginx timer) and streams of several events.  It is
 * what `make run` uses without a provider key, and what tests rely on.
 * Other surfaces get its answers through the translators, as from any
 * OpenAI-dialect provider.
 */


#define NGX_HTTP_LLM_MOCK_CREATED  1735689600
#define NGX_HTTP_LLM_MOCK_ECHO     120
#define NGX_HTTP_LLM_MOCK_DIMS     8


static void ngx_http_llm_mock_timer(ngx_event_t *ev);
static void ngx_http_llm_mock_cleanup(void *data);
static void ngx_http_llm_mock_respond(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);
static ngx_int_t ngx_http_llm_mock_text(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_str_t *text);
static ngx_int_t ngx_http_llm_mock_chat(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_str_t *text, ngx_chain_t **out);
static ngx_int_t ngx_http_llm_mock_stream(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_str_t *text, ngx_chain_t **out);
static ngx_int_t ngx_http_llm_mock_embeddings(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_chain_t **out);
static ngx_int_t ngx_http_llm_mock_translate(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_chain_t **out);
static ngx_chain_t *ngx_http_llm_mock_buf(ngx_http_request_t *r,
    size_t size);
static ngx_uint_t ngx_http_llm_mock_tokens(size_t bytes);
static ngx_uint_t ngx_http_llm_mock_words(ngx_str_t *text);


ngx_int_t
ngx_http_llm_mock_start(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    ngx_pool_cleanup_t       *cln;
    ngx_http_llm_provider_t  *pr;

    pr = ctx->candidates[0].provider;

    ctx->provider = pr;
    ctx->attempts = 1;

    if (pr->latency == 0) {
        ngx_http_llm_mock_respond(r, ctx);
        return NGX_DONE;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_llm_mock_cleanup;
    cln->data = ctx;

    ctx->mock_timer.handler = ngx_http_llm_mock_timer;
    ctx->mock_timer.data = ctx;
    ctx->mock_timer.log = r->connection->log;

    ngx_add_timer(&ctx->mock_timer, pr->latency);

    /* notice a client that goes away while we wait */
    r->read_event_handler = ngx_http_test_reading;

    return NGX_DONE;
}


static void
ngx_http_llm_mock_timer(ngx_event_t *ev)
{
    ngx_http_llm_ctx_t  *ctx;

    ctx = ev->data;

    ngx_http_llm_mock_respond(ctx->request, ctx);
}


static void
ngx_http_llm_mock_cleanup(void *data)
{
    ngx_http_llm_ctx_t *ctx = data;

    if (ctx->mock_timer.timer_set) {
        ngx_del_timer(&ctx->mock_timer);
    }
}


static void
ngx_http_llm_mock_respond(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    ngx_int_t         rc;
    ngx_str_t         text;
    ngx_chain_t      *out;
    ngx_table_elt_t  *h;

    out = NULL;

    if (ctx->endpoint == NGX_HTTP_LLM_ENDPOINT_EMBEDDINGS) {
        rc = ngx_http_llm_mock_embeddings(r, ctx, &out);

    } else {
        rc = ngx_http_llm_mock_text(r, ctx, &text);

        if (rc == NGX_OK) {
            rc = ctx->stream ? ngx_http_llm_mock_stream(r, ctx, &text, &out)
                             : ngx_http_llm_mock_chat(r, ctx, &text, &out);
        }

        if (rc == NGX_OK && !ngx_http_llm_clients[ctx->lcf->gateway].pivot) {
            rc = ngx_http_llm_mock_translate(r, ctx, &out);
        }
    }

    if (rc != NGX_OK) {
        ngx_http_finalize_request(r, rc == NGX_ERROR
                                     ? NGX_HTTP_INTERNAL_SERVER_ERROR : rc);
        return;
    }

    ctx->ttft_set = 1;
    ctx->ttft = ngx_http_llm_elapsed(r);

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = -1;

    if (ctx->stream) {
        ngx_str_set(&r->headers_out.content_type, "text/event-stream");

    } else {
        ngx_str_set(&r->headers_out.content_type, "application/json");
    }

    r->headers_out.content_type_len = r->headers_out.content_type.len;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    h->hash = 1;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif
    ngx_str_set(&h->key, "x-llm-provider");
    h->value = ctx->provider->name;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        ngx_http_finalize_request(r, rc);
        return;
    }

    rc = ngx_http_output_filter(r, out);

    /* the answer and its usage are final: charge now, not at close */
    ngx_http_llm_govern_settle(ctx);

    ngx_http_finalize_request(r, rc);
}


/* the last user message, as text */

static ngx_int_t
ngx_http_llm_mock_text(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_str_t *text)
{
    u_char     *p;
    size_t      len;
    cJSON      *root, *messages, *m, *role, *content, *part, *t;
    ngx_str_t   said, *model;

    ngx_str_null(&said);

    /*
     * cJSON refuses what the gateway's scanner takes (a lone UTF-16
     * surrogate): then nothing was said
     */
    root = cJSON_ParseWithLength((char *) ctx->body.data, ctx->body.len);

    /* a Gemini request has contents of parts, and a role may be left out */
    messages = cJSON_GetObjectItemCaseSensitive(root, "messages");

    if (messages == NULL) {
        messages = cJSON_GetObjectItemCaseSensitive(root, "contents");
    }

    cJSON_ArrayForEach(m, messages) {
        role = cJSON_GetObjectItemCaseSensitive(m, "role");
        content = cJSON_GetObjectItemCaseSensitive(m, "content");

        if (content == NULL) {
            content = cJSON_GetObjectItemCaseSensitive(m, "parts");
        }

        if (role ? !cJSON_IsString(role)
                   || ngx_strcmp(role->valuestring, "user")
                 : messages->string[0] != 'c')
        {
            continue;
        }

        if (cJSON_IsString(content)) {
            said.data = (u_char *) content->valuestring;
            said.len = ngx_strlen(content->valuestring);
            continue;
        }

        cJSON_ArrayForEach(part, content) {
            t = cJSON_GetObjectItemCaseSensitive(part, "text");

            if (cJSON_IsString(t)) {
                said.data = (u_char *) t->valuestring;
                said.len = ngx_strlen(t->valuestring);
            }
        }
    }

    model = &ctx->candidates[0].model;

    if (said.len > NGX_HTTP_LLM_MOCK_ECHO) {
        said.len = NGX_HTTP_LLM_MOCK_ECHO;

        /* never cut a UTF-8 sequence */
        while (said.len && (said.data[said.len] & 0xc0) == 0x80) {
            said.len--;
        }
    }

    len = sizeof("This is a mock response from /. You said: ") - 1
          + ctx->provider->name.len + model->len + said.len;

    text->data = ngx_pnalloc(r->pool, len);
    if (text->data == NULL) {
        cJSON_Delete(root);
        return NGX_ERROR;
    }

    p = ngx_sprintf(text->data, "This is a mock response from %V/%V. "
                    "You said: %V", &ctx->provider->name, model, &said);

    text->len = p - text->data;

    cJSON_Delete(root);

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_mock_chat(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_str_t *text, ngx_chain_t **out)
{
    ngx_buf_t    *b;
    ngx_str_t    *model;
    ngx_chain_t  *cl;

    model = &ctx->candidates[0].model;

    ctx->prompt_tokens = ngx_http_llm_mock_tokens(ctx->prompt_bytes);
    ctx->completion_tokens = ngx_http_llm_mock_words(text);
    ctx->cached_tokens = 0;
    ctx->usage_source = NGX_HTTP_LLM_USAGE_REPORTED;

    cl = ngx_http_llm_mock_buf(r, 512
                           + ngx_http_llm_json_escape_len(model->data,
                                                          model->len)
                           + ngx_http_llm_json_escape_len(text->data,
                                                          text->len));
    if (cl == NULL) {
        return NGX_ERROR;
    }

    b = cl->buf;

    b->last = ngx_sprintf(b->last,
                 "{\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion\","
                 "\"created\":%d,\"model\":\"",
                 NGX_HTTP_LLM_MOCK_CREATED);
    b->last = ngx_http_llm_json_escape(b->last, model->data, model->len);
    b->last = ngx_http_llm_cpystr(b->last,
                 "\",\"choices\":[{\"index\":0,\"message\":"
                 "{\"role\":\"assistant\",\"content\":\"");
    b->last = ngx_http_llm_json_escape(b->last, text->data, text->len);
    b->last = ngx_sprintf(b->last,
                 "\"},\"finish_reason\":\"stop\"}],\"usage\":"
                 "{\"prompt_tokens\":%i,\"completion_tokens\":%i,"
                 "\"total_tokens\":%i}}\n",
                 ctx->prompt_tokens, ctx->completion_tokens,
                 ctx->prompt_tokens + ctx->completion_tokens);

    b->last_buf = 1;
    *out = cl;

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_mock_stream(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_str_t *text, ngx_chain_t **out)
{
    size_t        piece, off, n, esc;
    ngx_buf_t    *b;
    ngx_str_t    *model;
    ngx_uint_t    i, events;
    ngx_chain_t  *cl, **ll;

    model = &ctx->candidates[0].model;
    events = ctx->provider->stream_events;

    ctx->prompt_tokens = ngx_http_llm_mock_tokens(ctx->prompt_bytes);
    ctx->completion_tokens = ngx_http_llm_mock_words(text);
    ctx->cached_tokens = 0;
    ctx->usage_source = NGX_HTTP_LLM_USAGE_REPORTED;

    esc = ngx_http_llm_json_escape_len(text->data, text->len);
    n = ngx_http_llm_json_escape_len(model->data, model->len);

    /* the pieces partition the text: their escaped sizes add up to esc */
    cl = ngx_http_llm_mock_buf(r, (events + 4) * (200 + n) + esc);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    b = cl->buf;
    ll = &cl->next;

#define ngx_http_llm_mock_chunk_start(b)                                     \
    b->last = ngx_sprintf(b->last, "data: {\"id\":\"chatcmpl-mock\","         \
                          "\"object\":\"chat.completion.chunk\","            \
                          "\"created\":%d,\"model\":\"",                     \
                          NGX_HTTP_LLM_MOCK_CREATED);                        \
    b->last = ngx_http_llm_json_escape(b->last, model->data, model->len)

    ngx_http_llm_mock_chunk_start(b);
    b->last = ngx_http_llm_cpystr(b->last,
                 "\",\"choices\":[{\"index\":0,\"delta\":"
                 "{\"role\":\"assistant\",\"content\":\"\"},"
                 "\"finish_reason\":null}]}\n\n");

    piece = (text->len + events - 1) / events;
    off = 0;

    for (i = 0; i < events && off < text->len; i++) {
        n = ngx_min(piece, text->len - off);

        /* pieces end on UTF-8 boundaries */
        while (off + n < text->len && (text->data[off + n] & 0xc0) == 0x80) {
            n++;
        }

        ngx_http_llm_mock_chunk_start(b);
        b->last = ngx_http_llm_cpystr(b->last,
                     "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"");
        b->last = ngx_http_llm_json_escape(b->last, text->data + off, n);
        b->last = ngx_http_llm_cpystr(b->last,
                                      "\"},\"finish_reason\":null}]}\n\n");
        off += n;
    }

    ngx_http_llm_mock_chunk_start(b);
    b->last = ngx_http_llm_cpystr(b->last,
                 "\",\"choices\":[{\"index\":0,\"delta\":{},"
                 "\"finish_reason\":\"stop\"}]}\n\n");

    if (ctx->include_usage || !ngx_http_llm_clients[ctx->lcf->gateway].pivot)
    {
        ngx_http_llm_mock_chunk_start(b);
        b->last = ngx_sprintf(b->last,
                     "\",\"choices\":[],\"usage\":{\"prompt_tokens\":%i,"
                     "\"completion_tokens\":%i,\"total_tokens\":%i}}\n\n",
                     ctx->prompt_tokens, ctx->completion_tokens,
                     ctx->prompt_tokens + ctx->completion_tokens);
    }

#undef ngx_http_llm_mock_chunk_start

    b->last = ngx_http_llm_cpystr(b->last, "data: [DONE]\n\n");
    b->last_buf = 1;
    b->flush = 1;

    *ll = NULL;
    *out = cl;

    return NGX_OK;
}


/* a deterministic unit vector per input, from the input's SHA-1 */

static ngx_int_t
ngx_http_llm_mock_embeddings(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_chain_t **out)
{
    cJSON        *root, *input, *item;
    char         *s;
    u_char        digest[20];
    size_t        len, bytes;
    ngx_buf_t    *b;
    ngx_str_t    *model;
    ngx_uint_t    i, j, count;
    ngx_chain_t  *cl;

    model = &ctx->candidates[0].model;

    root = cJSON_ParseWithLength((char *) ctx->body.data, ctx->body.len);
    if (root == NULL) {
        /* what the gateway's scanner takes and cJSON not: a lone surrogate */
        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST, "invalid_json",
                                  "The mock provider cannot read the input "
                                  "(a lone UTF-16 surrogate?).");
    }

    input = cJSON_GetObjectItemCaseSensitive(root, "input");
    count = cJSON_IsArray(input) ? (ngx_uint_t) cJSON_GetArraySize(input) : 1;

    len = 256 + ngx_http_llm_json_escape_len(model->data, model->len)
          + count * (64 + NGX_HTTP_LLM_MOCK_DIMS * 12);

    cl = ngx_http_llm_mock_buf(r, len);
    if (cl == NULL) {
        cJSON_Delete(root);
        return NGX_ERROR;
    }

    b = cl->buf;
    b->last = ngx_http_llm_cpystr(b->last, "{\"object\":\"list\",\"data\":[");

    bytes = 0;

    item = cJSON_IsArray(input) ? input->child : input;

    for (i = 0; i < count; i++, item = item->next) {
        s = cJSON_PrintUnformatted(item);
        if (s == NULL) {
            cJSON_Delete(root);
            return NGX_ERROR;
        }

        SHA1((u_char *) s, ngx_strlen(s), digest);

        bytes += ngx_strlen(s);
        cJSON_free(s);

        b->last = ngx_sprintf(b->last, "%s{\"object\":\"embedding\","
                              "\"index\":%ui,\"embedding\":[",
                              i ? "," : "", i);

        for (j = 0; j < NGX_HTTP_LLM_MOCK_DIMS; j++) {
            b->last = ngx_sprintf(b->last, "%s%s0.%03ui", j ? "," : "",
                                  (digest[j] & 0x80) ? "-" : "",
                                  (ngx_uint_t) ((digest[j] & 0x7f) * 7 + 1));
        }

        b->last = ngx_http_llm_cpystr(b->last, "]}");
    }

    cJSON_Delete(root);

    ctx->prompt_tokens = ngx_http_llm_mock_tokens(bytes);
    ctx->completion_tokens = 0;
    ctx->cached_tokens = 0;
    ctx->usage_source = NGX_HTTP_LLM_USAGE_REPORTED;

    b->last = ngx_http_llm_cpystr(b->last, "],\"model\":\"");
    b->last = ngx_http_llm_json_escape(b->last, model->data, model->len);
    b->last = ngx_sprintf(b->last, "\",\"usage\":{\"prompt_tokens\":%i,"
                          "\"total_tokens\":%i}}\n",
                          ctx->prompt_tokens, ctx->prompt_tokens);
    b->last_buf = 1;

    *out = cl;

    return NGX_OK;
}


/* the mock's answer, or each event of its stream, in the client's dialect */

static ngx_int_t
ngx_http_llm_mock_translate(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_chain_t **out)
{
    u_char       *p, *e;
    ngx_int_t     rc;
    ngx_str_t     data, ev;
    ngx_buf_t    *b;
    ngx_chain_t  *cl, **ll;

    b = (*out)->buf;
    ctx->translate = 1;
    ctx->dialect = NGX_HTTP_LLM_DIALECT_OPENAI;     /* the mock's */

    if (!ctx->stream) {
        if (ngx_http_llm_translate_response(r, ctx, NGX_HTTP_OK, b->pos,
                                            b->last - b->pos, out)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        (*out)->buf->last_buf = 1;
        return NGX_OK;
    }

    ll = out;
    cl = NULL;

    for (p = b->pos; (e = ngx_http_llm_sse_event_end(p, b->last)); p = e) {
        if (ngx_http_llm_sse_data(p, e, &data) != NGX_OK) {
            continue;
        }

        rc = ngx_http_llm_translate_event(ctx, &data, &ev);
        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (ev.len == 0) {
            continue;
        }

        cl = ngx_http_llm_mock_buf(r, ev.len);
        if (cl == NULL) {
            return NGX_ERROR;
        }

        cl->buf->last = ngx_cpymem(cl->buf->last, ev.data, ev.len);

        *ll = cl;
        ll = &cl->next;
    }

    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->buf->last_buf = 1;
    cl->buf->flush = 1;

    return NGX_OK;
}


static ngx_chain_t *
ngx_http_llm_mock_buf(ngx_http_request_t *r, size_t size)
{
    ngx_chain_t  *cl;

    cl = ngx_alloc_chain_link(r->pool);
    if (cl == NULL) {
        return NULL;
    }

    cl->buf = ngx_create_temp_buf(r->pool, size);
    if (cl->buf == NULL) {
        return NULL;
    }

    cl->next = NULL;

    return cl;
}


/* about four bytes of JSON per token, and never zero */

static ngx_uint_t
ngx_http_llm_mock_tokens(size_t bytes)
{
    return bytes / 4 + 1;
}


static ngx_uint_t
ngx_http_llm_mock_words(ngx_str_t *text)
{
    ngx_uint_t  i, n;

    n = 1;

    for (i = 0; i < text->len; i++) {
        if (text->data[i] == ' ') {
            n++;
        }
    }

    return n;
}
