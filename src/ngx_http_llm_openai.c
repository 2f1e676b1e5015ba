
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_module.h"
#include "ngx_http_llm_json.h"


static ngx_int_t ngx_http_llm_openai_stream_options(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_json_value_t *v);
static ngx_int_t ngx_http_llm_openai_fallbacks(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_json_value_t *doc,
    ngx_http_llm_json_value_t *k, ngx_http_llm_json_value_t *v);
static ngx_int_t ngx_http_llm_openai_add_model(ngx_http_request_t *r,
    ngx_array_t *ids, ngx_http_llm_provider_t *pr, ngx_str_t *model);


/*
 * Reads what the gateway needs from an OpenAI request (model, stream,
 * stream_options, the prompt's size) without building a document, and
 * remembers where those fields are so that the passthrough body can be
 * edited in place.
 */

ngx_int_t
ngx_http_llm_openai_parse_request(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx)
{
    u_char                     *body, *p, *end;
    ssize_t                     n;
    int64_t                     max;
    ngx_int_t                   rc;
    ngx_uint_t                  seen_model, seen_stream, seen_prompt;
    const char                 *prompt;
    ngx_http_llm_json_iter_t    it;
    ngx_http_llm_json_value_t   doc, k, v;

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

    prompt = (ctx->endpoint == NGX_HTTP_LLM_ENDPOINT_CHAT) ? "messages"
                                                            : "input";

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

        if (ngx_http_llm_json_key_is(&k, "model")) {

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

        if (ngx_http_llm_json_key_is(&k, "stream")) {
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

        if (ngx_http_llm_json_key_is(&k, "max_tokens")
            || ngx_http_llm_json_key_is(&k, "max_completion_tokens"))
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
            rc = ngx_http_llm_openai_fallbacks(r, ctx, &doc, &k, &v);
            if (rc != NGX_OK) {
                return rc;
            }

            continue;
        }

        if (ngx_http_llm_json_key_is(&k, "stream_options")) {
            rc = ngx_http_llm_openai_stream_options(r, ctx, &v);
            if (rc != NGX_OK) {
                return rc;
            }

            continue;
        }

        if (ngx_http_llm_json_key_is(&k, prompt)) {
            seen_prompt = 1;

            if (ctx->endpoint == NGX_HTTP_LLM_ENDPOINT_CHAT
                && v.type != NGX_HTTP_LLM_JSON_ARRAY)
            {
                return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST,
                                          "invalid_type",
                                          "\"messages\" must be an array.");
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

            ctx->prompt_bytes = v.end - v.start;
        }
    }

    if (!seen_model) {
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


static ngx_int_t
ngx_http_llm_openai_stream_options(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_json_value_t *v)
{
    u_char                     *body;
    ngx_int_t                   rc;
    ngx_http_llm_json_value_t   iu;

    if (ctx->has_stream_options) {
        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST, "invalid_request",
                                  "\"stream_options\" is given twice.");
    }

    body = ctx->body.data;
    ctx->has_stream_options = 1;

    if (v->type == NGX_HTTP_LLM_JSON_NULL) {
        /* replaced whole when the gateway needs usage */
        ctx->so_null = 1;
        ctx->iu_offset = v->start - body;
        ctx->iu_len = v->end - v->start;
        return NGX_OK;
    }

    if (v->type != NGX_HTTP_LLM_JSON_OBJECT) {
        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST, "invalid_type",
                                  "\"stream_options\" must be an object.");
    }

    ctx->so_offset = v->start + 1 - body;
    ctx->so_empty = (*ngx_http_llm_json_ws(v->start + 1, v->end) == '}');

    rc = ngx_http_llm_json_get(v, "include_usage", &iu);

    if (rc == NGX_DECLINED) {
        return NGX_OK;
    }

    if (rc != NGX_OK
        || (iu.type != NGX_HTTP_LLM_JSON_TRUE
            && iu.type != NGX_HTTP_LLM_JSON_FALSE
            && iu.type != NGX_HTTP_LLM_JSON_NULL))
    {
        return ngx_http_llm_error(r, NGX_HTTP_BAD_REQUEST, "invalid_type",
                                  "\"stream_options.include_usage\" must be "
                                  "a boolean.");
    }

    ctx->has_include_usage = 1;
    ctx->include_usage = (iu.type == NGX_HTTP_LLM_JSON_TRUE);
    ctx->iu_offset = iu.start - body;
    ctx->iu_len = iu.end - iu.start;

    return NGX_OK;
}


/*
 * "fallbacks": ["model", ...], the gateway's own field: the models to try
 * when the requested one fails.  Providers do not know it, so the member
 * is cut from the body, with one of the commas around it.
 */

static ngx_int_t
ngx_http_llm_openai_fallbacks(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
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

    p = ngx_http_llm_json_ws(end, doc->end);

    if (*p == ',') {
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
ngx_http_llm_openai_build_body(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
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

    if (c->model.len != ctx->requested_model.len
        || ngx_strncmp(c->model.data, ctx->requested_model.data,
                       c->model.len) != 0)
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

    if (ctx->stream && !ctx->include_usage) {
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


/* usage from a response document or a stream chunk; the last one wins */

void
ngx_http_llm_openai_usage(ngx_http_llm_ctx_t *ctx, u_char *p, u_char *end)
{
    int64_t                     n;
    ngx_http_llm_json_value_t   doc, usage, v, details;

    doc.start = p;
    doc.end = end;
    doc.type = NGX_HTTP_LLM_JSON_OBJECT;

    if (*p != '{'
        || ngx_http_llm_json_get(&doc, "usage", &usage) != NGX_OK
        || usage.type != NGX_HTTP_LLM_JSON_OBJECT)
    {
        return;
    }

    if (ngx_http_llm_json_get(&usage, "prompt_tokens", &v) != NGX_OK
        || ngx_http_llm_json_int(&v, &n) != NGX_OK)
    {
        return;
    }

    ctx->prompt_tokens = n;
    ctx->completion_tokens = 0;
    ctx->cached_tokens = 0;
    ctx->usage_source = NGX_HTTP_LLM_USAGE_REPORTED;

    if (ngx_http_llm_json_get(&usage, "completion_tokens", &v) == NGX_OK
        && ngx_http_llm_json_int(&v, &n) == NGX_OK)
    {
        ctx->completion_tokens = n;
    }

    if (ngx_http_llm_json_get(&usage, "prompt_tokens_details", &details)
        == NGX_OK
        && ngx_http_llm_json_get(&details, "cached_tokens", &v) == NGX_OK
        && ngx_http_llm_json_int(&v, &n) == NGX_OK)
    {
        ctx->cached_tokens = n;
    }
}


/* the extra chunk include_usage adds: no choices, only usage */

ngx_int_t
ngx_http_llm_openai_usage_only(u_char *p, u_char *end)
{
    ngx_http_llm_json_value_t  doc, v;

    doc.start = p;
    doc.end = end;
    doc.type = NGX_HTTP_LLM_JSON_OBJECT;

    if (ngx_http_llm_json_get(&doc, "choices", &v) != NGX_OK
        || v.type != NGX_HTTP_LLM_JSON_ARRAY
        || *ngx_http_llm_json_ws(v.start + 1, v.end) != ']')
    {
        return 0;
    }

    return ngx_http_llm_json_get(&doc, "usage", &v) == NGX_OK
           && v.type == NGX_HTTP_LLM_JSON_OBJECT;
}


/*
 * GET /v1/models: the models this key may call, as "provider/model".
 * Providers that accept any model or a regex cannot be enumerated; a
 * literal the key names is listed when the provider serves it.
 */

ngx_int_t
ngx_http_llm_openai_models(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    u_char                     *p;
    size_t                      len;
    ngx_str_t                  *id, body, m;
    ngx_uint_t                  i, j, k;
    ngx_array_t                 ids;
    ngx_http_llm_pattern_t     *pat;
    ngx_http_llm_provider_t   **pr;
    ngx_http_llm_main_conf_t   *lmcf;
    ngx_http_llm_key_model_t   *km;

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_llm_module);

    if (ngx_array_init(&ids, r->pool, 8, 2 * sizeof(ngx_str_t)) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    pr = lmcf->providers.elts;
    km = ctx->vkey->models.elts;

    for (i = 0; i < lmcf->providers.nelts; i++) {
        pat = pr[i]->models.elts;

        for (j = 0; j < pr[i]->models.nelts; j++) {
            if (pat[j].any || pat[j].regex || pat[j].prefix) {
                continue;
            }

            if (ngx_http_llm_key_allows(ctx->vkey, pr[i], &pat[j].name)
                && ngx_http_llm_openai_add_model(r, &ids, pr[i],
                                                 &pat[j].name)
                   != NGX_OK)
            {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }
        }

        for (k = 0; k < ctx->vkey->models.nelts; k++) {
            m = km[k].model.name;

            if (km[k].regex || km[k].model.any || km[k].model.regex
                || km[k].model.prefix
                || (km[k].provider.len
                    && (km[k].provider.len != pr[i]->name.len
                        || ngx_strncmp(km[k].provider.data, pr[i]->name.data,
                                       pr[i]->name.len) != 0)))
            {
                continue;
            }

            for (j = 0; j < pr[i]->models.nelts; j++) {
                if (ngx_http_llm_pattern_match(&pat[j], &m)) {
                    if (ngx_http_llm_openai_add_model(r, &ids, pr[i], &m)
                        != NGX_OK)
                    {
                        return NGX_HTTP_INTERNAL_SERVER_ERROR;
                    }

                    break;
                }
            }
        }
    }

    len = sizeof("{\"object\":\"list\",\"data\":[]}\n") - 1;
    id = ids.elts;

    for (i = 0; i < ids.nelts; i++) {
        len += sizeof("{\"id\":\"/\",\"object\":\"model\",\"created\":0,"
                      "\"owned_by\":\"\"},") - 1
               + 2 * ngx_http_llm_json_escape_len(id[2 * i].data,
                                                  id[2 * i].len)
               + ngx_http_llm_json_escape_len(id[2 * i + 1].data,
                                              id[2 * i + 1].len);
    }

    body.data = ngx_pnalloc(r->pool, len);
    if (body.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_http_llm_cpystr(body.data, "{\"object\":\"list\",\"data\":[");

    for (i = 0; i < ids.nelts; i++) {
        if (i) {
            *p++ = ',';
        }

        p = ngx_http_llm_cpystr(p, "{\"id\":\"");
        p = ngx_http_llm_json_escape(p, id[2 * i].data, id[2 * i].len);
        *p++ = '/';
        p = ngx_http_llm_json_escape(p, id[2 * i + 1].data,
                                     id[2 * i + 1].len);
        p = ngx_http_llm_cpystr(p, "\",\"object\":\"model\",\"created\":0,"
                          "\"owned_by\":\"");
        p = ngx_http_llm_json_escape(p, id[2 * i].data, id[2 * i].len);
        p = ngx_http_llm_cpystr(p, "\"}");
    }

    p = ngx_http_llm_cpystr(p, "]}\n");
    body.len = p - body.data;

    return ngx_http_llm_send_json(r, NGX_HTTP_OK, &body);
}


static ngx_int_t
ngx_http_llm_openai_add_model(ngx_http_request_t *r, ngx_array_t *ids,
    ngx_http_llm_provider_t *pr, ngx_str_t *model)
{
    ngx_str_t   *id;
    ngx_uint_t   i;

    id = ids->elts;

    for (i = 0; i < ids->nelts; i++) {
        if (id[2 * i].data == pr->name.data
            && id[2 * i + 1].len == model->len
            && ngx_strncmp(id[2 * i + 1].data, model->data, model->len) == 0)
        {
            return NGX_OK;
        }
    }

    id = ngx_array_push(ids);
    if (id == NULL) {
        return NGX_ERROR;
    }

    id[0] = pr->name;
    id[1] = *model;

    return NGX_OK;
}


/*
 * The length of the text a stream chunk carries (delta content, tool call
 * arguments), for the estimate of a stream cut before its usage came.
 */

size_t
ngx_http_llm_openai_delta_len(u_char *p, u_char *end)
{
    size_t                      n;
    u_char                     *q;
    ngx_uint_t                  i;
    ngx_http_llm_json_value_t   v;

    static const char  *fields[] = { "\"content\"", "\"arguments\"" };

    n = 0;

    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {

        for (q = p; q < end; q = v.end) {
            q = ngx_strlcasestrn(q, end, (u_char *) fields[i],
                                 ngx_strlen(fields[i]) - 1);
            if (q == NULL) {
                break;
            }

            q = ngx_http_llm_json_ws(q + ngx_strlen(fields[i]), end);

            if (q >= end || *q != ':') {
                v.end = q;
                continue;
            }

            if (ngx_http_llm_json_parse(q + 1, end, &v) == NULL) {
                break;
            }

            if (v.type == NGX_HTTP_LLM_JSON_STRING) {
                n += v.end - v.start - 2;
            }
        }
    }

    return n;
}


/*
 * A stream cut before its usage: about four bytes a token, of the prompt
 * sent and of the text streamed.  Marked "estimated", never zero.
 */

void
ngx_http_llm_openai_estimate(ngx_http_llm_ctx_t *ctx)
{
    if (ctx->usage_source != NGX_HTTP_LLM_USAGE_MISSING) {
        return;
    }

    /* a prompt count the provider gave at the start (Anthropic) holds */
    if (ctx->prompt_tokens < 0) {
        ctx->prompt_tokens = (ctx->prompt_bytes + 3) / 4;
        ctx->cached_tokens = 0;
    }

    ctx->completion_tokens = (ctx->streamed + 3) / 4;
    ctx->usage_source = NGX_HTTP_LLM_USAGE_ESTIMATED;
}
