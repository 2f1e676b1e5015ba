
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_tenant.h"


/*
 * Tenants: customers, teams (of a customer), virtual keys (of a team or a
 * customer) and providers all carry budgets and limits.  This file parses
 * them, wherever they appear, and ties each tenant to its parent.
 */


static char *ngx_http_llm_tenant_cmd(ngx_conf_t *cf, ngx_command_t *dummy,
    void *conf);
static ngx_int_t ngx_http_llm_set_budget(ngx_conf_t *cf,
    ngx_http_llm_entity_t *e, ngx_str_t *value, ngx_uint_t nargs);
static ngx_int_t ngx_http_llm_set_limit(ngx_conf_t *cf,
    ngx_http_llm_entity_t *e, ngx_str_t *value, ngx_uint_t nargs);
static ngx_int_t ngx_http_llm_add_limit(ngx_conf_t *cf,
    ngx_http_llm_entity_t *e, ngx_uint_t kind, ngx_uint_t window,
    int64_t max, ngx_uint_t alert);
static ngx_int_t ngx_http_llm_set_metadata(ngx_conf_t *cf,
    ngx_http_llm_entity_t *e, ngx_str_t *value, ngx_uint_t nargs);
static ngx_http_llm_entity_t *ngx_http_llm_find_entity(ngx_array_t *a,
    ngx_str_t *name);
static ngx_http_llm_entity_t **ngx_http_llm_sorted(ngx_conf_t *cf,
    ngx_array_t *a);
static int ngx_libc_cdecl ngx_http_llm_entity_cmp(const void *one,
    const void *two);
static ngx_http_llm_entity_t *ngx_http_llm_lookup(
    ngx_http_llm_entity_t **sorted, ngx_uint_t n, ngx_str_t *name);


static ngx_str_t  ngx_http_llm_tier_names[] = {
    ngx_string("key"),
    ngx_string("team"),
    ngx_string("customer"),
    ngx_string("provider")
};


static ngx_str_t  ngx_http_llm_kind_names[] = {
    ngx_null_string,
    ngx_string("budget"),
    ngx_string("requests"),
    ngx_string("tokens"),
    ngx_string("concurrency")
};


ngx_str_t *
ngx_http_llm_tier_name(ngx_uint_t tier)
{
    return &ngx_http_llm_tier_names[tier];
}


/* NGX_HTTP_LLM_LIMIT_* by name, as in errors, logs and the usage API */

ngx_str_t *
ngx_http_llm_kind_name(ngx_uint_t kind)
{
    return &ngx_http_llm_kind_names[kind];
}


/* names end up in shared memory keys, JSON and headers: keep them plain */

ngx_int_t
ngx_http_llm_entity_init(ngx_conf_t *cf, ngx_http_llm_entity_t *e,
    ngx_uint_t tier, ngx_str_t *name)
{
    u_char  *p;

    for (p = name->data; p < name->data + name->len; p++) {
        if (*p <= 0x20 || *p >= 0x7f || *p == '|' || *p == '"'
            || *p == '\\' || *p == '/')
        {
            break;
        }
    }

    if (name->len == 0 || name->len > 128 || p < name->data + name->len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid %V name \"%V\", allowed: 1 to 128 "
                           "printable characters without spaces, quotes, "
                           "\"/\", \"|\" or \"\\\"",
                           &ngx_http_llm_tier_names[tier], name);
        return NGX_ERROR;
    }

    e->name = *name;
    e->tier = tier;
    e->file = cf->conf_file->file.name;
    e->line = cf->conf_file->line;

    if (ngx_array_init(&e->limits, cf->pool, 2, sizeof(ngx_http_llm_limit_t))
        != NGX_OK
        || ngx_array_init(&e->metadata, cf->pool, 2, sizeof(ngx_keyval_t))
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * The directives every tenant shares.  NGX_DECLINED: not one of them.
 */

ngx_int_t
ngx_http_llm_entity_cmd(ngx_conf_t *cf, ngx_http_llm_entity_t *e)
{
    ngx_str_t   *value, *name;
    ngx_uint_t   nargs;

    value = cf->args->elts;
    nargs = cf->args->nelts;
    name = &value[0];

#define is(s)  (name->len == sizeof(s) - 1                                   \
                && ngx_strncmp(name->data, s, sizeof(s) - 1) == 0)

    if (is("budget")) {
        return ngx_http_llm_set_budget(cf, e, value, nargs);
    }

    if (is("limit")) {
        return ngx_http_llm_set_limit(cf, e, value, nargs);
    }

    if (is("metadata")) {
        return ngx_http_llm_set_metadata(cf, e, value, nargs);
    }

    if ((is("team") && e->tier == NGX_HTTP_LLM_TIER_KEY)
        || (is("customer") && (e->tier == NGX_HTTP_LLM_TIER_KEY
                               || e->tier == NGX_HTTP_LLM_TIER_TEAM)))
    {
        if (nargs != 2) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\" takes one name", name);
            return NGX_ERROR;
        }

        if (is("team")) {
            if (e->team.len) {
                goto duplicate;
            }

            e->team = value[1];

        } else {
            if (e->customer.len) {
                goto duplicate;
            }

            e->customer = value[1];
        }

        return NGX_OK;
    }

#undef is

    return NGX_DECLINED;

duplicate:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\" is duplicate", name);
    return NGX_ERROR;
}


/* budget AMOUNT WINDOW [alert=N%] */

static ngx_int_t
ngx_http_llm_set_budget(ngx_conf_t *cf, ngx_http_llm_entity_t *e,
    ngx_str_t *value, ngx_uint_t nargs)
{
    size_t      len;
    int64_t     amount;
    ngx_int_t   alert;
    ngx_uint_t  window;

    if (nargs < 3 || nargs > 4) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid budget, allowed: budget AMOUNT WINDOW "
                           "[alert=N%%]");
        return NGX_ERROR;
    }

    amount = ngx_http_llm_money_parse(value[1].data, value[1].len, 9);

    if (amount == NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid budget amount \"%V\", allowed: USD such "
                           "as 500 or 0.25", &value[1]);
        return NGX_ERROR;
    }

    window = ngx_http_llm_window_parse(value[2].data, value[2].len);

    if (window == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid budget window \"%V\", allowed: 1m 5m "
                           "1h 1d 1w 1M 1Y", &value[2]);
        return NGX_ERROR;
    }

    alert = 0;

    if (nargs == 4) {
        len = value[3].len;

        if (len > 6 && ngx_strncmp(value[3].data, "alert=", 6) == 0) {
            if (value[3].data[len - 1] == '%') {
                len--;
            }

            alert = ngx_atoi(value[3].data + 6, len - 6);
        }

        if (alert < 1 || alert > 100) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid budget \"%V\", allowed: alert=N%% "
                               "with N from 1 to 100", &value[3]);
            return NGX_ERROR;
        }
    }

    return ngx_http_llm_add_limit(cf, e, NGX_HTTP_LLM_LIMIT_BUDGET, window,
                                  amount, alert);
}


/* limit requests=N/W tokens=N/W concurrency=N */

static ngx_int_t
ngx_http_llm_set_limit(ngx_conf_t *cf, ngx_http_llm_entity_t *e,
    ngx_str_t *value, ngx_uint_t nargs)
{
    u_char      *eq, *slash, *end;
    ngx_int_t    n;
    ngx_uint_t   i, kind, window;

    if (nargs < 2) {
        goto invalid;
    }

    for (i = 1; i < nargs; i++) {
        end = value[i].data + value[i].len;
        eq = ngx_strlchr(value[i].data, end, '=');

        if (eq == NULL) {
            goto invalid;
        }

        slash = ngx_strlchr(eq, end, '/');
        window = 0;

        if (eq - value[i].data == 8
            && ngx_strncmp(value[i].data, "requests", 8) == 0)
        {
            kind = NGX_HTTP_LLM_LIMIT_REQUESTS;

        } else if (eq - value[i].data == 6
                   && ngx_strncmp(value[i].data, "tokens", 6) == 0)
        {
            kind = NGX_HTTP_LLM_LIMIT_TOKENS;

        } else if (eq - value[i].data == 11
                   && ngx_strncmp(value[i].data, "concurrency", 11) == 0
                   && slash == NULL)
        {
            kind = NGX_HTTP_LLM_LIMIT_CONCURRENCY;

        } else {
            goto invalid;
        }

        if (kind != NGX_HTTP_LLM_LIMIT_CONCURRENCY) {
            if (slash == NULL) {
                goto invalid;
            }

            window = ngx_http_llm_window_parse(slash + 1, end - slash - 1);
            if (window == 0) {
                goto invalid;
            }

            end = slash;
        }

        n = ngx_atoi(eq + 1, end - eq - 1);

        if (n == NGX_ERROR || n == 0) {
            goto invalid;
        }

        if (ngx_http_llm_add_limit(cf, e, kind, window, n, 0) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid limit \"%V\", allowed: requests=N/WINDOW "
                       "tokens=N/WINDOW concurrency=N, with N > 0 and "
                       "WINDOW one of 1m 5m 1h 1d 1w 1M 1Y",
                       &value[nargs < 2 ? 0 : i]);
    return NGX_ERROR;
}


static ngx_int_t
ngx_http_llm_add_limit(ngx_conf_t *cf, ngx_http_llm_entity_t *e,
    ngx_uint_t kind, ngx_uint_t window, int64_t max, ngx_uint_t alert)
{
    ngx_uint_t             i;
    ngx_http_llm_limit_t  *l;

    l = e->limits.elts;

    /* one counter per kind and window: two would disagree */
    for (i = 0; i < e->limits.nelts; i++) {
        if (l[i].kind == kind && l[i].window == window) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%V \"%V\" has two %V limits for the same "
                               "window",
                               &ngx_http_llm_tier_names[e->tier], &e->name,
                               &ngx_http_llm_kind_names[kind]);
            return NGX_ERROR;
        }
    }

    l = ngx_array_push(&e->limits);
    if (l == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(l, sizeof(ngx_http_llm_limit_t));

    l->kind = kind;
    l->window = window;
    l->max = max;
    l->alert = alert;

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_set_metadata(ngx_conf_t *cf, ngx_http_llm_entity_t *e,
    ngx_str_t *value, ngx_uint_t nargs)
{
    u_char        *eq;
    ngx_uint_t     i;
    ngx_keyval_t  *kv;

    for (i = 1; i < nargs; i++) {
        eq = ngx_strlchr(value[i].data, value[i].data + value[i].len, '=');

        if (eq == NULL || eq == value[i].data) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid metadata \"%V\", allowed: "
                               "NAME=VALUE", &value[i]);
            return NGX_ERROR;
        }

        kv = ngx_array_push(&e->metadata);
        if (kv == NULL) {
            return NGX_ERROR;
        }

        kv->key.data = value[i].data;
        kv->key.len = eq - value[i].data;
        kv->value.data = eq + 1;
        kv->value.len = value[i].data + value[i].len - kv->value.data;
    }

    return NGX_OK;
}


/* llm_customer NAME { ... } and llm_team NAME { customer C; ... } */

char *
ngx_http_llm_tenant_block(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_main_conf_t *lmcf = conf;

    char                    *rv;
    ngx_str_t               *value;
    ngx_uint_t               tier;
    ngx_conf_t               save;
    ngx_array_t             *list;
    ngx_http_llm_entity_t   *e, **pe;

    value = cf->args->elts;

    if (cmd->name.len == sizeof("llm_team") - 1) {
        tier = NGX_HTTP_LLM_TIER_TEAM;
        list = &lmcf->teams;

    } else {
        tier = NGX_HTTP_LLM_TIER_CUSTOMER;
        list = &lmcf->customers;
    }

    if (ngx_http_llm_find_entity(list, &value[1])) {
        return "is duplicate";
    }

    e = ngx_pcalloc(cf->pool, sizeof(ngx_http_llm_entity_t));
    if (e == NULL) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_llm_entity_init(cf, e, tier, &value[1]) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    pe = ngx_array_push(list);
    if (pe == NULL) {
        return NGX_CONF_ERROR;
    }

    *pe = e;

    save = *cf;
    cf->handler = ngx_http_llm_tenant_cmd;
    cf->handler_conf = (char *) e;

    rv = ngx_conf_parse(cf, NULL);

    *cf = save;

    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (tier == NGX_HTTP_LLM_TIER_TEAM && e->customer.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_team \"%V\" needs \"customer\"", &e->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_llm_tenant_cmd(ngx_conf_t *cf, ngx_command_t *dummy, void *conf)
{
    ngx_http_llm_entity_t *e = conf;

    ngx_int_t   rc;
    ngx_str_t  *value;

    value = cf->args->elts;

    rc = ngx_http_llm_entity_cmd(cf, e);

    if (rc == NGX_OK) {
        return NGX_CONF_OK;
    }

    if (rc == NGX_DECLINED) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "unknown directive \"%V\" in llm_%V, allowed: "
                           "%sbudget, limit, metadata", &value[0],
                           &ngx_http_llm_tier_names[e->tier],
                           e->tier == NGX_HTTP_LLM_TIER_TEAM
                           ? "customer, " : "");
    }

    return NGX_CONF_ERROR;
}


static ngx_http_llm_entity_t *
ngx_http_llm_find_entity(ngx_array_t *a, ngx_str_t *name)
{
    ngx_uint_t               i;
    ngx_http_llm_entity_t  **e;

    e = a->elts;

    for (i = 0; i < a->nelts; i++) {
        if (e[i]->name.len == name->len
            && ngx_strncmp(e[i]->name.data, name->data, name->len) == 0)
        {
            return e[i];
        }
    }

    return NULL;
}


/*
 * After the whole configuration: teams to their customer, keys to their
 * team (and so its customer) or straight to a customer.
 */

ngx_int_t
ngx_http_llm_init_tenants(ngx_conf_t *cf, ngx_http_llm_main_conf_t *lmcf)
{
    ngx_uint_t               i;
    ngx_http_llm_vkey_t    **vk;
    ngx_http_llm_entity_t   *e, **te, *team, *customer, **teams, **customers;

    /* names looked up in sorted copies: tens of thousands of keys */

    teams = ngx_http_llm_sorted(cf, &lmcf->teams);
    customers = ngx_http_llm_sorted(cf, &lmcf->customers);

    if (teams == NULL || customers == NULL) {
        return NGX_ERROR;
    }

    te = lmcf->teams.elts;

    for (i = 0; i < lmcf->teams.nelts; i++) {
        e = te[i];
        e->parent = ngx_http_llm_lookup(customers, lmcf->customers.nelts,
                                        &e->customer);

        if (e->parent == NULL) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "llm_team \"%V\" names an unknown customer \"%V\" "
                          "in %V:%ui", &e->name, &e->customer, &e->file,
                          e->line);
            return NGX_ERROR;
        }
    }

    vk = lmcf->vkeys.elts;

    for (i = 0; i < lmcf->vkeys.nelts; i++) {
        e = &vk[i]->entity;
        team = NULL;
        customer = NULL;

        if (e->team.len) {
            team = ngx_http_llm_lookup(teams, lmcf->teams.nelts, &e->team);

            if (team == NULL) {
                ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                              "llm_virtual_key \"%V\" names an unknown "
                              "team \"%V\" in %V:%ui", &e->name, &e->team,
                              &e->file, e->line);
                return NGX_ERROR;
            }
        }

        if (e->customer.len) {
            customer = ngx_http_llm_lookup(customers, lmcf->customers.nelts,
                                           &e->customer);

            if (customer == NULL
                || (team && team->parent != customer))
            {
                ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                              "llm_virtual_key \"%V\" names %s customer "
                              "\"%V\" in %V:%ui", &e->name,
                              customer ? "another team's" : "an unknown",
                              &e->customer, &e->file, e->line);
                return NGX_ERROR;
            }
        }

        e->parent = team ? team : customer;
    }

    return NGX_OK;
}


static ngx_http_llm_entity_t **
ngx_http_llm_sorted(ngx_conf_t *cf, ngx_array_t *a)
{
    ngx_http_llm_entity_t  **sorted;

    sorted = ngx_palloc(cf->temp_pool,
                        (a->nelts + 1) * sizeof(ngx_http_llm_entity_t *));
    if (sorted == NULL) {
        return NULL;
    }

    ngx_memcpy(sorted, a->elts, a->nelts * sizeof(ngx_http_llm_entity_t *));
    ngx_qsort(sorted, a->nelts, sizeof(ngx_http_llm_entity_t *),
              ngx_http_llm_entity_cmp);

    return sorted;
}


static int ngx_libc_cdecl
ngx_http_llm_entity_cmp(const void *one, const void *two)
{
    ngx_http_llm_entity_t  *a, *b;

    a = *(ngx_http_llm_entity_t **) one;
    b = *(ngx_http_llm_entity_t **) two;

    return ngx_memn2cmp(a->name.data, b->name.data, a->name.len, b->name.len);
}


static ngx_http_llm_entity_t *
ngx_http_llm_lookup(ngx_http_llm_entity_t **sorted, ngx_uint_t n,
    ngx_str_t *name)
{
    ngx_int_t   rc;
    ngx_uint_t  lo, hi, mid;

    lo = 0;
    hi = n;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        rc = ngx_memn2cmp(name->data, sorted[mid]->name.data, name->len,
                          sorted[mid]->name.len);

        if (rc == 0) {
            return sorted[mid];
        }

        if (rc < 0) {
            hi = mid;

        } else {
            lo = mid + 1;
        }
    }

    return NULL;
}
