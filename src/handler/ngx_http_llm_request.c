
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_request.h"
#include "ngx_http_llm_client.h"
#include "ngx_http_llm_error.h"
#include "ngx_http_llm_vertex.h"
#include "ngx_http_llm_json.h"


/*
 * The client's request, in whichever dialect the location speaks: read
 * without building a document, and edited in place for passthrough.
 */


static ngx_int_t ngx_http_llm_request_fallbacks(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_json_value_t *doc,
    ngx_http_llm_json_value_t *k, ngx_http_llm_json_value_t *v);


/*
 * Reads what the gateway needs (model, stream, OpenAI's stream_options,
 * the prompt's size) and remembers where those fields are so that the
 * passthrough body can be edited in place.  OpenAI's and Anthropic's
 * requests agree on these names; Anthropic's prompt also has "system"
 * and "tools" apart from the messages.
 */

ngx_int_t
ngx_http_llm_parse_request(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    u_char                       *body, *p, *end;
    ssize_t                       n;
    int64_t                       max;
    ngx_int_t                     rc;
    ngx_uint_t                    seen_model, seen_stream, seen_prompt;
    const char                   *prompt;
    ngx_http_llm_json_iter_t      it;
    ngx_http_llm_json_value_t     doc, k, v;
    const ngx_http_llm_client_t  *cl;

    body = ctx->body.data;

    if (ctx->body.len == 0) {
        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST, "invalid_json",
                                  "The request body is empty.");
    }

    /*
     * One pass: the members are validated as they are walked, then only
     * white space may follow the closing brace.
     */

    end = body + ctx->body.len;
    p = ngx_http_llm_json_ws(body, end);

    if (p == end || *p != '{') {
        if (ngx_http_llm_json_document(body, end, &doc) != NGX_OK) {
            return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST,
                                      "invalid_json",
                                      "The request body is not valid JSON.");
        }

        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST, "invalid_json",
                                  "The request body must be a JSON object.");
    }

    doc.start = p;
    doc.end = end;
    doc.type = NGX_HTTP_LLM_JSON_OBJECT;

    cl = &ngx_http_llm_clients[ctx->lcf->gateway];
    prompt = (ctx->endpoint == NGX_HTTP_LLM_ENDPOINT_EMBEDDINGS) ? "input"
             : cl->prompt;

    ctx->object_offset = p + 1 - body;
    seen_model = 0;
    seen_stream = 0;
    seen_prompt = 0;

    it.pos = p + 1;
    it.end = end;
    it.first = 1;

    for ( ;; ) {
        rc = ngx_http_llm_json_next(&it, &k, &v);

        if (rc == NGX_DONE) {
            p = ngx_http_llm_json_ws(it.pos, end);

            if (p < end && *p == '}'
                && ngx_http_llm_json_ws(p + 1, end) == end)
            {
                break;
            }

            rc = NGX_ERROR;
        }

        if (rc == NGX_ERROR) {
            return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST,
                                      "invalid_json",
                                      "The request body is not valid JSON.");
        }

        rc = cl->member(r, ctx, &k, &v);

        if (rc == NGX_OK) {
            continue;
        }

        if (rc != NGX_DECLINED) {
            return rc;
        }

        if (cl->model_in_body && ngx_http_llm_json_key_is(&k, "model")) {

            /* the provider must get the model that was authorised */
            if (seen_model++) {
                return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST,
                                          "invalid_request",
                                          "\"model\" is given twice.");
            }

            if (v.type != NGX_HTTP_LLM_JSON_STRING || v.end - v.start <= 2) {
                return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST,
                                          "invalid_type",
                                          "\"model\" must be a non-empty "
                                          "string.");
            }

            ctx->model_key_offset = k.start - body;
            ctx->model_offset = v.start - body;
            ctx->model_len = v.end - v.start;

            ctx->requested_model.data = ngx_pnalloc(r->pool,
                                                    v.end - v.start);
            if (ctx->requested_model.data == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            n = ngx_http_llm_json_unescape(&v, ctx->requested_model.data);
            if (n <= 0) {
                return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST,
                                          "invalid_type",
                                          "\"model\" must be a non-empty "
                                          "string.");
            }

            ctx->requested_model.len = n;
            continue;
        }

        if (cl->model_in_body && ngx_http_llm_json_key_is(&k, "stream")) {
            if (seen_stream++) {
                return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST,
                                          "invalid_request",
                                          "\"stream\" is given twice.");
            }

            if (v.type != NGX_HTTP_LLM_JSON_TRUE
                && v.type != NGX_HTTP_LLM_JSON_FALSE
                && v.type != NGX_HTTP_LLM_JSON_NULL)
            {
                return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST,
                                          "invalid_type",
                                          "\"stream\" must be a boolean.");
            }

            ctx->stream = (v.type == NGX_HTTP_LLM_JSON_TRUE);
            continue;
        }

        if (cl->model_in_body
            && (ngx_http_llm_json_key_is(&k, "max_tokens")
                || ngx_http_llm_json_key_is(&k, "max_completion_tokens")))
        {
            /* the output the reservation must cover */
            if (v.type == NGX_HTTP_LLM_JSON_NULL) {
                continue;
            }

            if (ngx_http_llm_json_int(&v, &max) != NGX_OK
                || max < 1 || max > 100000000)
            {
                return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST,
                                          "invalid_type",
                                          "\"%*s\" must be a positive "
                                          "integer.", k.end - k.start - 2,
                                          k.start + 1);
            }

            ctx->max_tokens = max;
            continue;
        }

        if (ngx_http_llm_json_key_is(&k, "fallbacks")) {
            rc = ngx_http_llm_request_fallbacks(r, ctx, &doc, &k, &v);
            if (rc != NGX_OK) {
                return rc;
            }

            continue;
        }

        if (ngx_http_llm_json_key_is(&k, prompt)) {
            seen_prompt = 1;

            if (ctx->endpoint != NGX_HTTP_LLM_ENDPOINT_EMBEDDINGS
                && v.type != NGX_HTTP_LLM_JSON_ARRAY)
            {
                return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST,
                                          "invalid_type",
                                          "\"%s\" must be an array.",
                                          prompt);
            }

            if (ctx->endpoint == NGX_HTTP_LLM_ENDPOINT_EMBEDDINGS
                && v.type != NGX_HTTP_LLM_JSON_ARRAY
                && v.type != NGX_HTTP_LLM_JSON_STRING)
            {
                return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST,
                                          "invalid_type",
                                          "\"input\" must be a string or "
                                          "an array.");
            }

            ctx->prompt_bytes += v.end - v.start;
        }
    }

    if (!seen_model && cl->model_in_body) {
        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST,
                                  "missing_required_parameter",
                                  "You must provide a \"model\".");
    }

    if (!seen_prompt) {
        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST,
                                  "missing_required_parameter",
                                  "You must provide \"%s\".", prompt);
    }

    return NGX_OK;
}


/*
 * "fallbacks": ["model", ...], the gateway's own field: the models to try
 * when the requested one fails.  Providers do not know it, so the member
 * is cut from the body, with one of the commas around it.
 */

static ngx_int_t
ngx_http_llm_request_fallbacks(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_json_value_t *doc, ngx_http_llm_json_value_t *k,
    ngx_http_llm_json_value_t *v)
{
    u_char                     *p, *start, *end;
    ngx_http_llm_json_value_t   e;

    if (ctx->fb_member_len) {
        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST, "invalid_request",
                                  "\"fallbacks\" is given twice.");
    }

    if (v->type != NGX_HTTP_LLM_JSON_ARRAY) {
        goto invalid;
    }

    for (e.end = v->start + 1;
         ngx_http_llm_json_array_next(v, &e) == NGX_OK;
         /* void */)
    {
        if (e.type != NGX_HTTP_LLM_JSON_STRING) {
            goto invalid;
        }
    }

    start = k->start;
    end = v->end;

    /* the body may end right here: a truncated one is refused later */
    p = ngx_http_llm_json_ws(end, doc->end);

    if (p < doc->end && *p == ',') {
        end = ngx_http_llm_json_ws(p + 1, doc->end);

    } else {
        /* the last member: the comma before it goes */
        for (p = start - 1; p > doc->start && *p != ','; p--) {
            /* void */
        }

        if (*p == ',') {
            start = p;
        }
    }

    ctx->fallbacks_offset = v->start - ctx->body.data;
    ctx->fallbacks_len = v->end - v->start;
    ctx->fb_member_offset = start - ctx->body.data;
    ctx->fb_member_len = end - start;

    return NGX_OK;

invalid:

    return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST, "invalid_type",
                              "\"fallbacks\" must be an array of model "
                              "names.");
}


/*
 * The passthrough body: the client's bytes, except the model name when it
 * carried a provider prefix, and stream_options.include_usage when the
 * client did not ask for usage (the gateway needs it to account).
 */

ngx_int_t
ngx_http_llm_passthrough_body(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_http_llm_candidate_t *c, ngx_chain_t ***ll, off_t *len)
{
    u_char               *p;
    size_t                pos, end;
    ngx_buf_t            *b;
    ngx_uint_t            i, j, n;
    ngx_chain_t          *cl, *free;
    ngx_http_llm_edit_t   edits[NGX_HTTP_LLM_MAX_EDITS], *e, tmp;

    n = 0;
    free = NULL;

    /* Gemini names the model in the URL, not the body */

    if (c->provider->vertex && ctx->model_len) {
        /* Vertex names the model in the path, and the version in the body */
        e = &edits[n++];
        e->offset = ctx->model_key_offset;
        e->remove = ctx->model_offset + ctx->model_len
                    - ctx->model_key_offset;
        ngx_str_set(&e->insert, NGX_HTTP_LLM_VERTEX_VERSION);

    } else if (ctx->model_len
        && (c->model.len != ctx->requested_model.len
            || ngx_strncmp(c->model.data, ctx->requested_model.data,
                           c->model.len) != 0))
    {
        e = &edits[n++];
        e->offset = ctx->model_offset;
        e->remove = ctx->model_len;
        e->insert.len = 2 + ngx_http_llm_json_escape_len(c->model.data,
                                                         c->model.len);
        e->insert.data = ngx_pnalloc(r->pool, e->insert.len);
        if (e->insert.data == NULL) {
            return NGX_ERROR;
        }

        p = e->insert.data;
        *p++ = '"';
        p = ngx_http_llm_json_escape(p, c->model.data, c->model.len);
        *p = '"';
    }

    ctx->strip_usage = 0;

    if (ctx->stream && !ctx->include_usage
        && ngx_http_llm_clients[ctx->lcf->gateway].pivot)
    {
        ctx->strip_usage = 1;
        e = &edits[n++];

        if (!ctx->has_stream_options) {
            e->offset = ctx->object_offset;
            e->remove = 0;
            ngx_str_set(&e->insert, "\"stream_options\":"
                                    "{\"include_usage\":true},");

        } else if (ctx->so_null) {
            e->offset = ctx->iu_offset;
            e->remove = ctx->iu_len;
            ngx_str_set(&e->insert, "{\"include_usage\":true}");

        } else if (!ctx->has_include_usage) {
            e->offset = ctx->so_offset;
            e->remove = 0;

            if (ctx->so_empty) {
                ngx_str_set(&e->insert, "\"include_usage\":true");

            } else {
                ngx_str_set(&e->insert, "\"include_usage\":true,");
            }

        } else {
            e->offset = ctx->iu_offset;
            e->remove = ctx->iu_len;
            ngx_str_set(&e->insert, "true");
        }
    }

    if (ctx->fb_member_len) {
        e = &edits[n++];
        e->offset = ctx->fb_member_offset;
        e->remove = ctx->fb_member_len;
        ngx_str_null(&e->insert);
    }

    /* in body order; the spans never overlap */

    for (i = 1; i < n; i++) {
        for (j = i; j > 0 && edits[j].offset < edits[j - 1].offset; j--) {
            tmp = edits[j];
            edits[j] = edits[j - 1];
            edits[j - 1] = tmp;
        }
    }

    pos = 0;
    *len = 0;

    for (i = 0; i <= n; i++) {
        end = (i < n) ? edits[i].offset : ctx->body.len;

        if (end > pos) {
            cl = ngx_chain_get_free_buf(r->pool, &free);
            if (cl == NULL) {
                return NGX_ERROR;
            }

            b = cl->buf;
            b->pos = ctx->body.data + pos;
            b->last = ctx->body.data + end;
            b->memory = 1;

            **ll = cl;
            *ll = &cl->next;
            *len += end - pos;
        }

        if (i == n) {
            break;
        }

        pos = edits[i].offset + edits[i].remove;

        if (edits[i].insert.len == 0) {
            continue;
        }

        cl = ngx_chain_get_free_buf(r->pool, &free);
        if (cl == NULL) {
            return NGX_ERROR;
        }

        b = cl->buf;
        b->pos = edits[i].insert.data;
        b->last = edits[i].insert.data + edits[i].insert.len;
        b->memory = 1;

        **ll = cl;
        *ll = &cl->next;
        *len += edits[i].insert.len;
    }

    return NGX_OK;
}


/* a request header's value, by its lowercase name */

ngx_str_t *
ngx_http_llm_request_header(ngx_http_request_t *r, const char *name)
{
    size_t            len;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name);
    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NULL;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == len
            && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
        {
            return &h[i].value;
        }
    }
}
