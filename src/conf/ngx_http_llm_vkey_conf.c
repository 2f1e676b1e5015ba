
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/sha.h>
#include <cjson/cJSON.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_vkey_conf.h"
#include "ngx_http_llm_file.h"
#include "ngx_http_llm_pattern.h"
#include "ngx_http_llm_tenant.h"


static char *ngx_http_llm_vkey_cmd(ngx_conf_t *cf, ngx_command_t *dummy,
    void *conf);
static ngx_http_llm_vkey_t *ngx_http_llm_vkey_create(ngx_conf_t *cf,
    ngx_http_llm_main_conf_t *lmcf, ngx_str_t *name);
static char *ngx_http_llm_vkey_check(ngx_conf_t *cf,
    ngx_http_llm_vkey_t *vk);
static ngx_int_t ngx_http_llm_json_args(ngx_conf_t *cf, ngx_array_t *args,
    char *name, cJSON *v);
static ngx_int_t ngx_http_llm_json_str(ngx_conf_t *cf, char *v,
    ngx_str_t *out);
static ngx_int_t ngx_http_llm_hex_decode(u_char *dst, ngx_str_t *src);
static int ngx_libc_cdecl ngx_http_llm_cmp_hash_keys(const void *one,
    const void *two);


#define NGX_HTTP_LLM_VKEY_DIRECTIVES                                          \
    "key, key_sha256, models, fallbacks, team, customer, budget, limit, "    \
    "metadata"


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

            if (ngx_http_llm_pattern_compile(cf, &km->model, &m) != NGX_OK) {
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
