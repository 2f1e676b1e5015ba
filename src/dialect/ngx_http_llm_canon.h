
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_CANON_H_INCLUDED_
#define _NGX_HTTP_LLM_CANON_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <cjson/cJSON.h>
#include "ngx_http_llm_json.h"
#include "ngx_http_llm_shape.h"


/*
 * The canonical model every dialect parses into and renders from, as a
 * cJSON document of this shape (built only when dialects differ):
 *
 * request:
 *   {"model": "...", "system": [PART...],
 *    "messages": [{"role": "user"|"assistant"|"tool", "content": [PART...]}],
 *    "tools": [{"name", "description", "parameters": SCHEMA}],
 *    "tool_choice": "auto"|"none"|"required"|{"name": "..."},
 *    "max_tokens": N, "temperature": X, "top_p": X, "stop": ["..."],
 *    "stream": true|false, "user": "..."}
 *
 * response:
 *   {"id": "...", "model": "...", "content": [PART...],
 *    "stop_reason": "end"|"max_tokens"|"stop"|"tool_calls"|"refusal",
 *    "usage": {"input": N, "output": N, "cache_read": N, "cache_write": N}}
 *
 * "input" counts uncached input tokens only; the cache counts are apart.
 *
 * PART:
 *   {"type": "text", "text": "..."}
 *   {"type": "image", "url": "..."}
 *   {"type": "image", "media_type": "image/png", "data": "BASE64"}
 *   {"type": "tool_call", "id": "...", "name": "...", "arguments": "JSON"}
 *   {"type": "tool_result", "id": "...", "content": [PART...],
 *    "is_error": true|false}
 */


#define NGX_HTTP_LLM_TR_ERRLEN  256


typedef struct {
    char        msg[NGX_HTTP_LLM_TR_ERRLEN];  /* what could not be done */
    char        dropped[NGX_HTTP_LLM_TR_ERRLEN];  /* fields left out */
    const char *code;           /* set when the document is at fault */
    char        path[NGX_HTTP_LLM_SHAPE_PATH];  /* the member at fault */
} ngx_http_llm_tr_err_t;


/* what a translated stream has counted so far */
typedef struct {
    int64_t     input;          /* uncached input tokens */
    int64_t     output;
    int64_t     cache_read;
    int64_t     cache_write;
    size_t      streamed;       /* text bytes, for an estimate if cut */
    unsigned    seen:1;         /* the final output count came */
} ngx_http_llm_stream_usage_t;


cJSON *ngx_http_llm_canon_text(const char *text);
cJSON *ngx_http_llm_canon_image_url(const char *url);
ngx_int_t ngx_http_llm_canon_add(cJSON *array, cJSON *item);
cJSON *ngx_http_llm_canon_message(cJSON *messages, const char *role);
cJSON *ngx_http_llm_canon_turn(cJSON *turns, cJSON **last,
    const char *role, const char *parts);
cJSON *ngx_http_llm_canon_request(cJSON *req,
    const ngx_http_llm_shape_t *shape, const char *model,
    ngx_http_llm_tr_err_t *err);
cJSON *ngx_http_llm_canon_tool_out(cJSON *tool, cJSON *to);
extern const char *const  ngx_http_llm_canon_numbers[][2];
ngx_int_t ngx_http_llm_canon_sampling(cJSON *from, const char *max,
    const char *const numbers[][2], cJSON *canon,
    ngx_http_llm_tr_err_t *err);
cJSON *ngx_http_llm_canon_tool(cJSON *tools, const char *name,
    const char *desc, cJSON *schema);
cJSON *ngx_http_llm_canon_add_int(cJSON *obj, const char *name, int64_t v);
int64_t ngx_http_llm_canon_count(cJSON *usage, const char *name);
ngx_int_t ngx_http_llm_canon_add_usage(cJSON *canon, cJSON *usage,
    const char *const names[][2]);
const char *ngx_http_llm_canon_map(const char *v, const char *const map[][2],
    const char *dflt);
const char *ngx_http_llm_canon_unmap(const char *v,
    const char *const map[][2], const char *dflt);
const char *ngx_http_llm_canon_map_token(ngx_http_llm_json_value_t *v,
    const char *const map[][2], const char *dflt);
const char *ngx_http_llm_canon_str(cJSON *obj, const char *name);
ngx_int_t ngx_http_llm_canon_error(ngx_http_llm_tr_err_t *err,
    const char *fmt, ...);
ngx_int_t ngx_http_llm_canon_check(cJSON *doc,
    const ngx_http_llm_shape_t *shape, ngx_http_llm_tr_err_t *err);
void ngx_http_llm_canon_drop(ngx_http_llm_tr_err_t *err, const char *name);
ngx_int_t ngx_http_llm_provider_error(cJSON *doc, const char **message,
    const char **code);

/* the id and model a stream repeats in its events, as JSON tokens */
#define NGX_HTTP_LLM_TOKEN_LEN  160

void ngx_http_llm_canon_token(ngx_http_llm_json_value_t *obj,
    const char *name, u_char *buf, size_t *len);
ngx_int_t ngx_http_llm_canon_fields(cJSON *obj, const char **known,
    const char **refused, ngx_http_llm_tr_err_t *err);
ngx_int_t ngx_http_llm_canon_stop(cJSON *v, cJSON *canon, const char *name,
    ngx_http_llm_tr_err_t *err);
void ngx_http_llm_canon_usage(ngx_http_llm_stream_usage_t *u,
    ngx_http_llm_json_value_t *usage, const char *const names[4]);

ngx_int_t ngx_http_llm_canon_put(u_char **out, u_char *end, u_char *p,
    size_t n);
ngx_int_t ngx_http_llm_canon_put_int(u_char **out, u_char *end, int64_t v);

/*
 * Stream translators write their events at *out, up to end, with these
 * (in a function with "out" and "end"); no room is NGX_ERROR.
 */

#define ngx_http_llm_put(s)                                                  \
    if (ngx_http_llm_canon_put(out, end, (u_char *) s, sizeof(s) - 1)       \
        != NGX_OK)                                                           \
    {                                                                        \
        return NGX_ERROR;                                                    \
    }

#define ngx_http_llm_put_str(p, n)                                           \
    if (ngx_http_llm_canon_put(out, end, p, n) != NGX_OK) {                  \
        return NGX_ERROR;                                                    \
    }

#define ngx_http_llm_put_int(v)                                              \
    if (ngx_http_llm_canon_put_int(out, end, v) != NGX_OK) {                 \
        return NGX_ERROR;                                                    \
    }

#define ngx_http_llm_put_tok(v)                                              \
    if (ngx_http_llm_canon_put(out, end, (v)->start,                        \
                                (v)->end - (v)->start)                       \
        != NGX_OK)                                                           \
    {                                                                        \
        return NGX_ERROR;                                                    \
    }


/*
 * Another dialect's stream turned into chat.completion.chunk events, one
 * provider event at a time; the state is all a stream keeps (bounded).
 */
typedef struct {
    /* JSON string tokens, quotes included */
    u_char      id[NGX_HTTP_LLM_TOKEN_LEN];
    size_t      id_len;
    u_char      model[NGX_HTTP_LLM_TOKEN_LEN];
    size_t      model_len;
    int64_t     created;
    ngx_http_llm_stream_usage_t  usage;
    ngx_int_t   tool;           /* the open block's tool_calls index */
    ngx_int_t   tools;          /* tool calls so far */
    unsigned    include_usage:1;
    unsigned    started:1;
    unsigned    finished:1;     /* the finish_reason chunk is out */
} ngx_http_llm_chunks_t;


/*
 * A dialect's translators, as a table: a client's side (a surface: its
 * requests read, its answers and events written) and a provider's (its
 * requests written, its answers and events read).  Every stream passes
 * through OpenAI's chat completion chunks, the pivot: a provider's
 * events are read into chunks, and chunks written as a client's events;
 * OpenAI's own reader and writer are NULL.  One instance per dialect
 * file; a translation takes the client's surface and the provider's
 * dialect.
 */

typedef ngx_int_t (*ngx_http_llm_chunks_read_pt)(ngx_http_llm_chunks_t *st,
    u_char *data, size_t len, u_char **out, u_char *end);
typedef ngx_int_t (*ngx_http_llm_chunks_end_pt)(ngx_http_llm_chunks_t *st,
    u_char **out, u_char *end);
/* given: *u is the reader's, to be written; else read into *u */
typedef ngx_int_t (*ngx_http_llm_chunks_write_pt)(void *st,
    ngx_http_llm_stream_usage_t *u, ngx_uint_t given, u_char *data,
    size_t len, u_char **out, u_char *end);
typedef ngx_int_t (*ngx_http_llm_observe_pt)(ngx_http_llm_stream_usage_t *u,
    u_char *data, size_t len);

typedef struct {
    /* a client's side */
    cJSON                        *(*parse_request)(cJSON *req,
                                      const char *model, ngx_uint_t stream,
                                      ngx_http_llm_tr_err_t *err);
    cJSON                        *(*write_response)(cJSON *canon,
                                      int64_t created,
                                      ngx_http_llm_tr_err_t *err);
    ngx_http_llm_chunks_write_pt    stream_write;
    size_t                          write_size;     /* its state's */
    size_t                        (*write_pending)(void *st);
    void                          (*write_free)(void *st);

    /* a provider's side */
    cJSON                        *(*render_request)(cJSON *canon,
                                      int64_t default_max_tokens,
                                      ngx_http_llm_tr_err_t *err);
    cJSON                        *(*read_response)(cJSON *resp,
                                      ngx_http_llm_tr_err_t *err);
    ngx_http_llm_chunks_read_pt     stream_read;
    /* at the body's end, for a stream with no end marker of its own */
    ngx_http_llm_chunks_end_pt      stream_end;
    /* passed through to a client of the dialect: its usage only */
    ngx_http_llm_observe_pt         observe_stream;
    ngx_http_llm_observe_pt         observe_answer;

    unsigned                        model_in_url:1;  /* not in the body */
    unsigned                        no_model:1;      /* in its answers */
} ngx_http_llm_dialect_t;


#endif /* _NGX_HTTP_LLM_CANON_H_INCLUDED_ */
