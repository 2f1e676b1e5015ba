
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_CANON_H_INCLUDED_
#define _NGX_HTTP_LLM_CANON_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <cjson/cJSON.h>


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
} ngx_http_llm_tr_err_t;


cJSON *ngx_http_llm_canon_text(const char *text);
cJSON *ngx_http_llm_canon_image_url(const char *url);
ngx_int_t ngx_http_llm_canon_add(cJSON *array, cJSON *item);
cJSON *ngx_http_llm_canon_add_int(cJSON *obj, const char *name, int64_t v);
int64_t ngx_http_llm_canon_count(cJSON *usage, const char *name);
const char *ngx_http_llm_canon_map(const char *v, const char *const map[][2],
    const char *dflt);
const char *ngx_http_llm_canon_str(cJSON *obj, const char *name);
ngx_int_t ngx_http_llm_canon_error(ngx_http_llm_tr_err_t *err,
    const char *fmt, ...);

/* OpenAI chat completions (ngx_http_llm_openai_canon.c) */
cJSON *ngx_http_llm_openai_request_to_canon(cJSON *req,
    ngx_http_llm_tr_err_t *err);
cJSON *ngx_http_llm_canon_to_openai_response(cJSON *canon,
    int64_t created);
const char *ngx_http_llm_openai_finish_reason(const char *reason);

/*
 * A Messages stream turned into chat.completion.chunk events, one provider
 * event at a time; the state is all a stream keeps (bounded).
 */
typedef struct {
    u_char      id[160];        /* JSON string tokens, quotes included */
    size_t      id_len;
    u_char      model[160];
    size_t      model_len;
    int64_t     created;
    int64_t     input;          /* usage so far */
    int64_t     output;
    int64_t     cache_read;
    int64_t     cache_write;
    size_t      streamed;       /* text bytes, for an estimate if cut */
    ngx_int_t   tool;           /* the open block's tool_calls index */
    ngx_int_t   tools;          /* tool calls so far */
    unsigned    include_usage:1;
    unsigned    started:1;
    unsigned    usage_seen:1;
} ngx_http_llm_anthropic_stream_t;

/* Anthropic messages (ngx_http_llm_anthropic.c) */
ngx_int_t ngx_http_llm_anthropic_stream_event(
    ngx_http_llm_anthropic_stream_t *st, u_char *data, size_t len,
    u_char **out, u_char *end);
cJSON *ngx_http_llm_canon_to_anthropic_request(cJSON *canon,
    int64_t default_max_tokens, ngx_http_llm_tr_err_t *err);
cJSON *ngx_http_llm_anthropic_response_to_canon(cJSON *resp,
    ngx_http_llm_tr_err_t *err);
cJSON *ngx_http_llm_anthropic_error_to_openai(cJSON *resp,
    ngx_uint_t status);


#endif /* _NGX_HTTP_LLM_CANON_H_INCLUDED_ */
