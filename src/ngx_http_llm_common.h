
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_COMMON_H_INCLUDED_
#define _NGX_HTTP_LLM_COMMON_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_window.h"
#include "ngx_http_llm_money.h"


#define NGX_HTTP_LLM_DIALECT_OPENAI       1
#define NGX_HTTP_LLM_DIALECT_ANTHROPIC    2
#define NGX_HTTP_LLM_DIALECT_GEMINI       3
#define NGX_HTTP_LLM_DIALECT_BEDROCK      4    /* providers only */
#define NGX_HTTP_LLM_DIALECTS             5    /* array size, by dialect */

#define NGX_HTTP_LLM_PROVIDER_OPENAI      1
#define NGX_HTTP_LLM_PROVIDER_MOCK        2
#define NGX_HTTP_LLM_PROVIDER_ANTHROPIC   3
#define NGX_HTTP_LLM_PROVIDER_AZURE       4
#define NGX_HTTP_LLM_PROVIDER_GEMINI      5
#define NGX_HTTP_LLM_PROVIDER_BEDROCK     6
#define NGX_HTTP_LLM_PROVIDER_VERTEX      7

#define NGX_HTTP_LLM_ENDPOINT_CHAT        1
#define NGX_HTTP_LLM_ENDPOINT_EMBEDDINGS  2
#define NGX_HTTP_LLM_ENDPOINT_MODELS      3
#define NGX_HTTP_LLM_ENDPOINT_COUNT_TOKENS 4

#define NGX_HTTP_LLM_USAGE_MISSING        0
#define NGX_HTTP_LLM_USAGE_REPORTED       1
#define NGX_HTTP_LLM_USAGE_ESTIMATED      2

/* nginx has no name for it: budgets answer 402, which SDKs do not retry */
#define NGX_HTTP_LLM_PAYMENT_REQUIRED     402

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


/* budgets and limits, on every tier */

#define NGX_HTTP_LLM_LIMIT_BUDGET         1
#define NGX_HTTP_LLM_LIMIT_REQUESTS       2
#define NGX_HTTP_LLM_LIMIT_TOKENS         3
#define NGX_HTTP_LLM_LIMIT_CONCURRENCY    4

#define NGX_HTTP_LLM_TIER_KEY             0
#define NGX_HTTP_LLM_TIER_TEAM            1
#define NGX_HTTP_LLM_TIER_CUSTOMER        2
#define NGX_HTTP_LLM_TIER_PROVIDER        3

/* a key, its team and its customer */
#define NGX_HTTP_LLM_MAX_TIERS            3


typedef struct ngx_http_llm_counter_s  ngx_http_llm_counter_t;


typedef struct {
    ngx_uint_t                     kind;
    ngx_uint_t                     window;   /* 0 for concurrency */
    int64_t                        max;      /* nano-USD, requests, tokens */
    ngx_uint_t                     alert;    /* percent, 0: none */
    ngx_http_llm_counter_t        *counter;  /* shared, by stable name */
} ngx_http_llm_limit_t;


typedef struct ngx_http_llm_entity_s  ngx_http_llm_entity_t;

struct ngx_http_llm_entity_s {
    ngx_str_t                      name;
    ngx_uint_t                     tier;
    ngx_array_t                    limits;   /* ngx_http_llm_limit_t */
    ngx_array_t                    metadata; /* ngx_keyval_t */
    ngx_http_llm_entity_t         *parent;   /* team or customer */
    ngx_str_t                      team;     /* as configured */
    ngx_str_t                      customer;
    ngx_str_t                      file;
    ngx_uint_t                     line;
};


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
typedef struct ngx_http_llm_vertex_s  ngx_http_llm_vertex_t;
typedef struct ngx_http_llm_provider_ops_s  ngx_http_llm_provider_ops_t;


typedef struct {
    ngx_str_t                      name;
    ngx_uint_t                     type;
    const ngx_http_llm_provider_ops_t  *ops;   /* what its type does */

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
    ngx_http_llm_entity_t          entity;     /* its budgets and limits */
    ngx_str_t                      anthropic_version;
    ngx_str_t                      api_version;   /* azure */
    ngx_array_t                    deployments;   /* azure: ngx_keyval_t */
    ngx_str_t                      region;        /* bedrock */
    ngx_http_llm_api_key_t         aws[3];        /* bedrock: the access
                                                   * key id, secret, and
                                                   * session token */
    ngx_str_t                      project;       /* vertex */
    ngx_str_t                      location;
    ngx_str_t                      credentials;   /* the key file's text */
    ngx_http_llm_vertex_t         *vertex;

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
    ngx_http_llm_entity_t          entity;
    ngx_array_t                    models;     /* ngx_http_llm_key_model_t */
    ngx_array_t                    fallbacks;  /* ngx_str_t, models */
    ngx_str_t                      file;
    ngx_uint_t                     fallbacks_line;
    unsigned                       has_secret:1;
} ngx_http_llm_vkey_t;


typedef struct {
    ngx_array_t                    providers;  /* ngx_http_llm_provider_t * */
    ngx_array_t                    vkeys;      /* ngx_http_llm_vkey_t * */
    ngx_hash_t                     vkey_hash;  /* hex sha256 -> vkey */
    ngx_hash_keys_arrays_t        *vkey_names; /* duplicates, config only */
    ngx_array_t                    customers;  /* ngx_http_llm_entity_t * */
    ngx_array_t                    teams;      /* ngx_http_llm_entity_t * */

    ngx_array_t                    prices;     /* ngx_http_llm_price_t */
    ngx_http_llm_price_t          *default_price;
    ngx_uint_t                     default_max_tokens;

    ngx_str_t                      state_file;
    ngx_msec_t                     state_interval;

    ngx_str_t                      trusted_certificate;
    ngx_ssl_t                     *ssl;

    ngx_http_upstream_srv_conf_t  *uscf;       /* the composite balancer */
    ngx_shm_zone_t                *shm_zone;
    ngx_shm_zone_init_pt           zone_init;  /* wrapped by the state */
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
    ngx_http_llm_price_t          *price;
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


typedef struct ngx_http_llm_ctx_s  ngx_http_llm_ctx_t;

/* resumes a request that waited (for a provider's token) */
typedef ngx_int_t (*ngx_http_llm_resume_pt)(ngx_http_request_t *r,
    ngx_http_llm_ctx_t *ctx);

struct ngx_http_llm_ctx_s {
    ngx_http_request_t            *request;
    ngx_http_llm_resume_pt         resume_handler;
    ngx_http_llm_loc_conf_t       *lcf;
    ngx_http_llm_vkey_t           *vkey;
    ngx_uint_t                     endpoint;

    /* the request, as parsed from the client's body */
    ngx_str_t                      body;
    ngx_str_t                      requested_model;
    size_t                         model_offset;  /* the model string token */
    size_t                         model_len;
    size_t                         model_key_offset; /* its member's */
    size_t                         object_offset; /* first byte after '{' */
    size_t                         so_offset;     /* inside stream_options */
    size_t                         iu_offset;     /* include_usage value */
    size_t                         iu_len;
    size_t                         prompt_bytes;
    ngx_int_t                      max_tokens; /* -1: not given */
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
    ngx_uint_t                     dialect;    /* what it speaks */
    ngx_uint_t                     attempts;
    ngx_http_llm_attempt_t         tried[NGX_HTTP_LLM_MAX_CANDIDATES];
    ngx_uint_t                     ntried;
    ngx_http_upstream_conf_t      *conf;       /* per-request clone */
    ngx_uint_t                     keepalive_hit;
    ngx_msec_t                     retry_after; /* from the provider */

    /* translation: the request rendered for each provider dialect (a
     * cJSON document), once, when some candidate speaks another dialect */
    struct cJSON                  *rendered[NGX_HTTP_LLM_DIALECTS];
    ngx_str_t                      rendered_tail; /* or rewritten for
                                                   * Anthropic: after
                                                   * '{"model":MODEL' */
    struct ngx_http_llm_relay_s   *tr_stream;  /* a translated stream */
    u_char                        *tr_out;     /* its events, reused */
    size_t                         tr_size;
    unsigned                       translate:1; /* the current attempt */

    /* governance: what was reserved, and where */
    ngx_http_llm_entity_t         *tiers[NGX_HTTP_LLM_MAX_TIERS];
    ngx_uint_t                     ntiers;
    ngx_http_llm_provider_t       *gov_provider; /* holds its reservation */
    ngx_http_llm_price_t          *price;      /* the serving candidate's */
    int64_t                        est_cost;   /* nano-USD */
    int64_t                        est_tokens;
    ngx_str_t                      limit_reason;
    ngx_str_t                      budget_warning;
    ngx_str_t                      budget_reset;
    int64_t                        rl_limit[2];     /* requests, tokens */
    int64_t                        rl_remaining[2];
    int64_t                        rl_reset[2];     /* seconds */
    int64_t                        retry_after_s;
    unsigned                       rl_set:2;
    unsigned                       admitted:1;
    unsigned                       headers_added:1;

    /* the response */
    ngx_http_status_t              status;
    ngx_http_chunked_t             chunked;
    off_t                          length;     /* provider content length */
    unsigned                       chunked_body:1;
    unsigned                       sse:1;
    unsigned                       eventstream:1; /* AWS frames, not SSE */
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
    ngx_buf_t                     *header_in;  /* r->header_in, while the
                                                  body is read elsewhere */

    u_char                        *resp;       /* a non-stream body copy */
    size_t                         resp_len;
    size_t                         resp_size;

    /* what we learnt, for variables and accounting */
    ngx_int_t                      prompt_tokens;
    ngx_int_t                      completion_tokens;
    ngx_int_t                      cached_tokens;
    ngx_int_t                      cache_write_tokens;
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
    ngx_str_t                      err_param;   /* the member at fault */
    ngx_str_t                      err_body;    /* replaces nginx's page */

    ngx_event_t                    mock_timer;
};


/* records in the zone are found by name (ngx_http_llm_shm.c) */
typedef struct {
    ngx_rbtree_node_t              node;       /* key: crc32 of the name */
    u_char                        *name;       /* after the record */
    size_t                         len;
} ngx_http_llm_shm_node_t;

/* a key's cooldown and a provider's breaker, in the zone, lock-free */
struct ngx_http_llm_state_s {
    ngx_http_llm_shm_node_t        sn;
    ngx_atomic_t                   cooldown_until;
    ngx_atomic_t                   failures;   /* consecutive */
    ngx_atomic_t                   open_until; /* the breaker */
    ngx_atomic_t                   probe_at;   /* half-open probe started */
};

/* a budget or limit's counter; changed under the zone's lock */
struct ngx_http_llm_counter_s {
    ngx_http_llm_shm_node_t        sn;
    ngx_queue_t                    queue;      /* every counter, to save */
    int64_t                        start;      /* window start, Unix time */
    int64_t                        end;        /* the next window's start */
    int64_t                        spent;      /* this window, this node */
    int64_t                        reserved;   /* running requests */
    int64_t                        pending;    /* not yet mirrored */
    int64_t                        global;     /* fleet total, mirrored */
    int64_t                        alerted;    /* window start alerted */
    ngx_uint_t                     window;
};


/* the zone's bookkeeping for saving counters to disk */
typedef struct {
    ngx_atomic_t                   version;    /* bumped on every charge */
    ngx_atomic_t                   saved;      /* the version on disk */
    ngx_atomic_t                   lease;      /* a worker writing, until */
} ngx_http_llm_shm_meta_t;


/* what admission compares: the fleet's total and this node's unpushed */
#define ngx_http_llm_counter_used(c)  ((c)->global + (c)->pending)


extern ngx_module_t  ngx_http_llm_module;


#endif /* _NGX_HTTP_LLM_COMMON_H_INCLUDED_ */
