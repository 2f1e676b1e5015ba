
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <cjson/cJSON.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_pricing.h"
#include "ngx_http_llm_file.h"


/*
 * The price table: what the operator configured (llm_price, llm_pricing)
 * first, then the bundled table, then "llm_price default".  A model with
 * no price is refused, never charged zero (see the handler).
 */


#define NGX_HTTP_LLM_PRICES_DATE  "2026-11-22"

#define P(m, i, o, cr, cw)                                                   \
    { ngx_string(m), i, o, cr, cw, 0 }
#define PP(m, i, o, cr, cw)                                                  \
    { ngx_string(m), i, o, cr, cw, 1 }


/*
 * USD per 1M tokens x 1e6: input, output, cached input read, cache write
 * (Anthropic's 5-minute write).  Published list prices as of
 * NGX_HTTP_LLM_PRICES_DATE; prefixes ("name*") cover dated snapshots.
 * Long-context surcharges are not modelled: override with llm_price.
 */

static ngx_http_llm_price_t  ngx_http_llm_bundled_prices[] = {

    /* OpenAI */
    PP("gpt-5.5",              5000000, 30000000,  500000,        0),
    PP("gpt-5.5-pro",         30000000, 180000000,      0,        0),
    PP("gpt-5.4",              2500000, 15000000,  250000,        0),
    PP("gpt-5.4-mini",          750000,  4500000,   75000,        0),
    PP("gpt-5.4-nano",          200000,  1250000,   20000,        0),
    PP("gpt-5.4-pro",         30000000, 180000000,      0,        0),
    PP("gpt-5.2",              1750000, 14000000,  175000,        0),
    PP("gpt-5.1",              1250000, 10000000,  125000,        0),
    PP("gpt-5",                1250000, 10000000,  125000,        0),
    PP("gpt-5-mini",            250000,  2000000,   25000,        0),
    PP("gpt-5-nano",             50000,   400000,    5000,        0),
    PP("gpt-4.1",              2000000,  8000000,  500000,        0),
    PP("gpt-4.1-mini",          400000,  1600000,  100000,        0),
    PP("gpt-4.1-nano",          100000,   400000,   25000,        0),
    PP("gpt-4o",               2500000, 10000000, 1250000,        0),
    PP("gpt-4o-mini",           150000,   600000,   75000,        0),
    PP("o1",                  15000000, 60000000, 7500000,        0),
    PP("o3",                   2000000,  8000000,  500000,        0),
    PP("o3-mini",              1100000,  4400000,  550000,        0),
    PP("o4-mini",              1100000,  4400000,  275000,        0),
    P("text-embedding-3-small",  20000,        0,       0,        0),
    P("text-embedding-3-large", 130000,        0,       0,        0),
    P("text-embedding-ada-002", 100000,        0,       0,        0),

    /* Anthropic (also on Bedrock and Vertex, see the lookup) */
    PP("claude-opus-5",        5000000, 25000000,  500000,  6250000),
    PP("claude-opus-4",       15000000, 75000000, 1500000, 18750000),
    PP("claude-opus-4-5",      5000000, 25000000,  500000,  6250000),
    PP("claude-opus-4-6",      5000000, 25000000,  500000,  6250000),
    PP("claude-opus-4-7",      5000000, 25000000,  500000,  6250000),
    PP("claude-opus-4-8",      5000000, 25000000,  500000,  6250000),
    PP("claude-sonnet-5",      2000000, 10000000,  200000,  2500000),
    PP("claude-sonnet-5-5",    2000000, 10000000,  100000,  2500000),
    PP("claude-sonnet-4",      3000000, 15000000,  300000,  3750000),
    PP("claude-3-7-sonnet",    3000000, 15000000,  300000,  3750000),
    PP("claude-haiku-5-5",      100000,   500000,   10000,   125000),
    PP("claude-haiku-4-5",     1000000,  5000000,  100000,  1250000),
    PP("claude-3-5-haiku",      800000,  4000000,   80000,  1000000),

    /* Google (prompts up to 200k tokens) */
    PP("gemini-3-pro",         2000000, 12000000,  200000,        0),
    PP("gemini-2.5-pro",       1250000, 10000000,  125000,        0),
    PP("gemini-2.5-flash",      300000,  2500000,   30000,        0),
    PP("gemini-2.5-flash-lite", 100000,   400000,   10000,        0),
    PP("gemini-2.0-flash",      100000,   400000,   25000,        0),
    P("text-embedding-004",          0,        0,       0,        0),

    /* Amazon models on Bedrock */
    PP("nova-premier",         2500000, 12500000,       0,        0),
    PP("nova-pro",              800000,  3200000,  200000,        0),
    PP("nova-lite",              60000,   240000,   15000,        0),
    PP("nova-micro",             35000,   140000,    8750,        0)
};


static ngx_http_llm_price_t  ngx_http_llm_free_price;


static char *ngx_http_llm_price_args(ngx_conf_t *cf,
    ngx_http_llm_price_t *price, ngx_str_t *args, ngx_uint_t n);
static ngx_int_t ngx_http_llm_price_json(ngx_conf_t *cf, ngx_str_t *file,
    ngx_http_llm_price_t *price, cJSON *item);


ngx_str_t *
ngx_http_llm_prices_date(void)
{
    static ngx_str_t  date = ngx_string(NGX_HTTP_LLM_PRICES_DATE);

    return &date;
}


/* llm_price MODEL|default input=2.5 output=10 [cache_read=] [cache_write=] */

char *
ngx_http_llm_price(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_main_conf_t *lmcf = conf;

    ngx_str_t             *value;
    ngx_http_llm_price_t  *price;

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "default") == 0) {
        if (lmcf->default_price) {
            return "is duplicate: one default price";
        }

        price = ngx_pcalloc(cf->pool, sizeof(ngx_http_llm_price_t));
        if (price == NULL) {
            return NGX_CONF_ERROR;
        }

        lmcf->default_price = price;

    } else {
        price = ngx_array_push(&lmcf->prices);
        if (price == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_memzero(price, sizeof(ngx_http_llm_price_t));
    }

    price->model = value[1];

    if (price->model.data[price->model.len - 1] == '*') {
        price->model.len--;
        price->prefix = 1;

        if (price->model.len == 0) {
            return "takes \"default\", not \"*\"";
        }
    }

    return ngx_http_llm_price_args(cf, price, &value[2], cf->args->nelts - 2);
}


static char *
ngx_http_llm_price_args(ngx_conf_t *cf, ngx_http_llm_price_t *price,
    ngx_str_t *args, ngx_uint_t n)
{
    u_char      *eq;
    int64_t      v, *field;
    ngx_str_t    name;
    ngx_uint_t   i, seen;

    seen = 0;

    for (i = 0; i < n; i++) {
        eq = ngx_strlchr(args[i].data, args[i].data + args[i].len, '=');
        if (eq == NULL) {
            goto invalid;
        }

        name.data = args[i].data;
        name.len = eq - args[i].data;

        if (name.len == 5 && ngx_strncmp(name.data, "input", 5) == 0) {
            field = &price->input;
            seen |= 1;

        } else if (name.len == 6 && ngx_strncmp(name.data, "output", 6) == 0)
        {
            field = &price->output;
            seen |= 2;

        } else if (name.len == 10
                   && ngx_strncmp(name.data, "cache_read", 10) == 0)
        {
            field = &price->cache_read;

        } else if (name.len == 11
                   && ngx_strncmp(name.data, "cache_write", 11) == 0)
        {
            field = &price->cache_write;

        } else {
            goto invalid;
        }

        /* USD per 1M tokens, to micro-USD */
        v = ngx_http_llm_money_parse(eq + 1,
                                     args[i].data + args[i].len - eq - 1, 6);
        if (v == NGX_ERROR) {
            goto invalid;
        }

        *field = v;
    }

    if (seen != 3) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_price \"%V\" needs input= and output=",
                           &price->model);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid llm_price \"%V\", allowed: input=USD "
                       "output=USD cache_read=USD cache_write=USD, per "
                       "million tokens, at most 6 decimals", &args[i]);
    return NGX_CONF_ERROR;
}


/*
 * llm_pricing FILE: {"models": {"gpt-4o": {"input": 2.5, "output": 10,
 * "cache_read": 1.25, "cache_write": 0}, "my-model*": {...}},
 * "default": {...}}.  Read at configuration time.
 */

char *
ngx_http_llm_pricing(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_main_conf_t *lmcf = conf;

    char                  *rv;
    cJSON                 *root, *models, *item;
    ngx_str_t             *value, file, text;
    ngx_http_llm_price_t  *price;

    value = cf->args->elts;
    file = value[1];

    if (ngx_conf_full_name(cf->cycle, &file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_llm_read_file(cf, &file, &text, 16 * 1024 * 1024,
                               "llm_pricing file")
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    root = cJSON_ParseWithLength((char *) text.data, text.len);

    if (root == NULL || !cJSON_IsObject(root)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_pricing \"%V\" is not a JSON object", &file);
        cJSON_Delete(root);
        return NGX_CONF_ERROR;
    }

    rv = NGX_CONF_ERROR;

    models = cJSON_GetObjectItemCaseSensitive(root, "models");

    if (!cJSON_IsObject(models)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_pricing \"%V\" has no \"models\" object",
                           &file);
        goto done;
    }

    cJSON_ArrayForEach(item, models) {
        price = ngx_array_push(&lmcf->prices);
        if (price == NULL) {
            goto done;
        }

        ngx_memzero(price, sizeof(ngx_http_llm_price_t));

        price->model.len = ngx_strlen(item->string);
        price->model.data = ngx_pnalloc(cf->pool, price->model.len + 1);

        if (price->model.data == NULL) {
            goto done;
        }

        ngx_memcpy(price->model.data, item->string, price->model.len + 1);

        if (price->model.len > 1
            && price->model.data[price->model.len - 1] == '*')
        {
            price->model.len--;
            price->prefix = 1;
        }

        if (price->model.len == 0
            || ngx_http_llm_price_json(cf, &file, price, item) != NGX_OK)
        {
            goto done;
        }
    }

    item = cJSON_GetObjectItemCaseSensitive(root, "default");

    if (item) {
        if (lmcf->default_price) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "llm_pricing \"%V\": a default price is "
                               "already set", &file);
            goto done;
        }

        price = ngx_pcalloc(cf->pool, sizeof(ngx_http_llm_price_t));
        if (price == NULL) {
            goto done;
        }

        ngx_str_set(&price->model, "default");

        if (ngx_http_llm_price_json(cf, &file, price, item) != NGX_OK) {
            goto done;
        }

        lmcf->default_price = price;
    }

    rv = NGX_CONF_OK;

done:

    cJSON_Delete(root);

    return rv;
}


static ngx_int_t
ngx_http_llm_price_json(ngx_conf_t *cf, ngx_str_t *file,
    ngx_http_llm_price_t *price, cJSON *item)
{
    static const char  *names[] = { "input", "output", "cache_read",
                                    "cache_write" };

    cJSON       *v;
    double       d;
    int64_t     *fields[4];
    ngx_uint_t   i;

    fields[0] = &price->input;
    fields[1] = &price->output;
    fields[2] = &price->cache_read;
    fields[3] = &price->cache_write;

    if (!cJSON_IsObject(item)) {
        goto invalid;
    }

    for (i = 0; i < 4; i++) {
        v = cJSON_GetObjectItemCaseSensitive(item, names[i]);

        if (v == NULL && i >= 2) {
            continue;
        }

        if (!cJSON_IsNumber(v)) {
            goto invalid;
        }

        d = v->valuedouble;

        /* configuration text to integer micro-USD, once */
        if (!(d >= 0 && d < 1e9)) {
            goto invalid;
        }

        *fields[i] = (int64_t) (d * 1e6 + 0.5);
    }

    return NGX_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "llm_pricing \"%V\": invalid price of \"%V\", "
                       "allowed: {\"input\": USD, \"output\": USD, "
                       "\"cache_read\": USD, \"cache_write\": USD} per "
                       "million tokens", file, &price->model);
    return NGX_ERROR;
}


/*
 * The price of a model as a provider names it.  Bedrock and Vertex ids
 * carry a vendor and region ("us.anthropic.claude-sonnet-4-5-2025...",
 * "amazon.nova-pro-v1:0"): without an exact entry, the name after the
 * last dot is looked up too.  A mock costs nothing unless priced.
 */

ngx_http_llm_price_t *
ngx_http_llm_price_find(ngx_http_llm_main_conf_t *lmcf,
    ngx_http_llm_provider_t *pr, ngx_str_t *model)
{
    u_char                *dot;
    ngx_str_t              name;
    ngx_uint_t             pass;
    ngx_http_llm_price_t  *p;

    name = *model;

    for (pass = 0; pass < 2; pass++) {
        p = ngx_http_llm_price_lookup(lmcf->prices.elts, lmcf->prices.nelts,
                                      &name);
        if (p) {
            return p;
        }

        p = ngx_http_llm_price_lookup(ngx_http_llm_bundled_prices,
                                      sizeof(ngx_http_llm_bundled_prices)
                                      / sizeof(ngx_http_llm_price_t),
                                      &name);
        if (p) {
            return p;
        }

        for (dot = name.data + name.len; dot > name.data; dot--) {
            if (dot[-1] == '.' && dot < name.data + name.len
                && dot[0] >= 'a' && dot[0] <= 'z'
                && (dot - 1 == name.data || dot[-2] < '0' || dot[-2] > '9'))
            {
                break;
            }
        }

        if (dot == name.data) {
            break;
        }

        name.len -= dot - name.data;
        name.data = dot;
    }

    if (lmcf->default_price) {
        return lmcf->default_price;
    }

    if (pr->type == NGX_HTTP_LLM_PROVIDER_MOCK) {
        return &ngx_http_llm_free_price;
    }

    return NULL;
}
