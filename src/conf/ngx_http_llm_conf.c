
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/sha.h>
#include <cjson/cJSON.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_conf.h"
#include "ngx_http_llm_keepalive.h"
#include "ngx_http_llm_provider.h"
#include "ngx_http_llm_tenant.h"
#include "ngx_http_llm_url.h"
#include "ngx_http_llm_vertex.h"


static char *ngx_http_llm_provider_cmd(ngx_conf_t *cf, ngx_command_t *dummy,
    void *conf);
static char *ngx_http_llm_provider_directive(ngx_conf_t *cf, void *conf);
static char *ngx_http_llm_vkey_cmd(ngx_conf_t *cf, ngx_command_t *dummy,
    void *conf);
static char *ngx_http_llm_secret(ngx_conf_t *cf, ngx_str_t *v,
    ngx_http_llm_api_key_t *key);
static ngx_int_t ngx_http_llm_bedrock_conf(ngx_conf_t *cf,
    ngx_http_llm_provider_t *pr);
static ngx_uint_t ngx_http_llm_env_unset(ngx_http_llm_api_key_t *key);
static void ngx_http_llm_resolve_env_key(ngx_cycle_t *cycle,
    ngx_http_llm_provider_t *pr, ngx_http_llm_api_key_t *key);
static char *ngx_http_llm_set_api_key(ngx_conf_t *cf,
    ngx_http_llm_provider_t *pr, ngx_str_t *value, ngx_uint_t n);
static char *ngx_http_llm_set_timeouts(ngx_conf_t *cf,
    ngx_http_llm_provider_t *pr, ngx_str_t *value, ngx_uint_t n);
static char *ngx_http_llm_set_breaker(ngx_conf_t *cf,
    ngx_http_llm_provider_t *pr, ngx_str_t *value, ngx_uint_t n);
static ngx_int_t ngx_http_llm_check_env_keys(ngx_conf_t *cf,
    ngx_http_llm_provider_t *pr);
static ngx_int_t ngx_http_llm_compile_pattern(ngx_conf_t *cf,
    ngx_http_llm_pattern_t *p, ngx_str_t *value);
static ngx_int_t ngx_http_llm_hex_decode(u_char *dst, ngx_str_t *src);
static int ngx_libc_cdecl ngx_http_llm_cmp_hash_keys(const void *one,
    const void *two);
static ngx_int_t ngx_http_llm_read_secret_file(ngx_conf_t *cf,
    ngx_str_t *path, ngx_str_t *out);
static ngx_http_llm_vkey_t *ngx_http_llm_vkey_create(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf, ngx_str_t *name);
static char *ngx_http_llm_vkey_check(ngx_conf_t *cf,
    ngx_http_llm_vkey_t *vk);
static ngx_int_t ngx_http_llm_json_args(ngx_conf_t *cf, ngx_array_t *args,
    char *name, cJSON *v);
static ngx_int_t ngx_http_llm_json_str(ngx_conf_t *cf, char *v,
    ngx_str_t *out);


#define NGX_HTTP_LLM_PROVIDER_DIRECTIVES                                      \
    "type, url, host, api_key, models, weight, timeouts, keepalive, "        \
    "cooldown, circuit_breaker, latency, stream_events, anthropic_version, " \
    "api_version, deployment, region, aws_access_key_id, "                   \
    "aws_secret_access_key, aws_session_token, project, location, "         \
    "credentials, budget, limit"

#define NGX_HTTP_LLM_VKEY_DIRECTIVES                                          \
    "key, key_sha256, models, fallbacks, team, customer, budget, limit, "    \
    "metadata"


char *
ngx_http_llm_provider_block(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_main_conf_t *lmcf = conf;

    char                      *rv;
    ngx_str_t                 *value;
    ngx_url_t                  u;
    ngx_uint_t                 i;
    ngx_conf_t                 save;
    ngx_http_llm_provider_t   *pr, **ppr;

    value = cf->args->elts;

    ppr = lmcf->providers.elts;
    for (i = 0; i < lmcf->providers.nelts; i++) {
        if (ppr[i]->name.len == value[1].len
            && ngx_strncmp(ppr[i]->name.data, value[1].data, value[1].len)
               == 0)
        {
            return "is duplicate";
        }
    }

    if (ngx_strlchr(value[1].data, value[1].data + value[1].len, '/')
        != NULL)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_provider name \"%V\" must not contain \"/\"",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    pr = ngx_pcalloc(cf->pool, sizeof(ngx_http_llm_provider_t));
    if (pr == NULL) {
        return NGX_CONF_ERROR;
    }

    pr->name = value[1];

    if (ngx_http_llm_entity_init(cf, &pr->entity, NGX_HTTP_LLM_TIER_PROVIDER,
                                 &value[1])
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    pr->weight = NGX_CONF_UNSET_UINT;
    pr->keepalive_max = NGX_CONF_UNSET_UINT;
    pr->connect_timeout = NGX_CONF_UNSET_MSEC;
    pr->send_timeout = NGX_CONF_UNSET_MSEC;
    pr->first_token_timeout = NGX_CONF_UNSET_MSEC;
    pr->idle_timeout = NGX_CONF_UNSET_MSEC;
    pr->latency = NGX_CONF_UNSET_MSEC;
    pr->cooldown = NGX_CONF_UNSET_MSEC;
    pr->breaker_failures = NGX_CONF_UNSET_UINT;
    pr->breaker_cooldown = NGX_CONF_UNSET_MSEC;
    pr->stream_events = NGX_CONF_UNSET_UINT;

    if (ngx_array_init(&pr->api_keys, cf->pool, 1,
                       sizeof(ngx_http_llm_api_key_t))
        != NGX_OK
        || ngx_array_init(&pr->models, cf->pool, 4,
                          sizeof(ngx_http_llm_pattern_t))
           != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    ppr = ngx_array_push(&lmcf->providers);
    if (ppr == NULL) {
        return NGX_CONF_ERROR;
    }

    *ppr = pr;

    save = *cf;
    cf->handler = ngx_http_llm_provider_cmd;
    cf->handler_conf = (char *) pr;

    rv = ngx_conf_parse(cf, NULL);

    *cf = save;

    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (pr->type == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_provider \"%V\" has no \"type\"", &pr->name);
        return NGX_CONF_ERROR;
    }

    if (pr->ops->needs_url && pr->url.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_provider \"%V\" has no \"url\"", &pr->name);
        return NGX_CONF_ERROR;
    }

    /* each type's own directives, and their defaults */

    if (pr->anthropic_version.len
        && pr->type != NGX_HTTP_LLM_PROVIDER_ANTHROPIC)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"anthropic_version\" in llm_provider \"%V\" "
                           "needs \"type anthropic\"", &pr->name);
        return NGX_CONF_ERROR;
    }

    if ((pr->api_version.len || pr->deployments.nelts)
        && pr->type != NGX_HTTP_LLM_PROVIDER_AZURE)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"api_version\" and \"deployment\" in "
                           "llm_provider \"%V\" need \"type azure\"",
                           &pr->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_llm_bedrock_conf(cf, pr) != NGX_OK
        || ngx_http_llm_vertex_conf(cf, pr) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (pr->anthropic_version.len == 0) {
        ngx_str_set(&pr->anthropic_version, "2023-06-01");
    }

    if (pr->api_version.len == 0) {
        ngx_str_set(&pr->api_version, "2024-10-21");
    }

    if (pr->models.nelts == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_provider \"%V\" has no \"models\", allowed: "
                           "names, * or ~regex", &pr->name);
        return NGX_CONF_ERROR;
    }

    if (pr->type == NGX_HTTP_LLM_PROVIDER_MOCK
        && (pr->url.len || pr->api_keys.nelts))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_provider \"%V\" of type mock takes no "
                           "\"url\" or \"api_key\"", &pr->name);
        return NGX_CONF_ERROR;
    }

    if (pr->type != NGX_HTTP_LLM_PROVIDER_MOCK
        && (pr->latency != NGX_CONF_UNSET_MSEC
            || pr->stream_events != NGX_CONF_UNSET_UINT))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"latency\" and \"stream_events\" are for "
                           "providers of type mock only");
        return NGX_CONF_ERROR;
    }

    if (pr->type != NGX_HTTP_LLM_PROVIDER_MOCK) {
        if (ngx_http_llm_check_env_keys(cf, pr) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        if (!pr->disabled) {
            /*
             * The host may name an upstream{} block, before or after.
             * ngx_http_upstream_add() parses the url itself: it must get
             * a fresh ngx_url_t (a parsed one would have its addrs array
             * appended to, past its end).
             */

            ngx_memzero(&u, sizeof(ngx_url_t));

            u.url.data = pr->url.data + (pr->ssl ? 8 : 7);
            u.url.len = pr->url.len - (pr->ssl ? 8 : 7);
            u.default_port = pr->ssl ? 443 : 80;
            u.uri_part = 1;
            u.no_resolve = 1;

            pr->upstream = ngx_http_upstream_add(cf, &u, 0);
            if (pr->upstream == NULL) {
                return NGX_CONF_ERROR;
            }
        }
    }

    ngx_conf_init_uint_value(pr->weight, 1);
    ngx_conf_init_uint_value(pr->keepalive_max, 16);
    ngx_conf_init_msec_value(pr->connect_timeout, 10000);
    ngx_conf_init_msec_value(pr->send_timeout, 60000);
    ngx_conf_init_msec_value(pr->first_token_timeout, 600000);
    ngx_conf_init_msec_value(pr->idle_timeout, 300000);
    ngx_conf_init_msec_value(pr->latency, 0);
    ngx_conf_init_msec_value(pr->cooldown, 30000);
    ngx_conf_init_uint_value(pr->breaker_failures, 5);
    ngx_conf_init_msec_value(pr->breaker_cooldown, 30000);
    ngx_conf_init_uint_value(pr->stream_events, 8);

    return NGX_CONF_OK;
}


/* a directive's complaint names the directive */

static char *
ngx_http_llm_provider_cmd(ngx_conf_t *cf, ngx_command_t *dummy, void *conf)
{
    char       *rv;
    ngx_str_t  *value;

    rv = ngx_http_llm_provider_directive(cf, conf);

    if (rv != NGX_CONF_OK && rv != NGX_CONF_ERROR) {
        value = cf->args->elts;
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\" %s", &value[0], rv);
        return NGX_CONF_ERROR;
    }

    return rv;
}


static char *
ngx_http_llm_provider_directive(ngx_conf_t *cf, void *conf)
{
    ngx_http_llm_provider_t *pr = conf;

    ngx_int_t                 n;
    ngx_str_t                *value, *name;
    ngx_uint_t                i, nargs;
    ngx_keyval_t             *kv;
    ngx_http_llm_pattern_t   *pat;

    value = cf->args->elts;
    nargs = cf->args->nelts;
    name = &value[0];

    n = ngx_http_llm_entity_cmd(cf, &pr->entity);

    if (n != NGX_DECLINED) {
        return n == NGX_OK ? NGX_CONF_OK : NGX_CONF_ERROR;
    }

#define is(s)  (name->len == sizeof(s) - 1                                   \
                && ngx_strncmp(name->data, s, sizeof(s) - 1) == 0)

    if (nargs < 2) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" in llm_provider takes a value", name);
        return NGX_CONF_ERROR;
    }

    if (is("type")) {
        if (nargs != 2 || pr->type) {
            return "is duplicate or takes one value";
        }

        pr->ops = ngx_http_llm_provider_ops(&value[1]);

        if (pr->ops == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid provider type \"%V\", allowed: "
                               "openai, anthropic, azure, gemini, vertex, "
                               "bedrock, mock", &value[1]);
            return NGX_CONF_ERROR;
        }

        pr->type = pr->ops->type;

        return NGX_CONF_OK;
    }

    if (is("anthropic_version") || is("api_version")) {
        if (nargs != 2 || (is("api_version") ? pr->api_version.len
                                              : pr->anthropic_version.len))
        {
            return "is duplicate or takes one value";
        }

        if (is("api_version")) {
            pr->api_version = value[1];

        } else {
            pr->anthropic_version = value[1];
        }

        return NGX_CONF_OK;
    }

    if (is("deployment")) {
        if (nargs != 3) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid deployment, allowed: deployment "
                               "MODEL NAME");
            return NGX_CONF_ERROR;
        }

        if (pr->deployments.elts == NULL
            && ngx_array_init(&pr->deployments, cf->pool, 4,
                              sizeof(ngx_keyval_t))
               != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }

        kv = ngx_array_push(&pr->deployments);
        if (kv == NULL) {
            return NGX_CONF_ERROR;
        }

        kv->key = value[1];
        kv->value = value[2];

        return NGX_CONF_OK;
    }

    if (is("url")) {
        if (nargs != 2 || pr->url.len) {
            return "is duplicate or takes one value";
        }

        return ngx_http_llm_url_parse(cf, pr, &value[1]);
    }

    if (is("host")) {
        if (nargs != 2) {
            return "takes one value";
        }

        pr->host = value[1];
        return NGX_CONF_OK;
    }

    if (is("api_key")) {
        return ngx_http_llm_set_api_key(cf, pr, value, nargs);
    }

    if (is("project") || is("location")) {
        if (nargs != 2 || (is("project") ? pr->project.len
                                         : pr->location.len))
        {
            return "is duplicate or takes one value";
        }

        *(is("project") ? &pr->project : &pr->location) = value[1];
        return NGX_CONF_OK;
    }

    if (is("credentials")) {
        if (nargs != 2 || pr->credentials.len) {
            return "is duplicate or takes one value";
        }

        if (ngx_strncmp(value[1].data, "file:", 5) != 0) {
            return "takes file:PATH, a service account's JSON key";
        }

        value[1].data += 5;
        value[1].len -= 5;

        if (ngx_conf_full_name(cf->cycle, &value[1], 1) != NGX_OK
            || ngx_http_llm_read_file(cf, &value[1], &pr->credentials,
                                      65536, "credentials")
               != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }

        return NGX_CONF_OK;
    }

    if (is("region")) {
        if (nargs != 2 || pr->region.len) {
            return "is duplicate or takes one value";
        }

        pr->region = value[1];
        return NGX_CONF_OK;
    }

    i = is("aws_access_key_id") ? 1
        : is("aws_secret_access_key") ? 2
        : is("aws_session_token") ? 3 : 0;

    if (i) {
        if (nargs != 2 || pr->aws[i - 1].value.len
            || pr->aws[i - 1].env.len)
        {
            return "is duplicate or takes one value";
        }

        return ngx_http_llm_secret(cf, &value[1], &pr->aws[i - 1]);
    }

    if (is("models")) {
        for (i = 1; i < nargs; i++) {
            pat = ngx_array_push(&pr->models);
            if (pat == NULL) {
                return NGX_CONF_ERROR;
            }

            if (ngx_http_llm_compile_pattern(cf, pat, &value[i]) != NGX_OK) {
                return NGX_CONF_ERROR;
            }
        }

        return NGX_CONF_OK;
    }

    if (is("weight") || is("keepalive") || is("stream_events")) {
        n = (nargs == 2) ? ngx_atoi(value[1].data, value[1].len) : NGX_ERROR;

        if (n == NGX_ERROR || n > 1000000) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid \"%V\" value \"%V\", allowed: "
                               "an integer from 0 to 1000000",
                               name, &value[1]);
            return NGX_CONF_ERROR;
        }

        if (is("weight")) {
            pr->weight = n;

        } else if (is("keepalive")) {
            pr->keepalive_max = n;

        } else {
            if (n == 0) {
                return "must be at least 1";
            }

            pr->stream_events = n;
        }

        return NGX_CONF_OK;
    }

    if (is("timeouts")) {
        return ngx_http_llm_set_timeouts(cf, pr, value, nargs);
    }

    if (is("cooldown")) {
        pr->cooldown = ngx_parse_time(&value[1], 0);

        if (nargs != 2 || pr->cooldown == (ngx_msec_t) NGX_ERROR) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid cooldown \"%V\", allowed: a time "
                               "such as 30s", &value[1]);
            return NGX_CONF_ERROR;
        }

        return NGX_CONF_OK;
    }

    if (is("circuit_breaker")) {
        return ngx_http_llm_set_breaker(cf, pr, value, nargs);
    }

    if (is("latency")) {
        pr->latency = ngx_parse_time(&value[1], 0);

        if (nargs != 2 || pr->latency == (ngx_msec_t) NGX_ERROR) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid latency \"%V\", allowed: a time "
                               "such as 200ms or 1s", &value[1]);
            return NGX_CONF_ERROR;
        }

        return NGX_CONF_OK;
    }

#undef is

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "unknown directive \"%V\" in llm_provider, allowed: "
                       NGX_HTTP_LLM_PROVIDER_DIRECTIVES, name);

    return NGX_CONF_ERROR;
}


static char *
ngx_http_llm_set_api_key(ngx_conf_t *cf, ngx_http_llm_provider_t *pr,
    ngx_str_t *value, ngx_uint_t nargs)
{
    ngx_int_t                w;
    ngx_http_llm_api_key_t  *key;

    if (nargs > 3) {
        return "takes a key and an optional weight=N";
    }

    if (pr->api_keys.nelts == 32) {
        return "takes at most 32 keys per provider";
    }

    key = ngx_array_push(&pr->api_keys);
    if (key == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(key, sizeof(ngx_http_llm_api_key_t));
    key->weight = 1;

    if (nargs == 3) {
        if (ngx_strncmp(value[2].data, "weight=", 7) != 0
            || (w = ngx_atoi(value[2].data + 7, value[2].len - 7))
               == NGX_ERROR
            || w < 1)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid api_key parameter \"%V\", allowed: "
                               "weight=N (N >= 1)", &value[2]);
            return NGX_CONF_ERROR;
        }

        key->weight = w;
    }

    return ngx_http_llm_secret(cf, &value[1], key);
}


/* a secret: env:NAME (read per worker), file:/path, or the value itself */

static char *
ngx_http_llm_secret(ngx_conf_t *cf, ngx_str_t *v, ngx_http_llm_api_key_t *key)
{
    if (ngx_strncmp(v->data, "env:", 4) == 0) {
        key->env.data = v->data + 4;
        key->env.len = v->len - 4;

        if (key->env.len == 0) {
            return "needs a variable name after env:";
        }

        return NGX_CONF_OK;
    }

    if (ngx_strncmp(v->data, "file:", 5) == 0) {
        v->data += 5;
        v->len -= 5;

        if (ngx_conf_full_name(cf->cycle, v, 1) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        if (ngx_http_llm_read_secret_file(cf, v, &key->value) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        return NGX_CONF_OK;
    }

    key->value = *v;

    return NGX_CONF_OK;
}


/*
 * Bedrock's own directives: the region names the default endpoint, and
 * the credentials default to the AWS_* environment (which nginx passes
 * to workers when listed with "env").
 */

static ngx_int_t
ngx_http_llm_bedrock_conf(ngx_conf_t *cf, ngx_http_llm_provider_t *pr)
{
    u_char     *p;
    ngx_str_t   url;
    ngx_uint_t  i;

    static ngx_str_t  env[] = {
        ngx_string("AWS_ACCESS_KEY_ID"),
        ngx_string("AWS_SECRET_ACCESS_KEY"),
        ngx_string("AWS_SESSION_TOKEN")
    };

    if (pr->type != NGX_HTTP_LLM_PROVIDER_BEDROCK) {
        if (pr->region.len || pr->aws[0].value.len || pr->aws[0].env.len
            || pr->aws[1].value.len || pr->aws[1].env.len
            || pr->aws[2].value.len || pr->aws[2].env.len)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"region\" and \"aws_*\" in llm_provider "
                               "\"%V\" need \"type bedrock\"", &pr->name);
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    if (pr->region.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_provider \"%V\" of type bedrock has no "
                           "\"region\"", &pr->name);
        return NGX_ERROR;
    }

    if (pr->api_keys.nelts) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_provider \"%V\" of type bedrock takes "
                           "aws_access_key_id and aws_secret_access_key, "
                           "not \"api_key\"", &pr->name);
        return NGX_ERROR;
    }

    for (i = 0; i < 3; i++) {
        if (pr->aws[i].value.len == 0 && pr->aws[i].env.len == 0) {
            pr->aws[i].env = env[i];
        }
    }

    if (pr->url.len == 0) {
        url.len = sizeof("https://bedrock-runtime..amazonaws.com") - 1
                  + pr->region.len;
        url.data = ngx_pnalloc(cf->pool, url.len);
        if (url.data == NULL) {
            return NGX_ERROR;
        }

        p = ngx_sprintf(url.data, "https://bedrock-runtime.%V.amazonaws.com",
                        &pr->region);
        url.len = p - url.data;

        if (ngx_http_llm_url_parse(cf, pr, &url) != NGX_CONF_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * Config-time only: nginx reads every configuration file synchronously
 * in the master, and a secret, price or key file is no different.
 */

ngx_int_t
ngx_http_llm_read_file(ngx_conf_t *cf, ngx_str_t *path, ngx_str_t *out,
    size_t max, const char *what)
{
    u_char          *p;
    ssize_t          n;
    ngx_file_t       file;
    ngx_file_info_t  fi;

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name = *path;
    file.log = cf->log;

    file.fd = ngx_open_file(path->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "cannot open %s \"%V\"", what, path);
        return NGX_ERROR;
    }

    if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) > (off_t) max)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "%s \"%V\" is unreadable or larger than %uz "
                           "bytes", what, path, max);
        ngx_close_file(file.fd);
        return NGX_ERROR;
    }

    p = ngx_pnalloc(cf->pool, ngx_file_size(&fi) + 1);
    if (p == NULL) {
        ngx_close_file(file.fd);
        return NGX_ERROR;
    }

    n = ngx_read_file(&file, p, ngx_file_size(&fi), 0);

    ngx_close_file(file.fd);

    if (n == NGX_ERROR) {
        return NGX_ERROR;
    }

    out->data = p;
    out->len = n;

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_read_secret_file(ngx_conf_t *cf, ngx_str_t *path,
    ngx_str_t *out)
{
    if (ngx_http_llm_read_file(cf, path, out, 65536, "api_key file")
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* a trailing newline is not part of the key */

    while (out->len > 0 && (out->data[out->len - 1] == '\n'
                            || out->data[out->len - 1] == '\r'
                            || out->data[out->len - 1] == ' '))
    {
        out->len--;
    }

    if (out->len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "api_key file \"%V\" is empty", path);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* circuit_breaker off | failures=N cooldown=T */

static char *
ngx_http_llm_set_breaker(ngx_conf_t *cf, ngx_http_llm_provider_t *pr,
    ngx_str_t *value, ngx_uint_t nargs)
{
    ngx_int_t   n;
    ngx_str_t   v;
    ngx_uint_t  i;

    if (nargs == 2 && ngx_strcmp(value[1].data, "off") == 0) {
        pr->breaker_failures = 0;
        return NGX_CONF_OK;
    }

    for (i = 1; i < nargs; i++) {
        if (ngx_strncmp(value[i].data, "failures=", 9) == 0) {
            n = ngx_atoi(value[i].data + 9, value[i].len - 9);
            if (n < 1) {
                goto invalid;
            }

            pr->breaker_failures = n;
            continue;
        }

        if (ngx_strncmp(value[i].data, "cooldown=", 9) == 0) {
            v.data = value[i].data + 9;
            v.len = value[i].len - 9;

            pr->breaker_cooldown = ngx_parse_time(&v, 0);
            if (pr->breaker_cooldown == (ngx_msec_t) NGX_ERROR
                || pr->breaker_cooldown == 0)
            {
                goto invalid;
            }

            continue;
        }

        goto invalid;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid circuit_breaker parameter \"%V\", allowed: "
                       "off, or failures=N cooldown=T", &value[i]);

    return NGX_CONF_ERROR;
}


/*
 * A provider whose keys all come from unset environment variables is
 * disabled: it is not an error to start without it (the same config runs
 * on a laptop without keys), and its host is never resolved.  Workers
 * see the same values: "env NAME;" passes on the master's environment.
 */

static ngx_int_t
ngx_http_llm_check_env_keys(ngx_conf_t *cf, ngx_http_llm_provider_t *pr)
{
    ngx_uint_t               i, unset;
    ngx_http_llm_api_key_t  *key;

    if (pr->type == NGX_HTTP_LLM_PROVIDER_BEDROCK) {
        if (ngx_http_llm_env_unset(&pr->aws[0])
            || ngx_http_llm_env_unset(&pr->aws[1]))
        {
            pr->disabled = 1;

            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "llm_provider \"%V\" is disabled: its AWS "
                               "credentials' environment variables are not "
                               "set", &pr->name);
        }

        return NGX_OK;
    }

    if (pr->api_keys.nelts == 0) {
        return NGX_OK;
    }

    key = pr->api_keys.elts;
    unset = 0;

    for (i = 0; i < pr->api_keys.nelts; i++) {
        unset += ngx_http_llm_env_unset(&key[i]);
    }

    if (unset == pr->api_keys.nelts) {
        pr->disabled = 1;

        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "llm_provider \"%V\" is disabled: its api_key "
                           "environment variable is not set", &pr->name);
    }

    return NGX_OK;
}


/* a key from an environment variable that is not set (or empty) */

static ngx_uint_t
ngx_http_llm_env_unset(ngx_http_llm_api_key_t *key)
{
    char  *v;

    if (key->env.len == 0) {
        return 0;
    }

    /* env names come from the config (or literals): NUL-terminated */
    v = getenv((char *) key->env.data);

    return (v == NULL || *v == '\0');
}


static char *
ngx_http_llm_set_timeouts(ngx_conf_t *cf, ngx_http_llm_provider_t *pr,
    ngx_str_t *value, ngx_uint_t nargs)
{
    u_char      *eq;
    ngx_str_t    k, v;
    ngx_msec_t   t, *slot;
    ngx_uint_t   i;

    for (i = 1; i < nargs; i++) {
        eq = ngx_strlchr(value[i].data, value[i].data + value[i].len, '=');
        if (eq == NULL) {
            goto invalid;
        }

        k.data = value[i].data;
        k.len = eq - k.data;
        v.data = eq + 1;
        v.len = value[i].data + value[i].len - v.data;

        if (k.len == 7 && ngx_strncmp(k.data, "connect", 7) == 0) {
            slot = &pr->connect_timeout;

        } else if (k.len == 4 && ngx_strncmp(k.data, "send", 4) == 0) {
            slot = &pr->send_timeout;

        } else if (k.len == 11 && ngx_strncmp(k.data, "first_token", 11) == 0)
        {
            slot = &pr->first_token_timeout;

        } else if (k.len == 4 && ngx_strncmp(k.data, "idle", 4) == 0) {
            slot = &pr->idle_timeout;

        } else {
            goto invalid;
        }

        t = ngx_parse_time(&v, 0);
        if (t == (ngx_msec_t) NGX_ERROR || t == 0) {
            goto invalid;
        }

        *slot = t;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid timeouts parameter \"%V\", allowed: "
                       "connect=T send=T first_token=T idle=T", &value[i]);

    return NGX_CONF_ERROR;
}


static ngx_int_t
ngx_http_llm_compile_pattern(ngx_conf_t *cf, ngx_http_llm_pattern_t *p,
    ngx_str_t *value)
{
    u_char               errstr[NGX_MAX_CONF_ERRSTR];
    ngx_regex_compile_t  rc;

    ngx_memzero(p, sizeof(ngx_http_llm_pattern_t));
    p->name = *value;

    if (value->len == 1 && value->data[0] == '*') {
        p->any = 1;
        return NGX_OK;
    }

    if (value->data[value->len - 1] == '*') {
        /* "gpt-4o*": a prefix */
        p->prefix = 1;
        p->name.len--;
        return NGX_OK;
    }

    if (value->data[0] != '~') {
        return NGX_OK;
    }

    ngx_memzero(&rc, sizeof(ngx_regex_compile_t));

    rc.pattern.data = value->data + 1;
    rc.pattern.len = value->len - 1;
    rc.pool = cf->pool;
    rc.err.len = NGX_MAX_CONF_ERRSTR;
    rc.err.data = errstr;

    if (rc.pattern.len == 0 || ngx_regex_compile(&rc) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid model regex \"%V\": %V", value, &rc.err);
        return NGX_ERROR;
    }

    p->regex = rc.regex;

    return NGX_OK;
}


ngx_int_t
ngx_http_llm_pattern_match(ngx_http_llm_pattern_t *p, ngx_str_t *s)
{
    if (p->any) {
        return 1;
    }

    if (p->regex) {
        return ngx_regex_exec(p->regex, s, NULL, 0) >= 0;
    }

    if (p->prefix) {
        return s->len >= p->name.len
               && ngx_strncmp(p->name.data, s->data, p->name.len) == 0;
    }

    return p->name.len == s->len
           && ngx_strncmp(p->name.data, s->data, s->len) == 0;
}


char *
ngx_http_llm_vkey_block(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_main_conf_t *lmcf = conf;

    char                  *rv;
    ngx_str_t             *value;
    ngx_conf_t             save;
    ngx_http_llm_vkey_t   *vk;

    value = cf->args->elts;

    vk = ngx_http_llm_vkey_create(cf, lmcf, &value[1]);
    if (vk == NULL) {
        return NGX_CONF_ERROR;
    }

    save = *cf;
    cf->handler = ngx_http_llm_vkey_cmd;
    cf->handler_conf = (char *) vk;

    rv = ngx_conf_parse(cf, NULL);

    *cf = save;

    if (rv != NGX_CONF_OK) {
        return rv;
    }

    return ngx_http_llm_vkey_check(cf, vk);
}


static ngx_http_llm_vkey_t *
ngx_http_llm_vkey_create(ngx_conf_t *cf, ngx_http_llm_main_conf_t *lmcf,
    ngx_str_t *name)
{
    ngx_int_t              rc;
    ngx_http_llm_vkey_t   *vk, **pvk;

    vk = ngx_pcalloc(cf->pool, sizeof(ngx_http_llm_vkey_t));
    if (vk == NULL) {
        return NULL;
    }

    if (ngx_http_llm_entity_init(cf, &vk->entity, NGX_HTTP_LLM_TIER_KEY, name)
        != NGX_OK)
    {
        return NULL;
    }

    vk->name = *name;
    vk->file = cf->conf_file->file.name;

    if (ngx_array_init(&vk->models, cf->pool, 4,
                       sizeof(ngx_http_llm_key_model_t))
        != NGX_OK
        || ngx_array_init(&vk->fallbacks, cf->pool, 2, sizeof(ngx_str_t))
           != NGX_OK)
    {
        return NULL;
    }

    /* names are unique: counters are kept by name across reloads */
    rc = ngx_hash_add_key(lmcf->vkey_names, name, vk, NGX_HASH_READONLY_KEY);

    if (rc == NGX_BUSY) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_virtual_key \"%V\" is duplicate", name);
        return NULL;
    }

    if (rc != NGX_OK) {
        return NULL;
    }

    pvk = ngx_array_push(&lmcf->vkeys);
    if (pvk == NULL) {
        return NULL;
    }

    *pvk = vk;

    return vk;
}


static char *
ngx_http_llm_vkey_check(ngx_conf_t *cf, ngx_http_llm_vkey_t *vk)
{
    if (!vk->has_secret) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_virtual_key \"%V\" has no \"key\" or "
                           "\"key_sha256\"", &vk->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_llm_vkey_cmd(ngx_conf_t *cf, ngx_command_t *dummy, void *conf)
{
    ngx_http_llm_vkey_t *vk = conf;

    u_char                     *slash, errstr[NGX_MAX_CONF_ERRSTR];
    ngx_int_t                   rc;
    ngx_str_t                  *value, *name, *fb, m;
    ngx_uint_t                  i, nargs;
    ngx_regex_compile_t         rec;
    ngx_http_llm_key_model_t   *km;

    value = cf->args->elts;
    nargs = cf->args->nelts;
    name = &value[0];

    rc = ngx_http_llm_entity_cmd(cf, &vk->entity);

    if (rc != NGX_DECLINED) {
        return rc == NGX_OK ? NGX_CONF_OK : NGX_CONF_ERROR;
    }

#define is(s)  (name->len == sizeof(s) - 1                                   \
                && ngx_strncmp(name->data, s, sizeof(s) - 1) == 0)

    if (nargs < 2) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" in llm_virtual_key takes a value", name);
        return NGX_CONF_ERROR;
    }

    if (is("key") || is("key_sha256")) {
        if (nargs != 2 || vk->has_secret) {
            return "is duplicate: a virtual key has one secret";
        }

        vk->has_secret = 1;

        if (is("key")) {
            SHA256(value[1].data, value[1].len, vk->sha256);
            return NGX_CONF_OK;
        }

        if (value[1].len != 64
            || ngx_http_llm_hex_decode(vk->sha256, &value[1]) != NGX_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid key_sha256 \"%V\", allowed: 64 hex "
                               "digits", &value[1]);
            return NGX_CONF_ERROR;
        }

        return NGX_CONF_OK;
    }

    if (is("models")) {
        for (i = 1; i < nargs; i++) {
            km = ngx_array_push(&vk->models);
            if (km == NULL) {
                return NGX_CONF_ERROR;
            }

            ngx_memzero(km, sizeof(ngx_http_llm_key_model_t));

            if (value[i].data[0] == '~') {
                ngx_memzero(&rec, sizeof(ngx_regex_compile_t));
                rec.pattern.data = value[i].data + 1;
                rec.pattern.len = value[i].len - 1;
                rec.pool = cf->pool;
                rec.err.len = NGX_MAX_CONF_ERRSTR;
                rec.err.data = errstr;

                if (rec.pattern.len == 0 || ngx_regex_compile(&rec) != NGX_OK)
                {
                    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                       "invalid models regex \"%V\": %V",
                                       &value[i], &rec.err);
                    return NGX_CONF_ERROR;
                }

                km->regex = rec.regex;
                km->model.name = value[i];
                continue;
            }

            slash = ngx_strlchr(value[i].data, value[i].data + value[i].len,
                                '/');
            m = value[i];

            if (slash) {
                km->provider.data = value[i].data;
                km->provider.len = slash - value[i].data;
                m.data = slash + 1;
                m.len = value[i].data + value[i].len - m.data;

                if (km->provider.len == 0 || m.len == 0) {
                    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                       "invalid model \"%V\", allowed: "
                                       "MODEL, PROVIDER/MODEL, PROVIDER/*, "
                                       "* or ~REGEX", &value[i]);
                    return NGX_CONF_ERROR;
                }
            }

            if (ngx_http_llm_compile_pattern(cf, &km->model, &m) != NGX_OK) {
                return NGX_CONF_ERROR;
            }
        }

        return NGX_CONF_OK;
    }

    if (is("fallbacks")) {
        for (i = 1; i < nargs; i++) {
            fb = ngx_array_push(&vk->fallbacks);
            if (fb == NULL) {
                return NGX_CONF_ERROR;
            }

            *fb = value[i];
        }

        vk->fallbacks_line = cf->conf_file->line;

        return NGX_CONF_OK;
    }

#undef is

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "unknown directive \"%V\" in llm_virtual_key, "
                       "allowed: " NGX_HTTP_LLM_VKEY_DIRECTIVES, name);

    return NGX_CONF_ERROR;
}


/*
 * llm_virtual_keys_file FILE: a JSON array (or {"keys": [...]}) of objects
 * with the directive's fields, for thousands of tenants:
 *   {"name": "t1", "key_sha256": "...", "team": "ml-eng",
 *    "models": ["openai/gpt-4o"], "budget": ["500 1w", "50 1d alert=80%"],
 *    "limit": "requests=600/1m concurrency=3", "metadata": {"env": "prod"}}
 * Each field becomes the directive it names and goes through the same
 * parser, so the two can never disagree.
 */

char *
ngx_http_llm_vkeys_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_main_conf_t *lmcf = conf;

    char                 *rv;
    cJSON                *root, *keys, *item, *field, *el;
    ngx_str_t            *value, path, text, name;
    ngx_uint_t            n, multi;
    ngx_array_t          *args, *saved;
    ngx_http_llm_vkey_t  *vk;

    value = cf->args->elts;
    path = value[1];

    if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_llm_read_file(cf, &path, &text, 512 * 1024 * 1024,
                               "llm_virtual_keys_file")
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    root = cJSON_ParseWithLength((char *) text.data, text.len);

    keys = root;

    if (cJSON_IsObject(root)) {
        keys = cJSON_GetObjectItemCaseSensitive(root, "keys");
    }

    if (!cJSON_IsArray(keys)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_virtual_keys_file \"%V\" is not a JSON array "
                           "of keys (or {\"keys\": [...]})", &path);
        cJSON_Delete(root);
        return NGX_CONF_ERROR;
    }

    args = ngx_array_create(cf->temp_pool, 8, sizeof(ngx_str_t));
    if (args == NULL) {
        cJSON_Delete(root);
        return NGX_CONF_ERROR;
    }

    saved = cf->args;
    rv = NGX_CONF_ERROR;
    n = 0;

    cJSON_ArrayForEach(item, keys) {
        n++;

        field = cJSON_GetObjectItemCaseSensitive(item, "name");

        if (!cJSON_IsString(field)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "llm_virtual_keys_file \"%V\": key #%ui has "
                               "no \"name\" string", &path, n);
            goto done;
        }

        if (ngx_http_llm_json_str(cf, field->valuestring, &name) != NGX_OK) {
            goto done;
        }

        vk = ngx_http_llm_vkey_create(cf, lmcf, &name);
        if (vk == NULL) {
            goto done;
        }

        cf->args = args;

        cJSON_ArrayForEach(field, item) {
            if (ngx_strcmp(field->string, "name") == 0) {
                continue;
            }

            /* several budgets or limits: a directive each */
            multi = cJSON_IsArray(field)
                    && (ngx_strcmp(field->string, "budget") == 0
                        || ngx_strcmp(field->string, "limit") == 0);

            for (el = multi ? field->child : field;
                 el;
                 el = multi ? el->next : NULL)
            {
                if (ngx_http_llm_json_args(cf, args, field->string, el)
                    != NGX_OK
                    || ngx_http_llm_vkey_cmd(cf, NULL, vk) != NGX_CONF_OK)
                {
                    cf->args = saved;
                    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                       "llm_virtual_keys_file \"%V\": "
                                       "invalid \"%s\" of key \"%V\"",
                                       &path, field->string, &name);
                    goto done;
                }
            }
        }

        cf->args = saved;

        if (ngx_http_llm_vkey_check(cf, vk) != NGX_CONF_OK) {
            goto done;
        }
    }

    rv = NGX_CONF_OK;

done:

    cf->args = saved;
    cJSON_Delete(root);

    return rv;
}


/*
 * A JSON field as one directive's arguments: a string split at spaces
 * ("500 1w alert=80%"), an array of strings (models, fallbacks), an
 * object as NAME=VALUE pairs (metadata).
 */

static ngx_int_t
ngx_http_llm_json_args(ngx_conf_t *cf, ngx_array_t *args, char *name,
    cJSON *v)
{
    u_char     *p, *end, *start;
    cJSON      *el;
    ngx_str_t  *a, s;

    args->nelts = 0;

    a = ngx_array_push(args);
    if (a == NULL) {
        return NGX_ERROR;
    }

    a->len = ngx_strlen(name);
    a->data = (u_char *) name;

    for (el = cJSON_IsString(v) ? v : v->child;
         el;
         el = cJSON_IsString(v) ? NULL : el->next)
    {
        if (!cJSON_IsString(el)) {
            return NGX_ERROR;
        }

        if (cJSON_IsObject(v)) {
            a = ngx_array_push(args);
            if (a == NULL) {
                return NGX_ERROR;
            }

            a->len = ngx_strlen(el->string) + 1 + ngx_strlen(el->valuestring);
            a->data = ngx_pnalloc(cf->pool, a->len);
            if (a->data == NULL) {
                return NGX_ERROR;
            }

            ngx_sprintf(a->data, "%s=%s", el->string, el->valuestring);
            continue;
        }

        if (ngx_http_llm_json_str(cf, el->valuestring, &s) != NGX_OK) {
            return NGX_ERROR;
        }

        p = s.data;
        end = s.data + s.len;

        for ( ;; ) {
            while (p < end && *p == ' ') {
                p++;
            }

            if (p == end) {
                break;
            }

            start = p;

            while (p < end && *p != ' ') {
                p++;
            }

            a = ngx_array_push(args);
            if (a == NULL) {
                return NGX_ERROR;
            }

            a->data = start;
            a->len = p - start;
        }
    }

    return args->nelts > 1 ? NGX_OK : NGX_ERROR;
}


/* the configuration outlives the parsed document: copy, NUL-terminated */

static ngx_int_t
ngx_http_llm_json_str(ngx_conf_t *cf, char *v, ngx_str_t *out)
{
    out->len = ngx_strlen(v);

    out->data = ngx_pnalloc(cf->pool, out->len + 1);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(out->data, v, out->len + 1);

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_hex_decode(u_char *dst, ngx_str_t *src)
{
    ngx_int_t   n;
    ngx_uint_t  i;

    for (i = 0; i < src->len; i += 2) {
        n = ngx_hextoi(src->data + i, 2);
        if (n == NGX_ERROR) {
            return NGX_ERROR;
        }

        dst[i / 2] = (u_char) n;
    }

    return NGX_OK;
}


static int ngx_libc_cdecl
ngx_http_llm_cmp_hash_keys(const void *one, const void *two)
{
    const ngx_hash_key_t  *a = one, *b = two;

    return ngx_memcmp(a->key.data, b->key.data, 64);
}


ngx_int_t
ngx_http_llm_init_vkey_hash(ngx_conf_t *cf, ngx_http_llm_main_conf_t *lmcf)
{
    ngx_str_t               *k;
    ngx_uint_t               i;
    ngx_hash_key_t          *hk;
    ngx_hash_init_t          hash;
    ngx_array_t              keys;
    ngx_http_llm_vkey_t    **vk;

    if (ngx_array_init(&keys, cf->temp_pool, lmcf->vkeys.nelts + 1,
                       sizeof(ngx_hash_key_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    vk = lmcf->vkeys.elts;

    for (i = 0; i < lmcf->vkeys.nelts; i++) {
        hk = ngx_array_push(&keys);
        if (hk == NULL) {
            return NGX_ERROR;
        }

        k = &hk->key;
        k->len = 64;
        k->data = ngx_pnalloc(cf->pool, 64);
        if (k->data == NULL) {
            return NGX_ERROR;
        }

        ngx_hex_dump(k->data, vk[i]->sha256, 32);

        hk->key_hash = ngx_hash_key(k->data, k->len);
        hk->value = vk[i];
    }

    /* two keys with one secret would make authentication ambiguous */

    hk = keys.elts;
    ngx_qsort(hk, keys.nelts, sizeof(ngx_hash_key_t),
              ngx_http_llm_cmp_hash_keys);

    for (i = 1; i < keys.nelts; i++) {
        if (ngx_memcmp(hk[i].key.data, hk[i - 1].key.data, 64) == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "llm_virtual_key \"%V\" and \"%V\" have the "
                               "same secret",
                               &((ngx_http_llm_vkey_t *) hk[i].value)->name,
                               &((ngx_http_llm_vkey_t *) hk[i - 1].value)
                               ->name);
            return NGX_ERROR;
        }
    }

    hash.hash = &lmcf->vkey_hash;
    hash.key = ngx_hash_key;
    /* room for tens of thousands of tenants: three keys a bucket */
    hash.max_size = 262144;
    hash.bucket_size = ngx_align(3 * (64 + 2 * sizeof(void *)),
                                 ngx_cacheline_size);
    hash.name = "llm_virtual_key_hash";
    hash.pool = cf->pool;
    hash.temp_pool = NULL;

    return ngx_hash_init(&hash, keys.elts, keys.nelts);
}


ngx_int_t
ngx_http_llm_init_providers(ngx_conf_t *cf, ngx_http_llm_main_conf_t *lmcf)
{
    ngx_uint_t                 i;
    ngx_http_llm_provider_t  **pr;

    pr = lmcf->providers.elts;

    for (i = 0; i < lmcf->providers.nelts; i++) {

        if (pr[i]->upstream == NULL) {
            /* a mock, or disabled */
            continue;
        }

#if (NGX_HTTP_SSL)
        if (pr[i]->ssl && lmcf->ssl == NULL) {
            lmcf->ssl = ngx_pcalloc(cf->pool, sizeof(ngx_ssl_t));
            if (lmcf->ssl == NULL) {
                return NGX_ERROR;
            }
        }
#endif

        /*
         * an upstream{} block keeps its own "keepalive"; a host named
         * directly gets a per-provider connection cache
         */

        if (!(pr[i]->upstream->flags & NGX_HTTP_UPSTREAM_CREATE)
            && pr[i]->keepalive_max)
        {
            pr[i]->keepalive = ngx_http_llm_keepalive_create(cf,
                                                      pr[i]->keepalive_max);
            if (pr[i]->keepalive == NULL) {
                return NGX_ERROR;
            }
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_llm_resolve_env_keys(ngx_cycle_t *cycle,
    ngx_http_llm_main_conf_t *lmcf)
{
    ngx_uint_t                 i, j;
    ngx_http_llm_api_key_t    *key;
    ngx_http_llm_provider_t  **pr;

    pr = lmcf->providers.elts;

    for (i = 0; i < lmcf->providers.nelts; i++) {
        if (pr[i]->disabled) {
            continue;
        }

        key = pr[i]->api_keys.elts;

        for (j = 0; j < pr[i]->api_keys.nelts; j++) {
            ngx_http_llm_resolve_env_key(cycle, pr[i], &key[j]);
        }

        for (j = 0; j < 3; j++) {
            ngx_http_llm_resolve_env_key(cycle, pr[i], &pr[i]->aws[j]);
        }
    }

    return NGX_OK;
}


static void
ngx_http_llm_resolve_env_key(ngx_cycle_t *cycle, ngx_http_llm_provider_t *pr,
    ngx_http_llm_api_key_t *key)
{
    u_char  *v;

    if (key->env.len == 0) {
        return;
    }

    /* env names come from the config (or literals): NUL-terminated */
    v = (u_char *) getenv((char *) key->env.data);

    if (v == NULL || *v == '\0') {
        /* a session token is optional: no word about it */
        if (pr->type != NGX_HTTP_LLM_PROVIDER_BEDROCK || key != &pr->aws[2])
        {
            ngx_log_error(NGX_LOG_WARN, cycle->log, 0,
                          "llm provider \"%V\": environment variable "
                          "\"%V\" is not set here (list it with "
                          "\"env %V;\"), that key is not used",
                          &pr->name, &key->env, &key->env);
        }

        ngx_str_null(&key->value);
        return;
    }

    key->value.data = v;
    key->value.len = ngx_strlen(v);
}


/*
 * A key's fallbacks must be models the key may call: nginx -t says so
 * rather than every request finding out.
 */

ngx_int_t
ngx_http_llm_check_fallbacks(ngx_conf_t *cf, ngx_http_llm_main_conf_t *lmcf)
{
    u_char                    *slash;
    ngx_str_t                 *fb, pname, model;
    ngx_uint_t                 i, j, k, ok;
    ngx_http_llm_vkey_t      **vk;
    ngx_http_llm_provider_t   *pr, **prs;

    vk = lmcf->vkeys.elts;
    prs = lmcf->providers.elts;

    for (i = 0; i < lmcf->vkeys.nelts; i++) {
        fb = vk[i]->fallbacks.elts;

        for (j = 0; j < vk[i]->fallbacks.nelts; j++) {
            ok = 0;
            slash = ngx_strlchr(fb[j].data, fb[j].data + fb[j].len, '/');
            pr = NULL;

            if (slash) {
                pname.data = fb[j].data;
                pname.len = slash - fb[j].data;
                pr = ngx_http_llm_find_provider(lmcf, &pname);
            }

            if (pr) {
                model.data = slash + 1;
                model.len = fb[j].data + fb[j].len - model.data;

                ok = ngx_http_llm_provider_serves(pr, &model)
                     && ngx_http_llm_key_allows(vk[i], pr, &model);

            } else {
                for (k = 0; k < lmcf->providers.nelts && !ok; k++) {
                    ok = ngx_http_llm_provider_serves(prs[k], &fb[j])
                         && ngx_http_llm_key_allows(vk[i], prs[k], &fb[j]);
                }
            }

            if (!ok) {
                ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                              "llm_virtual_key \"%V\": fallback \"%V\" is "
                              "not a model this key may call, in %V:%ui",
                              &vk[i]->name, &fb[j], &vk[i]->file,
                              vk[i]->fallbacks_line);
                return NGX_ERROR;
            }
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_llm_provider_serves(ngx_http_llm_provider_t *pr, ngx_str_t *model)
{
    ngx_uint_t               i;
    ngx_http_llm_pattern_t  *pat;

    pat = pr->models.elts;

    for (i = 0; i < pr->models.nelts; i++) {
        if (ngx_http_llm_pattern_match(&pat[i], model)) {
            return 1;
        }
    }

    return 0;
}


ngx_http_llm_provider_t *
ngx_http_llm_find_provider(ngx_http_llm_main_conf_t *lmcf, ngx_str_t *name)
{
    ngx_uint_t                 i;
    ngx_http_llm_provider_t  **pr;

    pr = lmcf->providers.elts;

    for (i = 0; i < lmcf->providers.nelts; i++) {
        if (pr[i]->name.len == name->len
            && ngx_strncmp(pr[i]->name.data, name->data, name->len) == 0)
        {
            return pr[i];
        }
    }

    return NULL;
}


/* deny by default: a key with no "models" may call nothing */

ngx_int_t
ngx_http_llm_key_allows(ngx_http_llm_vkey_t *vk, ngx_http_llm_provider_t *pr,
    ngx_str_t *model)
{
    u_char                     buf[512];
    ngx_str_t                  full;
    ngx_uint_t                 i;
    ngx_http_llm_key_model_t  *km;

    km = vk->models.elts;

    for (i = 0; i < vk->models.nelts; i++) {

        if (km[i].regex) {
            if (pr->name.len + 1 + model->len > sizeof(buf)) {
                continue;
            }

            full.data = buf;
            full.len = ngx_sprintf(buf, "%V/%V", &pr->name, model) - buf;

            if (ngx_regex_exec(km[i].regex, &full, NULL, 0) >= 0) {
                return 1;
            }

            continue;
        }

        if (km[i].provider.len
            && (km[i].provider.len != pr->name.len
                || ngx_strncmp(km[i].provider.data, pr->name.data,
                               pr->name.len) != 0))
        {
            continue;
        }

        if (ngx_http_llm_pattern_match(&km[i].model, model)) {
            return 1;
        }
    }

    return 0;
}
