
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_provider_conf.h"
#include "ngx_http_llm_file.h"
#include "ngx_http_llm_keepalive.h"
#include "ngx_http_llm_pattern.h"
#include "ngx_http_llm_provider.h"
#include "ngx_http_llm_tenant.h"
#include "ngx_http_llm_url.h"
#include "ngx_http_llm_vertex.h"


static char *ngx_http_llm_provider_cmd(ngx_conf_t *cf, ngx_command_t *dummy,
    void *conf);
static char *ngx_http_llm_provider_directive(ngx_conf_t *cf, void *conf);
static char *ngx_http_llm_set_type(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_llm_set_once(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_llm_set_str(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_llm_set_count(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_llm_set_msec(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_llm_set_deployment(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_llm_set_url(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_llm_set_credentials(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_llm_set_aws(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_llm_set_models(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_llm_set_api_key(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_llm_set_timeouts(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_llm_set_breaker(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_llm_secret(ngx_conf_t *cf, ngx_str_t *v,
    ngx_http_llm_api_key_t *key);
static ngx_int_t ngx_http_llm_read_secret_file(ngx_conf_t *cf,
    ngx_str_t *path, ngx_str_t *out);
static ngx_int_t ngx_http_llm_bedrock_conf(ngx_conf_t *cf,
    ngx_http_llm_provider_t *pr);
static ngx_int_t ngx_http_llm_check_env_keys(ngx_conf_t *cf,
    ngx_http_llm_provider_t *pr);
static ngx_uint_t ngx_http_llm_env_unset(ngx_http_llm_api_key_t *key);
static void ngx_http_llm_resolve_env_key(ngx_cycle_t *cycle,
    ngx_http_llm_provider_t *pr, ngx_http_llm_api_key_t *key);


#define NGX_HTTP_LLM_PROVIDER_DIRECTIVES                                      \
    "type, url, host, api_key, models, weight, timeouts, keepalive, "        \
    "cooldown, circuit_breaker, latency, stream_events, anthropic_version, " \
    "api_version, deployment, region, aws_access_key_id, "                   \
    "aws_secret_access_key, aws_session_token, project, location, "         \
    "credentials, budget, limit"

#define ngx_http_llm_pr(field)  offsetof(ngx_http_llm_provider_t, field)


/*
 * What may be said inside llm_provider { }, as nginx's own command tables:
 * a name, the setter, where it stores.  The setters check their arguments
 * themselves, to say what is allowed.
 */

static ngx_command_t  ngx_http_llm_provider_commands[] = {

    { ngx_string("type"), 0, ngx_http_llm_set_type, 0, 0, NULL },
    { ngx_string("url"), 0, ngx_http_llm_set_url, 0, 0, NULL },
    { ngx_string("host"), 0, ngx_http_llm_set_str, 0,
      ngx_http_llm_pr(host), NULL },
    { ngx_string("api_key"), 0, ngx_http_llm_set_api_key, 0, 0, NULL },
    { ngx_string("models"), 0, ngx_http_llm_set_models, 0, 0, NULL },
    { ngx_string("weight"), 0, ngx_http_llm_set_count, 0,
      ngx_http_llm_pr(weight), NULL },
    { ngx_string("timeouts"), 0, ngx_http_llm_set_timeouts, 0, 0, NULL },
    { ngx_string("keepalive"), 0, ngx_http_llm_set_count, 0,
      ngx_http_llm_pr(keepalive_max), NULL },
    { ngx_string("cooldown"), 0, ngx_http_llm_set_msec, 0,
      ngx_http_llm_pr(cooldown), "a time such as 30s" },
    { ngx_string("circuit_breaker"), 0, ngx_http_llm_set_breaker, 0, 0,
      NULL },
    { ngx_string("latency"), 0, ngx_http_llm_set_msec, 0,
      ngx_http_llm_pr(latency), "a time such as 200ms or 1s" },
    { ngx_string("stream_events"), 0, ngx_http_llm_set_count, 0,
      ngx_http_llm_pr(stream_events), "at least 1" },
    { ngx_string("anthropic_version"), 0, ngx_http_llm_set_once, 0,
      ngx_http_llm_pr(anthropic_version), NULL },
    { ngx_string("api_version"), 0, ngx_http_llm_set_once, 0,
      ngx_http_llm_pr(api_version), NULL },
    { ngx_string("deployment"), 0, ngx_http_llm_set_deployment, 0, 0,
      NULL },
    { ngx_string("region"), 0, ngx_http_llm_set_once, 0,
      ngx_http_llm_pr(region), NULL },
    { ngx_string("aws_access_key_id"), 0, ngx_http_llm_set_aws, 0,
      ngx_http_llm_pr(aws[0]), NULL },
    { ngx_string("aws_secret_access_key"), 0, ngx_http_llm_set_aws, 0,
      ngx_http_llm_pr(aws[1]), NULL },
    { ngx_string("aws_session_token"), 0, ngx_http_llm_set_aws, 0,
      ngx_http_llm_pr(aws[2]), NULL },
    { ngx_string("project"), 0, ngx_http_llm_set_once, 0,
      ngx_http_llm_pr(project), NULL },
    { ngx_string("location"), 0, ngx_http_llm_set_once, 0,
      ngx_http_llm_pr(location), NULL },
    { ngx_string("credentials"), 0, ngx_http_llm_set_credentials, 0, 0,
      NULL },

      ngx_null_command
};


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

    ngx_int_t       n;
    ngx_str_t      *value;
    ngx_command_t  *cmd;

    value = cf->args->elts;

    n = ngx_http_llm_entity_cmd(cf, &pr->entity);

    if (n != NGX_DECLINED) {
        return n == NGX_OK ? NGX_CONF_OK : NGX_CONF_ERROR;
    }

    if (cf->args->nelts < 2) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" in llm_provider takes a value", &value[0]);
        return NGX_CONF_ERROR;
    }

    for (cmd = ngx_http_llm_provider_commands; cmd->name.len; cmd++) {
        if (cmd->name.len == value[0].len
            && ngx_strncmp(cmd->name.data, value[0].data, value[0].len) == 0)
        {
            return cmd->set(cf, cmd, pr);
        }
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "unknown directive \"%V\" in llm_provider, allowed: "
                       NGX_HTTP_LLM_PROVIDER_DIRECTIVES, &value[0]);

    return NGX_CONF_ERROR;
}


static char *
ngx_http_llm_set_type(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_provider_t *pr = conf;

    ngx_str_t  *value;

    value = cf->args->elts;

    if (cf->args->nelts != 2 || pr->type) {
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


/* a string given once: anthropic_version, api_version, project... */

static char *
ngx_http_llm_set_once(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_str_t  *field, *value;

    field = (ngx_str_t *) ((u_char *) conf + cmd->offset);
    value = cf->args->elts;

    if (cf->args->nelts != 2 || field->len) {
        return "is duplicate or takes one value";
    }

    *field = value[1];

    return NGX_CONF_OK;
}


/* a string, the last one given winning: host */

static char *
ngx_http_llm_set_str(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_str_t  *field, *value;

    field = (ngx_str_t *) ((u_char *) conf + cmd->offset);
    value = cf->args->elts;

    if (cf->args->nelts != 2) {
        return "takes one value";
    }

    *field = value[1];

    return NGX_CONF_OK;
}


/* an integer from 0 (or cmd->post's minimum) to 1000000 */

static char *
ngx_http_llm_set_count(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_int_t    n;
    ngx_str_t   *value;
    ngx_uint_t  *field;

    field = (ngx_uint_t *) ((u_char *) conf + cmd->offset);
    value = cf->args->elts;

    n = (cf->args->nelts == 2) ? ngx_atoi(value[1].data, value[1].len)
                               : NGX_ERROR;

    if (n == NGX_ERROR || n > 1000000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid \"%V\" value \"%V\", allowed: "
                           "an integer from 0 to 1000000",
                           &value[0], &value[1]);
        return NGX_CONF_ERROR;
    }

    if (cmd->post && n == 0) {
        return "must be at least 1";
    }

    *field = n;

    return NGX_CONF_OK;
}


/* a time; cmd->post says what is allowed */

static char *
ngx_http_llm_set_msec(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_str_t   *value;
    ngx_msec_t  *field;

    field = (ngx_msec_t *) ((u_char *) conf + cmd->offset);
    value = cf->args->elts;

    *field = ngx_parse_time(&value[1], 0);

    if (cf->args->nelts != 2 || *field == (ngx_msec_t) NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid %V \"%V\", allowed: %s",
                           &value[0], &value[1], (char *) cmd->post);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_llm_set_deployment(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_provider_t *pr = conf;

    ngx_str_t     *value;
    ngx_keyval_t  *kv;

    value = cf->args->elts;

    if (cf->args->nelts != 3) {
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


static char *
ngx_http_llm_set_url(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_provider_t *pr = conf;

    ngx_str_t  *value;

    value = cf->args->elts;

    if (cf->args->nelts != 2 || pr->url.len) {
        return "is duplicate or takes one value";
    }

    return ngx_http_llm_url_parse(cf, pr, &value[1]);
}


static char *
ngx_http_llm_set_credentials(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_provider_t *pr = conf;

    ngx_str_t  *value;

    value = cf->args->elts;

    if (cf->args->nelts != 2 || pr->credentials.len) {
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


/* one of Bedrock's AWS keys: a value, env:NAME or file:PATH */

static char *
ngx_http_llm_set_aws(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_str_t               *value;
    ngx_http_llm_api_key_t  *key;

    key = (ngx_http_llm_api_key_t *) ((u_char *) conf + cmd->offset);
    value = cf->args->elts;

    if (cf->args->nelts != 2 || key->value.len || key->env.len) {
        return "is duplicate or takes one value";
    }

    return ngx_http_llm_secret(cf, &value[1], key);
}


static char *
ngx_http_llm_set_models(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_provider_t *pr = conf;

    ngx_str_t               *value;
    ngx_uint_t               i;
    ngx_http_llm_pattern_t  *pat;

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        pat = ngx_array_push(&pr->models);
        if (pat == NULL) {
            return NGX_CONF_ERROR;
        }

        if (ngx_http_llm_pattern_compile(cf, pat, &value[i]) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_llm_set_api_key(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_provider_t *pr = conf;

    ngx_int_t                w;
    ngx_str_t               *value;
    ngx_uint_t               nargs;
    ngx_http_llm_api_key_t  *key;

    value = cf->args->elts;
    nargs = cf->args->nelts;

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
ngx_http_llm_set_breaker(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_provider_t *pr = conf;

    ngx_int_t   n;
    ngx_str_t   v, *value;
    ngx_uint_t  i, nargs;

    value = cf->args->elts;
    nargs = cf->args->nelts;

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
ngx_http_llm_set_timeouts(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_provider_t *pr = conf;

    u_char      *eq;
    ngx_str_t    k, v, *value;
    ngx_msec_t   t, *slot;
    ngx_uint_t   i, nargs;

    value = cf->args->elts;
    nargs = cf->args->nelts;

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
