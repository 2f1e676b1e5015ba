
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_error.h"
#include "ngx_http_llm_json.h"


/*
 * Every error a gateway location answers with, whether the module decided
 * it (401, 403, 400, ...) or nginx did (413 for a chunked body, 502 and 504
 * when every provider failed), goes through nginx's special response path;
 * these filters replace nginx's HTML page with an error in the dialect of
 * the surface the client called.
 */


typedef struct {
    ngx_uint_t   status;
    const char  *type;
    const char  *code;
    const char  *message;
    const char  *anthropic;     /* Anthropic's error type */
    const char  *gemini;        /* Google's status */
} ngx_http_llm_error_default_t;


/* an error document in one dialect's shape, written at p */
typedef u_char *(*ngx_http_llm_error_write_pt)(u_char *p, ngx_uint_t status,
    ngx_str_t *msg, ngx_str_t *type, ngx_str_t *code, ngx_str_t *param);

typedef struct {
    size_t                        type;     /* the defaults' column */
    ngx_str_t                     event;    /* an SSE event line */
    ngx_http_llm_error_write_pt   write;
} ngx_http_llm_error_dialect_t;


static ngx_int_t ngx_http_llm_error_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_llm_error_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_http_llm_error_default_t *ngx_http_llm_error_default(
    ngx_uint_t status);
static u_char *ngx_http_llm_error_openai(u_char *p, ngx_uint_t status,
    ngx_str_t *msg, ngx_str_t *type, ngx_str_t *code, ngx_str_t *param);
static u_char *ngx_http_llm_error_anthropic(u_char *p, ngx_uint_t status,
    ngx_str_t *msg, ngx_str_t *type, ngx_str_t *code, ngx_str_t *param);
static u_char *ngx_http_llm_error_gemini(u_char *p, ngx_uint_t status,
    ngx_str_t *msg, ngx_str_t *type, ngx_str_t *code, ngx_str_t *param);


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;
static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;


/* by the client's dialect (llm_gateway) */
static ngx_http_llm_error_dialect_t  ngx_http_llm_error_dialects[] = {
    { 0, ngx_null_string, NULL },
    { offsetof(ngx_http_llm_error_default_t, type), ngx_string(""),
      ngx_http_llm_error_openai },
    { offsetof(ngx_http_llm_error_default_t, anthropic),
      ngx_string("event: error\n"), ngx_http_llm_error_anthropic },
    { offsetof(ngx_http_llm_error_default_t, gemini), ngx_string(""),
      ngx_http_llm_error_gemini }
};


static ngx_http_llm_error_default_t  ngx_http_llm_error_defaults[] = {
    { 400, "invalid_request_error", "invalid_request",
      "The request could not be understood.",
      "invalid_request_error",
      "INVALID_ARGUMENT" },
    { 401, "authentication_error", "invalid_api_key",
      "Missing or invalid API key.",
      "authentication_error",
      "UNAUTHENTICATED" },
    { 402, "insufficient_quota", "budget_exceeded",
      "The budget is exhausted.",
      "billing_error",
      "RESOURCE_EXHAUSTED" },
    { 403, "permission_error", "model_not_allowed",
      "The model is not allowed for this key.",
      "permission_error",
      "PERMISSION_DENIED" },
    { 404, "invalid_request_error", "unknown_url",
      "Unknown endpoint.",
      "not_found_error",
      "NOT_FOUND" },
    { 405, "invalid_request_error", "method_not_allowed",
      "Method not allowed.",
      "invalid_request_error",
      "INVALID_ARGUMENT" },
    { 408, "invalid_request_error", "request_timeout",
      "The client did not send the request in time.",
      "timeout_error",
      "DEADLINE_EXCEEDED" },
    { 413, "invalid_request_error", "request_too_large",
      "The request body is too large.",
      "request_too_large",
      "INVALID_ARGUMENT" },
    { 429, "rate_limit_error", "rate_limit_exceeded",
      "Too many requests.",
      "rate_limit_error",
      "RESOURCE_EXHAUSTED" },
    { 500, "api_error", "internal_error",
      "The gateway failed to process the request.",
      "api_error",
      "INTERNAL" },
    { 502, "api_error", "upstream_failed",
      "Every provider failed to answer.",
      "api_error",
      "UNAVAILABLE" },
    { 503, "api_error", "upstream_failed",
      "No provider is available.",
      "overloaded_error",
      "UNAVAILABLE" },
    { 504, "api_error", "upstream_failed",
      "The provider timed out.",
      "timeout_error",
      "DEADLINE_EXCEEDED" },
    { 0, "api_error", "error", "Error.", "api_error",
      "UNKNOWN" }
};


ngx_int_t
ngx_http_llm_error_filter_init(ngx_conf_t *cf)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_llm_error_header_filter;

    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_llm_error_body_filter;

    return NGX_OK;
}


/* records what to tell the client and returns the status to finalize with */

ngx_int_t
ngx_http_llm_error(ngx_http_request_t *r, ngx_uint_t status, const char *code,
    const char *fmt, ...)
{
    u_char              *p, *q, buf[1024];
    va_list              args;
    ngx_http_llm_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);
    if (ctx == NULL) {
        return status;
    }

    va_start(args, fmt);
    p = ngx_vslprintf(buf, buf + sizeof(buf), fmt, args);
    va_end(args);

    ctx->err_message.len = p - buf;
    ctx->err_message.data = ngx_pnalloc(r->pool, p - buf);
    if (ctx->err_message.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(ctx->err_message.data, buf, p - buf);

    ctx->err_status = status;

    if (code) {
        ctx->err_code.data = (u_char *) code;
        ctx->err_code.len = ngx_strlen(code);
    }

    /* the message may quote the client's strings: no forged log lines */
    for (q = buf; q < p; q++) {
        if (*q < 0x20 || *q == 0x7f) {
            *q = '?';
        }
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "llm: %ui %*s", status, p - buf, buf);

    return status;
}


static ngx_http_llm_error_default_t *
ngx_http_llm_error_default(ngx_uint_t status)
{
    ngx_http_llm_error_default_t  *d;

    for (d = ngx_http_llm_error_defaults; d->status; d++) {
        if (d->status == status) {
            return d;
        }
    }

    return d;
}


/*
 * The error document in the client's dialect, by its row in
 * ngx_http_llm_error_dialects; as an SSE event when a stream has already
 * begun.
 */

ngx_int_t
ngx_http_llm_render_error(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx,
    ngx_uint_t status, ngx_str_t *out, ngx_uint_t sse)
{
    u_char                        *p;
    size_t                         len;
    ngx_str_t                      msg, type, code, param;
    ngx_http_llm_loc_conf_t       *llcf;
    ngx_http_llm_error_dialect_t  *ed;
    ngx_http_llm_error_default_t  *d;

    d = ngx_http_llm_error_default(status);
    llcf = ngx_http_get_module_loc_conf(r, ngx_http_llm_module);
    ed = &ngx_http_llm_error_dialects[llcf->gateway];

    type.data = *(u_char **) ((char *) d + ed->type);
    type.len = ngx_strlen(type.data);

    if (ctx && ctx->err_status == status && ctx->err_message.len) {
        msg = ctx->err_message;

    } else {
        msg.data = (u_char *) d->message;
        msg.len = ngx_strlen(d->message);
    }

    if (ctx && ctx->err_status == status && ctx->err_code.len) {
        code = ctx->err_code;

    } else {
        code.data = (u_char *) d->code;
        code.len = ngx_strlen(d->code);
    }

    ngx_str_null(&param);

    if (ctx && ctx->err_status == status) {
        param = ctx->err_param;
    }

    /* the longest shape, Google's */
    len = sizeof("event: error\ndata: {\"error\":{\"code\":,"
                 "\"message\":\"\",\"status\":\"\",\"details\":[{\"@type\":"
                 "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":"
                 "\"\",\"domain\":\"ngx_http_llm_module\"}]}}\n\n") - 1
          + NGX_INT_T_LEN + ngx_http_llm_json_escape_len(msg.data, msg.len)
          + type.len + code.len
          + ngx_http_llm_json_escape_len(param.data, param.len) + 2;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    out->data = p;

    if (sse) {
        p = ngx_cpymem(p, ed->event.data, ed->event.len);
        p = ngx_http_llm_cpystr(p, "data: ");
    }

    p = ed->write(p, status, &msg, &type, &code, &param);

    *p++ = '\n';

    if (sse) {
        *p++ = '\n';
    }

    out->len = p - out->data;

    return NGX_OK;
}


static u_char *
ngx_http_llm_error_openai(u_char *p, ngx_uint_t status, ngx_str_t *msg,
    ngx_str_t *type, ngx_str_t *code, ngx_str_t *param)
{
    p = ngx_http_llm_cpystr(p, "{\"error\":{\"message\":\"");
    p = ngx_http_llm_json_escape(p, msg->data, msg->len);
    p = ngx_sprintf(p, "\",\"type\":\"%V\",\"param\":", type);

    if (param->len) {
        *p++ = '"';
        p = ngx_http_llm_json_escape(p, param->data, param->len);
        *p++ = '"';

    } else {
        p = ngx_http_llm_cpystr(p, "null");
    }

    return ngx_sprintf(p, ",\"code\":\"%V\"}}", code);
}


/*
 * Anthropic's shape has no code: the message carries the gateway's
 * meaning, the status and type the SDK's.
 */

static u_char *
ngx_http_llm_error_anthropic(u_char *p, ngx_uint_t status, ngx_str_t *msg,
    ngx_str_t *type, ngx_str_t *code, ngx_str_t *param)
{
    p = ngx_sprintf(p, "{\"type\":\"error\",\"error\":{\"type\":\"%V\","
                    "\"message\":\"", type);
    p = ngx_http_llm_json_escape(p, msg->data, msg->len);

    return ngx_http_llm_cpystr(p, "\"}}");
}


/* Google's carries the gateway's code as an ErrorInfo reason */

static u_char *
ngx_http_llm_error_gemini(u_char *p, ngx_uint_t status, ngx_str_t *msg,
    ngx_str_t *type, ngx_str_t *code, ngx_str_t *param)
{
    p = ngx_sprintf(p, "{\"error\":{\"code\":%ui,\"message\":\"", status);
    p = ngx_http_llm_json_escape(p, msg->data, msg->len);

    return ngx_sprintf(p, "\",\"status\":\"%V\",\"details\":[{\"@type\":"
                       "\"type.googleapis.com/google.rpc.ErrorInfo\","
                       "\"reason\":\"%V\",\"domain\":"
                       "\"ngx_http_llm_module\"}]}}", type, code);
}


ngx_int_t
ngx_http_llm_send_json(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *body)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    r->headers_out.status = status;
    r->headers_out.content_length_n = body->len;
    ngx_str_set(&r->headers_out.content_type, "application/json");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = body->data;
    b->last = body->data + body->len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


static ngx_int_t
ngx_http_llm_error_header_filter(ngx_http_request_t *r)
{
    ngx_str_t                 body;
    ngx_http_llm_ctx_t       *ctx;
    ngx_http_llm_loc_conf_t  *llcf;

    if (r != r->main || r->err_status < NGX_HTTP_BAD_REQUEST) {
        return ngx_http_next_header_filter(r);
    }

    llcf = ngx_http_get_module_loc_conf(r, ngx_http_llm_module);

    if (llcf == NULL || !llcf->gateway) {
        return ngx_http_next_header_filter(r);
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);

    if (ctx == NULL) {
        /* e.g. a 413 nginx answered before the gateway's handler ran */

        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_llm_ctx_t));
        if (ctx == NULL) {
            return NGX_ERROR;
        }

        ctx->request = r;
        ngx_http_set_ctx(r, ctx, ngx_http_llm_module);
    }

    /* the gateway may know better: every provider answered 429, say */
    if (ctx->err_status && ctx->err_status != r->headers_out.status) {
        r->headers_out.status = ctx->err_status;
        r->headers_out.status_line.len = 0;
    }

    if (ngx_http_llm_render_error(r, ctx, r->headers_out.status, &body, 0)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ctx->err_status = r->headers_out.status;
    ctx->err_body = body;
    ctx->error_page = 1;

    r->headers_out.content_length_n = body.len;
    ngx_str_set(&r->headers_out.content_type, "application/json");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    return ngx_http_next_header_filter(r);
}


static ngx_int_t
ngx_http_llm_error_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_buf_t           *b;
    ngx_chain_t          out, *cl;
    ngx_http_llm_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_llm_module);

    if (ctx == NULL || !ctx->error_page || r != r->main) {
        return ngx_http_next_body_filter(r, in);
    }

    for (cl = in; cl; cl = cl->next) {
        cl->buf->pos = cl->buf->last;
    }

    if (ctx->err_body.data == NULL) {
        /* already sent */
        return NGX_OK;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = ctx->err_body.data;
    b->last = ctx->err_body.data + ctx->err_body.len;
    b->memory = 1;
    b->last_buf = 1;
    b->last_in_chain = 1;

    ngx_str_null(&ctx->err_body);

    out.buf = b;
    out.next = NULL;

    return ngx_http_next_body_filter(r, &out);
}
