
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_translate.h"
#include "ngx_http_llm_error.h"
#include "ngx_http_llm_provider.h"
#include "ngx_http_llm_usage.h"
#include "ngx_http_llm_vertex.h"
#include "ngx_http_llm_canon.h"
#include "ngx_http_llm_anthropic.h"
#include "ngx_http_llm_anthropic_surface.h"
#include "ngx_http_llm_bedrock.h"
#include "ngx_http_llm_gemini.h"
#include "ngx_http_llm_gemini_surface.h"
#include "ngx_http_llm_openai_canon.h"
#include "ngx_http_llm_relay.h"
#include "ngx_http_llm_rewrite.h"


/*
 * Requests and responses between dialects, through the canonical model
 * (ngx_http_llm_canon.h), for the attempts whose provider speaks another
 * dialect than the client.  Same-dialect attempts never come here, but
 * for the usage of an Anthropic stream or answer passed through.  The
 * pairs: every surface (OpenAI, Anthropic, Gemini) served by providers
 * of the other two dialects.  The translators are the dialects' tables
 * (ngx_http_llm_dialect_t): the client's surface by llm_gateway, the
 * provider's dialect by the attempt.
 */


static const ngx_http_llm_dialect_t  *ngx_http_llm_surfaces[] = {
    NULL,
    &ngx_http_llm_openai_dialect,
    &ngx_http_llm_anthropic_surface,
    &ngx_http_llm_gemini_surface,
    NULL                                    /* no Bedrock clients */
};

static const ngx_http_llm_dialect_t  *ngx_http_llm_dialects[] = {
    NULL,
    &ngx_http_llm_openai_dialect,
    &ngx_http_llm_anthropic_dialect,
    &ngx_http_llm_gemini_dialect,
    &ngx_http_llm_bedrock_dialect
};


static cJSON *ngx_http_llm_translate_parse(ngx_http_request_t *r,
    u_char *data, size_t len);
static void ngx_http_llm_translate_cleanup(void *data);
static ngx_http_llm_relay_t *ngx_http_llm_translate_stream(
    ngx_http_llm_ctx_t *ctx);
static ngx_int_t ngx_http_llm_translate_out(ngx_http_request_t *r,
    cJSON *doc, ngx_str_t *out, ngx_uint_t nl);
static ngx_chain_t *ngx_http_llm_translate_chain(ngx_http_request_t *r,
    ngx_str_t *body);
static void ngx_http_llm_translate_usage(ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_stream_usage_t *u);
static ngx_int_t ngx_http_llm_translate_buffer(ngx_http_llm_ctx_t *ctx,
    size_t size, u_char **p, u_char **end);


/*
 * Once a request is routed: when a candidate needs translation, the body
 * becomes the canonical document, and what cannot be translated is
 * refused now, with a 400 naming it, rather than inside an attempt.
 */

ngx_int_t
ngx_http_llm_translate_prepare(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    u_char                        *p, *last, *rest;
    size_t                         size;
    cJSON                         *doc, *canon, *rendered;
    ngx_uint_t                     i, n, d, need;
    ngx_pool_cleanup_t            *cln;
    ngx_http_llm_provider_t       *pr, *named[NGX_HTTP_LLM_DIALECTS];
    ngx_http_llm_tr_err_t          err;
    ngx_http_llm_main_conf_t      *lmcf;
    const char                    *model;
    const ngx_http_llm_dialect_t  *surface;

    need = 0;
    pr = NULL;

    for (i = 0, n = 0; i < ctx->ncandidates; i++) {
        pr = ctx->candidates[i].provider;
        d = ngx_http_llm_provider_dialect(pr, &ctx->candidates[i].model);

        if (d == ctx->lcf->gateway) {
            ctx->candidates[n++] = ctx->candidates[i];
            continue;
        }

        /* only OpenAI has embeddings */
        if (ctx->endpoint != NGX_HTTP_LLM_ENDPOINT_CHAT) {
            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "llm: provider \"%V\" skipped: no translation "
                           "for this request", &pr->name);
            continue;
        }

        need |= 1 << d;
        named[d] = pr;
        ctx->candidates[n++] = ctx->candidates[i];
    }

    ctx->ncandidates = n;

    if (n == 0) {
        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST,
                                  "unsupported_translation",
                                  "The provider \"%V\" speaks another API, "
                                  "which has no embeddings.", &pr->name);
    }

    if (need == 0) {
        return NGX_OK;
    }

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_llm_module);

    /*
     * The common shapes are rewritten for Anthropic without a document;
     * the body is valid JSON (ngx_http_llm_parse_request).
     */

    if ((need & (1 << NGX_HTTP_LLM_DIALECT_ANTHROPIC))
        && ctx->lcf->gateway == NGX_HTTP_LLM_DIALECT_OPENAI)
    {
        size = 2 * ctx->body.len + 1024;

        p = ngx_pnalloc(r->pool, size);
        if (p == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        last = p;

        if (ngx_http_llm_rewrite_openai_request(ctx->body.data,
                                        ctx->body.len,
                                        (int64_t) lmcf->default_max_tokens,
                                        &last, p + size, &rest)
            == NGX_OK)
        {
            ctx->rendered_tail.data = rest;
            ctx->rendered_tail.len = last - rest;
            need &= ~(1 << NGX_HTTP_LLM_DIALECT_ANTHROPIC);

        } else {
            ngx_pfree(r->pool, p);
        }
    }

    if (need == 0) {
        return NGX_OK;
    }

    ngx_memzero(&err, sizeof(ngx_http_llm_tr_err_t));

    doc = ngx_http_llm_translate_parse(r, ctx->body.data, ctx->body.len);
    surface = ngx_http_llm_surfaces[ctx->lcf->gateway];
    model = NULL;

    if (doc && surface->model_in_url) {
        /* the model is in the URL; each attempt names its own anyway */
        p = ngx_pnalloc(r->pool, ctx->requested_model.len + 1);
        if (p == NULL) {
            cJSON_Delete(doc);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        (void) ngx_cpystrn(p, ctx->requested_model.data,
                           ctx->requested_model.len + 1);
        model = (char *) p;
    }

    canon = doc ? surface->parse_request(doc, model, ctx->stream, &err)
                : NULL;

    cJSON_Delete(doc);

    if (canon == NULL) {
        goto invalid;
    }

    /*
     * Rendered once per dialect, here, to find what a provider's dialect
     * cannot take; each attempt only names its model in it.
     */

    for (d = 1; d < NGX_HTTP_LLM_DIALECTS; d++) {
        if (!(need & (1 << d))) {
            continue;
        }

        pr = named[d];
        rendered = ngx_http_llm_dialects[d]->render_request(canon,
                                       (int64_t) lmcf->default_max_tokens,
                                       &err);

        if (rendered == NULL) {
            cJSON_Delete(canon);
            goto invalid;
        }

        cln = ngx_pool_cleanup_add(r->pool, 0);
        if (cln == NULL) {
            cJSON_Delete(rendered);
            cJSON_Delete(canon);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        cln->handler = ngx_http_llm_translate_cleanup;
        cln->data = rendered;
        ctx->rendered[d] = rendered;
    }

    cJSON_Delete(canon);

    if (err.dropped[0]) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "llm: left out in translation: %s", err.dropped);
    }

    return NGX_OK;

invalid:

    if (doc && err.code) {
        /* the client's document is at fault, whichever the provider */
        ctx->err_param.len = ngx_strlen(err.path);
        ctx->err_param.data = (u_char *) err.path;
        ctx->err_param.data = ngx_pstrdup(r->pool, &ctx->err_param);
        if (ctx->err_param.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST, err.code, "%s.",
                                  err.msg);
    }

    return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST, "invalid_request",
                              "The request cannot be translated for the "
                              "provider \"%V\": %s.", &pr->name,
                              doc ? err.msg
                                  : "its JSON cannot be read (a lone UTF-16 "
                                    "surrogate in a string?)");
}


/*
 * A document for the translators.  cJSON's strings end at a NUL, so a
 * "\u0000" would cut the text after it: it becomes U+FFFD (the same six
 * bytes, "\ufffd") in a copy, the client's bytes left as they are.
 */

static cJSON *
ngx_http_llm_translate_parse(ngx_http_request_t *r, u_char *data,
    size_t len)
{
    u_char  *p, *copy;

    p = ngx_http_llm_json_nul(data, data + len);

    if (p == NULL) {
        return cJSON_ParseWithLength((char *) data, len);
    }

    copy = ngx_pnalloc(r->pool, len);
    if (copy == NULL) {
        return NULL;
    }

    ngx_memcpy(copy, data, len);

    for (p = copy + (p - data);
         p;
         p = ngx_http_llm_json_nul(p + 6, copy + len))
    {
        ngx_memcpy(p + 2, "fffd", 4);
    }

    return cJSON_ParseWithLength((char *) copy, len);
}


static void
ngx_http_llm_translate_cleanup(void *data)
{
    cJSON_Delete(data);
}


/* the provider's body for one attempt: the rendered request, its model */

ngx_int_t
ngx_http_llm_translate_request(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_candidate_t *c, ngx_chain_t ***ll, off_t *len)
{
    u_char       *model, *p;
    cJSON        *m, *old, *doc;
    ngx_str_t     body;
    ngx_uint_t    d, vertex;
    ngx_chain_t  *cl;

    d = ngx_http_llm_provider_dialect(c->provider, &c->model);
    doc = ctx->rendered[d];

    if (d == NGX_HTTP_LLM_DIALECT_ANTHROPIC && ctx->rendered_tail.data) {
        /* '{"model":"MODEL"' (Vertex: its version) and the rewritten rest */
        body.data = ngx_pnalloc(r->pool, sizeof("{\"model\":\"\"") - 1
                                         + sizeof(NGX_HTTP_LLM_VERTEX_VERSION)
                                         + ngx_http_llm_json_escape_len(
                                               c->model.data, c->model.len));
        if (body.data == NULL) {
            return NGX_ERROR;
        }

        p = body.data;
        *p++ = '{';

        if (c->provider->vertex) {
            p = ngx_http_llm_cpystr(p, NGX_HTTP_LLM_VERTEX_VERSION);

        } else {
            p = ngx_http_llm_cpystr(p, "\"model\":\"");
            p = ngx_http_llm_json_escape(p, c->model.data, c->model.len);
            *p++ = '"';
        }

        body.len = p - body.data;

        cl = ngx_http_llm_translate_chain(r, &body);
        if (cl == NULL) {
            return NGX_ERROR;
        }

        **ll = cl;
        *ll = &cl->next;
        *len += body.len;

        body = ctx->rendered_tail;

    } else {
        /*
         * The first member: the model, or Vertex's version (Vertex names
         * the model in the URL, as Gemini and Bedrock do).  The document
         * serves every candidate of its dialect: it is replaced in place.
         */
        if (!ngx_http_llm_dialects[d]->model_in_url) {
            vertex = (c->provider->vertex != NULL);

            model = ngx_pnalloc(r->pool, c->model.len + 1);
            if (model == NULL) {
                return NGX_ERROR;
            }

            (void) ngx_cpystrn(model, c->model.data, c->model.len + 1);

            m = cJSON_CreateString(vertex ? "vertex-2023-10-16"
                                          : (char *) model);
            old = cJSON_GetObjectItemCaseSensitive(doc, "model");

            if (old == NULL) {
                old = cJSON_GetObjectItemCaseSensitive(doc,
                                                       "anthropic_version");
            }

            if (m == NULL || old == NULL) {
                cJSON_Delete(m);
                return NGX_ERROR;
            }

            m->string = strdup(vertex ? "anthropic_version" : "model");

            if (m->string == NULL
                || !cJSON_ReplaceItemViaPointer(doc, old, m))
            {
                cJSON_Delete(m);
                return NGX_ERROR;
            }
        }

        if (ngx_http_llm_translate_out(r, doc, &body, 0) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    cl = ngx_http_llm_translate_chain(r, &body);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    **ll = cl;
    *ll = &cl->next;
    *len += body.len;

    return NGX_OK;
}


/*
 * The provider's whole answer, in the client's dialect: a response, or an
 * error with the provider's message.  Its usage is what the gateway
 * charges.
 */

ngx_int_t
ngx_http_llm_translate_response(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_uint_t status, u_char *data, size_t len, ngx_chain_t **out)
{
    u_char                        *p;
    size_t                         size;
    cJSON                         *doc, *canon, *resp, *usage;
    ngx_int_t                      rc;
    ngx_str_t                      body;
    const char                    *msg, *code;
    ngx_http_llm_tr_err_t          err;
    ngx_http_llm_stream_usage_t    u;
    const ngx_http_llm_dialect_t  *surface;

    ngx_memzero(&err, sizeof(ngx_http_llm_tr_err_t));
    canon = NULL;
    resp = NULL;

    /* a text answer is rewritten without a document */

    if (status < NGX_HTTP_BAD_REQUEST && len <= NGX_HTTP_LLM_MAX_RESPONSE
        && ctx->lcf->gateway == NGX_HTTP_LLM_DIALECT_OPENAI
        && ctx->dialect
           == NGX_HTTP_LLM_DIALECT_ANTHROPIC)
    {
        size = 2 * len + 1024;

        body.data = ngx_pnalloc(r->pool, size);
        if (body.data == NULL) {
            return NGX_ERROR;
        }

        p = body.data;
        ngx_memzero(&u, sizeof(ngx_http_llm_stream_usage_t));

        if (ngx_http_llm_rewrite_anthropic_response(data, len, ngx_time(), &u,
                                                    &p, body.data + size - 1)
            == NGX_OK)
        {
            *p++ = '\n';
            body.len = p - body.data;
            ngx_http_llm_translate_usage(ctx, &u);
            goto send;
        }

        ngx_pfree(r->pool, body.data);
    }

    doc = (len && len <= NGX_HTTP_LLM_MAX_RESPONSE)
          ? ngx_http_llm_translate_parse(r, data, len) : NULL;

    if (status >= NGX_HTTP_BAD_REQUEST) {
        if (ngx_http_llm_provider_error(doc, &msg, &code) != NGX_OK) {
            msg = "The provider answered with an error.";
        }

        (void) ngx_http_llm_error(r, status, code ? code : "provider_error",
                                  "%s", msg);

        /* the code is not copied: rendered while the document lives */
        rc = ngx_http_llm_render_error(r, ctx, status, &body, 0);
        ngx_str_null(&ctx->err_code);
        cJSON_Delete(doc);

        if (rc != NGX_OK) {
            return NGX_ERROR;
        }

        goto send;
    }

    if (doc) {
        canon = ngx_http_llm_dialects[ctx->dialect]->read_response(doc,
                                                                    &err);
    }

    cJSON_Delete(doc);

    /* Converse names no model: the one asked for */
    if (canon && ngx_http_llm_canon_str(canon, "model") == NULL) {
        p = ngx_pnalloc(r->pool, ctx->candidates[ctx->current].model.len + 1);
        if (p == NULL) {
            cJSON_Delete(canon);
            return NGX_ERROR;
        }

        (void) ngx_cpystrn(p, ctx->candidates[ctx->current].model.data,
                           ctx->candidates[ctx->current].model.len + 1);

        if (cJSON_AddStringToObject(canon, "model", (char *) p) == NULL) {
            cJSON_Delete(canon);
            return NGX_ERROR;
        }
    }

    if (canon) {
        usage = cJSON_GetObjectItemCaseSensitive(canon, "usage");

        if (usage) {
            ctx->cached_tokens = ngx_http_llm_canon_count(usage,
                                                          "cache_read");
            ctx->cache_write_tokens = ngx_http_llm_canon_count(usage,
                                                               "cache_write");
            ctx->prompt_tokens = ngx_http_llm_canon_count(usage, "input")
                                 + ctx->cached_tokens
                                 + ctx->cache_write_tokens;
            ctx->completion_tokens = ngx_http_llm_canon_count(usage,
                                                              "output");
            ctx->usage_source = NGX_HTTP_LLM_USAGE_REPORTED;
        }

        surface = ngx_http_llm_surfaces[ctx->lcf->gateway];
        resp = surface->write_response(canon, ngx_time(), &err);

        cJSON_Delete(canon);
    }

    if (resp == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "llm: provider \"%V\" sent an answer that could not "
                      "be translated: %s", &ctx->provider->name,
                      err.msg[0] ? err.msg : "not JSON");

        /* what the provider charged is not known: never zero */
        if (ctx->usage_source == NGX_HTTP_LLM_USAGE_MISSING) {
            ctx->streamed = len;
            ngx_http_llm_usage_estimate(ctx);
        }

        /* the headers are out: the body says what went wrong */
        (void) ngx_http_llm_error(r, NGX_HTTP_BAD_GATEWAY,
                                  "translation_failed",
                                  "The provider \"%V\" sent an answer that "
                                  "could not be translated.",
                                  &ctx->provider->name);

        if (ngx_http_llm_render_error(r, ctx, NGX_HTTP_BAD_GATEWAY, &body,
                                      0)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        goto send;
    }

    rc = ngx_http_llm_translate_out(r, resp, &body, 1);
    cJSON_Delete(resp);

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

send:

    *out = ngx_http_llm_translate_chain(r, &body);

    return *out ? NGX_OK : NGX_ERROR;
}


/*
 * A translated answer the provider cut (a premature close, a timeout):
 * never translated as if whole, it is an error, and what the provider
 * charged is estimated from what came.
 */

ngx_int_t
ngx_http_llm_translate_cut(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_chain_t **out)
{
    ngx_str_t  body;

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "llm: provider \"%V\" cut its answer after %uz bytes",
                  &ctx->provider->name, ctx->resp_len);

    if (ctx->usage_source == NGX_HTTP_LLM_USAGE_MISSING
        && ctx->request->upstream->headers_in.status_n
           < NGX_HTTP_SPECIAL_RESPONSE)
    {
        ctx->streamed = ctx->resp_len;
        ngx_http_llm_usage_estimate(ctx);
    }

    (void) ngx_http_llm_error(r, NGX_HTTP_BAD_GATEWAY, "answer_interrupted",
                              "The answer from the provider \"%V\" was "
                              "interrupted.", &ctx->provider->name);

    if (ngx_http_llm_render_error(r, ctx, NGX_HTTP_BAD_GATEWAY, &body, 0)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    *out = ngx_http_llm_translate_chain(r, &body);

    return *out ? NGX_OK : NGX_ERROR;
}


static ngx_chain_t *
ngx_http_llm_translate_chain(ngx_http_request_t *r, ngx_str_t *body)
{
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    b = ngx_calloc_buf(r->pool);
    cl = ngx_alloc_chain_link(r->pool);

    if (b == NULL || cl == NULL) {
        return NULL;
    }

    b->pos = body->data;
    b->last = body->data + body->len;
    b->memory = 1;
    b->flush = 1;

    cl->buf = b;
    cl->next = NULL;

    return cl;
}


/*
 * One event of a translated stream: its data, as the client's events, in
 * a buffer the stream reuses (an event is at most NGX_HTTP_LLM_MAX_EVENT).
 * NGX_DONE: the stream's end (its last events or an error event) is in
 * "out".
 */

ngx_int_t
ngx_http_llm_translate_event(ngx_http_llm_ctx_t *ctx, ngx_str_t *data,
    ngx_str_t *out)
{
    u_char     *p, *end, *mid;
    ngx_int_t   rc;

    /* the data's tokens, escaped at most, and the events around them */
    if (ngx_http_llm_translate_buffer(ctx, 2 * data->len + 1024, &p, &end)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the buffer's upper half holds the chunks between */
    mid = p + (end - p) / 2;

    rc = ngx_http_llm_relay_event(ctx->tr_stream, data->data, data->len,
                                  mid, end, &p, mid);

    ngx_http_llm_translate_usage(ctx, &ctx->tr_stream->a.usage);

    if (rc == NGX_ERROR) {
        ngx_log_error(NGX_LOG_ERR, ctx->request->connection->log, 0,
                      "llm: provider \"%V\" sent an event that could not "
                      "be translated: \"%*s\"", &ctx->provider->name,
                      ngx_min(data->len, 200), data->data);
        return NGX_ERROR;
    }

    out->data = ctx->tr_out;
    out->len = p - ctx->tr_out;

    return (rc == NGX_OK) ? NGX_OK : NGX_DONE;
}


/*
 * The provider's body ended: the last events of a stream whose dialect
 * has no end marker (Gemini) or that lacked its last frame (Bedrock's
 * metadata).  NGX_DECLINED: nothing to add, the stream had its own end or
 * is broken.
 */

ngx_int_t
ngx_http_llm_translate_end(ngx_http_llm_ctx_t *ctx, ngx_str_t *out)
{
    u_char  *p, *end, *mid;

    if (!ctx->translate || !ctx->sse || ctx->done_seen
        || ctx->tr_stream == NULL
        || ngx_http_llm_translate_buffer(ctx, 1024, &p, &end) != NGX_OK)
    {
        return NGX_DECLINED;
    }

    mid = p + (end - p) / 2;

    if (ngx_http_llm_relay_end(ctx->tr_stream, mid, end, &p, mid)
        != NGX_DONE)
    {
        return NGX_DECLINED;
    }

    out->data = ctx->tr_out;
    out->len = p - ctx->tr_out;

    return NGX_OK;
}


/* the stream's state on its first event, and its reused output buffer */

static ngx_int_t
ngx_http_llm_translate_buffer(ngx_http_llm_ctx_t *ctx, size_t size,
    u_char **p, u_char **end)
{
    ngx_http_llm_relay_t  *rs;

    rs = ctx->tr_stream;

    if (rs == NULL) {
        rs = ngx_http_llm_translate_stream(ctx);
        if (rs == NULL) {
            return NGX_ERROR;
        }

        ctx->tr_stream = rs;
    }

    if (rs->writer->write_pending) {
        /* Gemini's last chunk carries the function calls gathered */
        size += rs->writer->write_pending(rs->w);
    }

    /* the state's id and model are written twice at most */
    size += 4 * NGX_HTTP_LLM_TOKEN_LEN;

    /* and the chunks between, in the upper half */
    size *= 2;

    if (size > ctx->tr_size) {
        if (ctx->tr_out) {
            ngx_pfree(ctx->request->pool, ctx->tr_out);
        }

        ctx->tr_size = ngx_max(size, 4096);
        ctx->tr_out = ngx_palloc(ctx->request->pool, ctx->tr_size);

        if (ctx->tr_out == NULL) {
            return NGX_ERROR;
        }
    }

    *p = ctx->tr_out;
    *end = ctx->tr_out + ctx->tr_size;

    return NGX_OK;
}
/*
 * A translated stream's state: the provider's reader, the client's
 * writer.  A stream that names no model (Converse's) names the one asked
 * for.
 */

static ngx_http_llm_relay_t *
ngx_http_llm_translate_stream(ngx_http_llm_ctx_t *ctx)
{
    u_char                *p;
    ngx_str_t             *model;
    ngx_pool_cleanup_t    *cln;
    ngx_http_llm_relay_t  *rs;

    rs = ngx_pcalloc(ctx->request->pool, sizeof(ngx_http_llm_relay_t));
    if (rs == NULL) {
        return NULL;
    }

    rs->reader = ngx_http_llm_dialects[ctx->dialect];
    rs->writer = ngx_http_llm_surfaces[ctx->lcf->gateway];
    rs->a.created = ngx_time();

    /* a writer reads the usage chunk; an OpenAI client asks for it */
    rs->a.include_usage = rs->writer->stream_write ? 1 : ctx->include_usage;

    if (rs->writer->write_size) {
        rs->w = ngx_pcalloc(ctx->request->pool, rs->writer->write_size);
        if (rs->w == NULL) {
            return NULL;
        }
    }

    if (rs->writer->write_free) {
        cln = ngx_pool_cleanup_add(ctx->request->pool, 0);
        if (cln == NULL) {
            return NULL;
        }

        /* what the writer gathers is malloc'd */
        cln->handler = rs->writer->write_free;
        cln->data = rs->w;
    }

    model = &ctx->candidates[ctx->current].model;

    if (rs->reader->no_model
        && ngx_http_llm_json_escape_len(model->data, model->len) + 2
           <= NGX_HTTP_LLM_TOKEN_LEN)
    {
        p = rs->a.model;
        *p++ = '"';
        p = ngx_http_llm_json_escape(p, model->data, model->len);
        *p++ = '"';
        rs->a.model_len = p - rs->a.model;
    }

    return rs;
}


/*
 * An Anthropic or Gemini stream or answer passed through to a client of
 * its dialect is only read, for its usage.  NGX_DONE: the stream's last
 * event.
 */

ngx_int_t
ngx_http_llm_translate_observe(ngx_http_llm_ctx_t *ctx, ngx_str_t *data)
{
    ngx_int_t                      rc;
    ngx_http_llm_observe_pt        observe;
    ngx_http_llm_stream_usage_t   *u;
    const ngx_http_llm_dialect_t  *d;

    if (ctx->tr_stream == NULL) {
        ctx->tr_stream = ngx_pcalloc(ctx->request->pool,
                                     sizeof(ngx_http_llm_relay_t));
        if (ctx->tr_stream == NULL) {
            return NGX_ERROR;
        }
    }

    u = &ctx->tr_stream->a.usage;
    d = ngx_http_llm_dialects[ctx->lcf->gateway];
    observe = ctx->sse ? d->observe_stream : d->observe_answer;

    rc = observe(u, data->data, data->len);

    if (rc != NGX_DECLINED) {
        ngx_http_llm_translate_usage(ctx, u);
    }

    return ctx->sse ? rc : NGX_OK;
}


/*
 * Usage as it comes: Anthropic's message_delta counts are cumulative.
 * The input count is taken once it is known (OpenAI's comes last), so
 * that a stream cut before it gets an estimate, not zero.
 */

static void
ngx_http_llm_translate_usage(ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_stream_usage_t *u)
{
    ctx->streamed = u->streamed;

    if (u->input + u->cache_read + u->cache_write > 0 || u->seen) {
        ctx->cached_tokens = u->cache_read;
        ctx->cache_write_tokens = u->cache_write;
        ctx->prompt_tokens = u->input + u->cache_read + u->cache_write;
    }

    if (u->seen) {
        ctx->completion_tokens = u->output;
        ctx->usage_source = NGX_HTTP_LLM_USAGE_REPORTED;
    }
}


/*
 * A document printed into the request's pool: straight into a buffer
 * twice the request's size, else through cJSON's own.
 */

static ngx_int_t
ngx_http_llm_translate_out(ngx_http_request_t *r, cJSON *doc, ngx_str_t *out,
    ngx_uint_t nl)
{
    char                *s;
    size_t               size;
    ngx_http_llm_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);

    size = 2 * ngx_max(ctx->body.len, ctx->resp_len) + 1024;

    out->data = ngx_pnalloc(r->pool, size);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    if (cJSON_PrintPreallocated(doc, (char *) out->data, (int) size - 1, 0))
    {
        out->len = ngx_strlen(out->data);

    } else {
        s = cJSON_PrintUnformatted(doc);
        if (s == NULL) {
            return NGX_ERROR;
        }

        out->len = ngx_strlen(s);
        out->data = ngx_pnalloc(r->pool, out->len + 1);

        if (out->data == NULL) {
            cJSON_free(s);
            return NGX_ERROR;
        }

        ngx_memcpy(out->data, s, out->len);
        cJSON_free(s);
    }

    if (nl) {
        /* as the gateway's other JSON answers */
        out->data[out->len++] = '\n';
    }

    return NGX_OK;
}
