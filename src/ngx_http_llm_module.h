
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_MODULE_H_INCLUDED_
#define _NGX_HTTP_LLM_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


#define NGX_HTTP_LLM_DIALECT_OPENAI       1

#define NGX_HTTP_LLM_PROVIDER_OPENAI      1
#define NGX_HTTP_LLM_PROVIDER_MOCK        2

#define NGX_HTTP_LLM_ENDPOINT_CHAT        1
#define NGX_HTTP_LLM_ENDPOINT_EMBEDDINGS  2
#define NGX_HTTP_LLM_ENDPOINT_MODELS      3

#define NGX_HTTP_LLM_USAGE_MISSING        0
#define NGX_HTTP_LLM_USAGE_REPORTED       1
#define NGX_HTTP_LLM_USAGE_ESTIMATED      2

/* the largest SSE event or non-stream response body we interpret */
#define NGX_HTTP_LLM_MAX_EVENT            (1024 * 1024)
#define NGX_HTTP_LLM_MAX_RESPONSE         (16 * 1024 * 1024)
#define NGX_HTTP_LLM_MAX_CANDIDATES       16
#define NGX_HTTP_LLM_MAX_EDITS            3

/*
 * $llm_overhead: nanoseconds spent in the module's own code per request,
 * on CLOCK_MONOTONIC (a vDSO call, some 20 ns).
 */
#define ngx_http_llm_ns()                                                    \
    ngx_http_llm_clock_ns()
#define ngx_http_llm_overhead(ctx, t0)                                       \
    (ctx)->overhead += ngx_http_llm_clock_ns() - (t0)

static ngx_inline uint64_t
ngx_http_llm_clock_ns(void)
{
    struct timespec  ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);

    return (uint64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* copies a string literal, its length counted by the compiler */
#define ngx_http_llm_cpystr(p, s)  ngx_cpymem(p, s, sizeof(s) - 1)


typedef struct {
    ngx_str_t                      name;     /* literal, or the regex text */
    ngx_regex_t                   *regex;
    unsigned                       any:1;
    unsigned                       prefix:1;   /* "name*" */
} ngx_http_llm_pattern_t;


typedef struct ngx_http_llm_state_s  ngx_http_llm_state_t;


typedef struct {
    ngx_str_t                      value;    /* the secret */
    ngx_str_t                      env;      /* env:NAME, resolved per worker */
    ngx_uint_t                     weight;
    ngx_http_llm_state_t          *state;    /* its cooldown, shared */
} ngx_http_llm_api_key_t;


typedef struct ngx_http_llm_keepalive_s  ngx_http_llm_keepalive_t;


typedef struct {
    ngx_str_t                      name;
    ngx_uint_t                     type;

    ngx_str_t                      url;
    ngx_str_t                      base_path;  /* "/v1", no trailing slash */
    ngx_str_t                      host;       /* Host header, SNI, verify */
    ngx_http_upstream_srv_conf_t  *upstream;
    ngx_http_llm_keepalive_t      *keepalive;  /* implicit upstreams only */
    ngx_uint_t                     keepalive_max;
    unsigned                       ssl:1;
    unsigned                       disabled:1; /* its env: keys are unset */

    ngx_array_t                    api_keys;   /* ngx_http_llm_api_key_t */
    ngx_array_t                    models;     /* ngx_http_llm_pattern_t */
    ngx_uint_t                     weight;

    ngx_msec_t                     connect_timeout;
    ngx_msec_t                     send_timeout;
    ngx_msec_t                     first_token_timeout;
    ngx_msec_t                     idle_timeout;

    ngx_msec_t                     cooldown;   /* a 429, 401 or 403 key */
    ngx_uint_t                     breaker_failures;   /* 0: off */
    ngx_msec_t                     breaker_cooldown;
    ngx_http_llm_state_t          *state;      /* shared */

    /* mock */
    ngx_msec_t                     latency;
    ngx_uint_t                     stream_events;
} ngx_http_llm_provider_t;


typedef struct {
    ngx_str_t                      provider;   /* empty: any provider */
    ngx_http_llm_pattern_t         model;
    ngx_regex_t                   *regex;      /* ~re on "provider/model" */
} ngx_http_llm_key_model_t;


typedef struct {
    ngx_str_t                      name;
    u_char                         sha256[32];
    ngx_array_t                    models;     /* ngx_http_llm_key_model_t */
    ngx_array_t                    metadata;   /* ngx_keyval_t */
    ngx_array_t                    fallbacks;  /* ngx_str_t, models */
    ngx_str_t                      file;
    ngx_uint_t                     fallbacks_line;
    unsigned                       has_secret:1;
} ngx_http_llm_vkey_t;


typedef struct {
    ngx_array_t                    providers;  /* ngx_http_llm_provider_t * */
    ngx_array_t                    vkeys;      /* ngx_http_llm_vkey_t * */
    ngx_hash_t                     vkey_hash;  /* hex sha256 -> vkey */

    ngx_str_t                      trusted_certificate;
    ngx_ssl_t                     *ssl;

    ngx_http_upstream_srv_conf_t  *uscf;       /* the composite balancer */
    ngx_shm_zone_t                *shm_zone;
} ngx_http_llm_main_conf_t;


typedef struct {
    ngx_http_upstream_conf_t       upstream;
    ngx_uint_t                     gateway;    /* dialect, 0: off */
    size_t                         max_body_size;
} ngx_http_llm_loc_conf_t;


typedef struct {
    ngx_http_llm_provider_t       *provider;
    ngx_str_t                      model;      /* as the provider names it */
    ngx_http_llm_api_key_t        *api_key;    /* the current attempt's */
    uint32_t                       keys_tried; /* a bit per api_key */
    ngx_uint_t                     left;       /* attempts it may still get */
    unsigned                       probe:1;    /* a half-open breaker probe */

    /* the child balancer state, saved by the composite balancer */
    ngx_event_get_peer_pt          get;
    ngx_event_free_peer_pt         free;
    void                          *data;
    ngx_uint_t                     tries;
#if (NGX_HTTP_SSL)
    ngx_event_set_peer_session_pt  set_session;
    ngx_event_save_peer_session_pt save_session;
#endif
} ngx_http_llm_candidate_t;


/* what one attempt came to, for the error that lists them */
typedef struct {
    ngx_http_llm_provider_t       *provider;
    ngx_uint_t                     status;     /* 0: no HTTP answer */
} ngx_http_llm_attempt_t;


/* a span of the request body to replace with new bytes */
typedef struct {
    size_t                         offset;
    size_t                         remove;
    ngx_str_t                      insert;
} ngx_http_llm_edit_t;


typedef struct {
    ngx_http_request_t            *request;
    ngx_http_llm_loc_conf_t       *lcf;
    ngx_http_llm_vkey_t           *vkey;
    ngx_uint_t                     endpoint;

    /* the request, as parsed from the client's body */
    ngx_str_t                      body;
    ngx_str_t                      requested_model;
    size_t                         model_offset;  /* the model string token */
    size_t                         model_len;
    size_t                         object_offset; /* first byte after '{' */
    size_t                         so_offset;     /* inside stream_options */
    size_t                         iu_offset;     /* include_usage value */
    size_t                         iu_len;
    size_t                         prompt_bytes;
    size_t                         fallbacks_offset; /* the array value */
    size_t                         fallbacks_len;
    size_t                         fb_member_offset; /* removed upstream */
    size_t                         fb_member_len;
    unsigned                       stream:1;
    unsigned                       has_stream_options:1;
    unsigned                       so_null:1;
    unsigned                       so_empty:1;
    unsigned                       has_include_usage:1;
    unsigned                       include_usage:1;

    /* routing */
    ngx_http_llm_candidate_t       candidates[NGX_HTTP_LLM_MAX_CANDIDATES];
    ngx_uint_t                     ncandidates;
    ngx_uint_t                     current;
    ngx_http_llm_provider_t       *provider;   /* the current attempt's */
    ngx_uint_t                     attempts;
    ngx_http_llm_attempt_t         tried[NGX_HTTP_LLM_MAX_CANDIDATES];
    ngx_uint_t                     ntried;
    ngx_http_upstream_conf_t      *conf;       /* per-request clone */
    ngx_uint_t                     keepalive_hit;
    ngx_msec_t                     retry_after; /* from the provider */

    /* the response */
    ngx_http_status_t              status;
    ngx_http_chunked_t             chunked;
    off_t                          length;     /* provider content length */
    unsigned                       chunked_body:1;
    unsigned                       sse:1;
    unsigned                       strip_usage:1;
    unsigned                       done_seen:1;
    unsigned                       error_page:1;
    unsigned                       first_byte:1;
    unsigned                       header_done:1;

    u_char                        *carry;      /* a partial SSE event */
    size_t                         carry_len;
    size_t                         carry_size;
    size_t                         carry_scan;

    u_char                        *peek;       /* the first event, seen */

    u_char                        *resp;       /* a non-stream body copy */
    size_t                         resp_len;
    size_t                         resp_size;

    /* what we learnt, for variables and accounting */
    ngx_int_t                      prompt_tokens;
    ngx_int_t                      completion_tokens;
    ngx_int_t                      cached_tokens;
    ngx_uint_t                     usage_source;
    size_t                         streamed;   /* text bytes streamed */
    ngx_msec_t                     ttft;
    unsigned                       ttft_set:1;
    uint64_t                       overhead;   /* ns in the module */
    ngx_int_t                    (*process)(ngx_http_request_t *r);

    /* an error the gateway answers with */
    ngx_uint_t                     err_status;
    ngx_str_t                      err_type;
    ngx_str_t                      err_code;
    ngx_str_t                      err_message;
    ngx_str_t                      err_body;    /* replaces nginx's page */

    ngx_event_t                    mock_timer;
} ngx_http_llm_ctx_t;


/* configuration (ngx_http_llm_conf.c) */
char *ngx_http_llm_provider_block(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_llm_vkey_block(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_llm_init_vkey_hash(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf);
ngx_int_t ngx_http_llm_init_providers(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf);
ngx_int_t ngx_http_llm_resolve_env_keys(ngx_cycle_t *cycle,
    ngx_http_llm_main_conf_t *lmcf);
ngx_int_t ngx_http_llm_pattern_match(ngx_http_llm_pattern_t *p,
    ngx_str_t *s);
ngx_int_t ngx_http_llm_key_allows(ngx_http_llm_vkey_t *vk,
    ngx_http_llm_provider_t *pr, ngx_str_t *model);
ngx_int_t ngx_http_llm_provider_serves(ngx_http_llm_provider_t *pr,
    ngx_str_t *model);
ngx_int_t ngx_http_llm_check_fallbacks(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf);
ngx_http_llm_provider_t *ngx_http_llm_find_provider(
    ngx_http_llm_main_conf_t *lmcf, ngx_str_t *name);

/* request handling (ngx_http_llm_handler.c) */
ngx_int_t ngx_http_llm_handler(ngx_http_request_t *r);

/* errors (ngx_http_llm_error.c) */
ngx_int_t ngx_http_llm_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *fmt, ...);
ngx_int_t ngx_http_llm_error_filter_init(ngx_conf_t *cf);
ngx_int_t ngx_http_llm_render_error(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_uint_t status, ngx_str_t *out, ngx_uint_t sse);
ngx_int_t ngx_http_llm_send_json(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *body);

/* upstream (ngx_http_llm_upstream.c) */
ngx_int_t ngx_http_llm_upstream_start(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);
ngx_int_t ngx_http_llm_upstream_init_peer(ngx_http_request_t *r,
    ngx_http_upstream_srv_conf_t *us);
ngx_http_upstream_srv_conf_t *ngx_http_llm_upstream_create_uscf(
    ngx_conf_t *cf);
ngx_int_t ngx_http_llm_upstream_init_conf(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf, ngx_http_upstream_conf_t *conf,
    ngx_http_upstream_conf_t *prev);

/* the provider's response body (ngx_http_llm_response.c) */
ngx_int_t ngx_http_llm_filter_init(void *data);
ngx_int_t ngx_http_llm_filter(void *data, ssize_t bytes);
void ngx_http_llm_response_done(ngx_http_llm_ctx_t *ctx);

/* shared state (ngx_http_llm_shm.c) */
char *ngx_http_llm_zone(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_int_t ngx_http_llm_zone_default(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf);
ngx_int_t ngx_http_llm_cooling(ngx_http_llm_state_t *st);
void ngx_http_llm_cool(ngx_http_llm_state_t *st, ngx_msec_t ms);
ngx_int_t ngx_http_llm_breaker_allow(ngx_http_llm_provider_t *pr,
    ngx_uint_t *probe);
void ngx_http_llm_breaker_report(ngx_http_llm_provider_t *pr, ngx_uint_t ok,
    ngx_log_t *log);

/* provider connection cache (ngx_http_llm_keepalive.c) */
ngx_http_llm_keepalive_t *ngx_http_llm_keepalive_create(ngx_conf_t *cf,
    ngx_uint_t max);
ngx_int_t ngx_http_llm_keepalive_get(ngx_http_llm_keepalive_t *ka,
    ngx_peer_connection_t *pc, ngx_pool_t *pool);
ngx_int_t ngx_http_llm_keepalive_save(ngx_http_llm_keepalive_t *ka,
    ngx_peer_connection_t *pc, ngx_http_upstream_t *u, ngx_uint_t state);

/* OpenAI dialect (ngx_http_llm_openai.c) */
ngx_int_t ngx_http_llm_openai_parse_request(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);
ngx_int_t ngx_http_llm_openai_build_body(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx, ngx_http_llm_candidate_t *c, ngx_chain_t ***ll,
    off_t *len);
void ngx_http_llm_openai_usage(ngx_http_llm_ctx_t *ctx, u_char *p,
    u_char *end);
ngx_int_t ngx_http_llm_openai_usage_only(u_char *p, u_char *end);
size_t ngx_http_llm_openai_delta_len(u_char *p, u_char *end);
void ngx_http_llm_openai_estimate(ngx_http_llm_ctx_t *ctx);
ngx_int_t ngx_http_llm_openai_models(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);

/* mock provider (ngx_http_llm_mock.c) */
ngx_int_t ngx_http_llm_mock_start(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);

/* milliseconds since the request began (r->start_msec is a wall-clock part) */
ngx_msec_t ngx_http_llm_elapsed(ngx_http_request_t *r);

/* variables (ngx_http_llm_variables.c) */
ngx_int_t ngx_http_llm_add_variables(ngx_conf_t *cf);


extern ngx_module_t  ngx_http_llm_module;


#endif /* _NGX_HTTP_LLM_MODULE_H_INCLUDED_ */
