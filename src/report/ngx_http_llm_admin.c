
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_admin.h"
#include "ngx_http_llm_pricing.h"
#include "ngx_http_llm_shm.h"
#include "ngx_http_llm_tenant.h"


/*
 * llm_admin: GET .../usage, every customer, team, key and provider with
 * each budget and limit as the zone holds them now.  Filters:
 * ?customer=NAME, ?team=NAME, ?key=NAME, ?provider=NAME.
 */


#define NGX_HTTP_LLM_ADMIN_LIMIT_LEN                                         \
    (sizeof("{\"type\":\"concurrency\",\"window\":\"\",\"limit\":,"        \
            "\"used\":,\"reserved\":,\"remaining\":,\"window_start\":\"\","  \
            "\"resets_at\":\"\",\"alert_percent\":},")                      \
     + 2 * NGX_HTTP_LLM_ISO_LEN + 5 * NGX_HTTP_LLM_MONEY_LEN + 8)


typedef struct {
    ngx_str_t                      arg[4];   /* customer team key provider */
} ngx_http_llm_admin_filter_t;


static ngx_int_t ngx_http_llm_admin_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_llm_admin_list(ngx_http_request_t *r,
    ngx_chain_t ***ll, const char *title, ngx_array_t *list,
    ngx_uint_t offset, ngx_http_llm_admin_filter_t *f, int64_t now);
static ngx_int_t ngx_http_llm_admin_match(ngx_http_llm_entity_t *e,
    ngx_http_llm_admin_filter_t *f);
static u_char *ngx_http_llm_admin_entity(u_char *p, ngx_http_llm_entity_t *e,
    ngx_slab_pool_t *shpool, int64_t now);
static u_char *ngx_http_llm_admin_amount(u_char *p, ngx_uint_t kind,
    int64_t v);


char *
ngx_http_llm_admin(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_llm_admin_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_llm_admin_handler(ngx_http_request_t *r)
{
    u_char                       *p;
    int64_t                       now;
    ngx_int_t                     rc;
    ngx_buf_t                    *b;
    ngx_uint_t                    i;
    ngx_chain_t                  *out, **ll;
    ngx_http_llm_main_conf_t     *lmcf;
    ngx_http_llm_admin_filter_t   f;

    static const char  *names[] = { "customer", "team", "key", "provider" };

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    if (r->uri.len < 6
        || ngx_strncmp(r->uri.data + r->uri.len - 6, "/usage", 6) != 0)
    {
        return NGX_HTTP_NOT_FOUND;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    for (i = 0; i < 4; i++) {
        if (ngx_http_arg(r, (u_char *) names[i], ngx_strlen(names[i]),
                         &f.arg[i])
            != NGX_OK)
        {
            ngx_str_null(&f.arg[i]);
        }
    }

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_llm_module);
    now = ngx_time();

    b = ngx_create_temp_buf(r->pool, 128);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_http_llm_cpystr(b->last, "{\"time\":\"");
    p = ngx_http_llm_iso8601(p, now);
    p = ngx_sprintf(p, "\",\"prices_date\":\"%V\"",
                    ngx_http_llm_prices_date());
    b->last = p;

    out = ngx_alloc_chain_link(r->pool);
    if (out == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    out->buf = b;
    ll = &out->next;

    if (ngx_http_llm_admin_list(r, &ll, "customers", &lmcf->customers, 0, &f,
                                now)
           != NGX_OK
        || ngx_http_llm_admin_list(r, &ll, "teams", &lmcf->teams, 0, &f, now)
           != NGX_OK
        || ngx_http_llm_admin_list(r, &ll, "keys", &lmcf->vkeys,
                                   offsetof(ngx_http_llm_vkey_t, entity), &f,
                                   now)
           != NGX_OK
        || ngx_http_llm_admin_list(r, &ll, "providers", &lmcf->providers,
                                   offsetof(ngx_http_llm_provider_t, entity),
                                   &f, now)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = (u_char *) "}\n";
    b->last = b->pos + 2;
    b->memory = 1;
    b->last_buf = 1;
    b->last_in_chain = 1;

    *ll = ngx_alloc_chain_link(r->pool);
    if (*ll == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    (*ll)->buf = b;
    (*ll)->next = NULL;

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = 0;

    for (ll = &out; *ll; ll = &(*ll)->next) {
        r->headers_out.content_length_n += ngx_buf_size((*ll)->buf);
    }

    ngx_str_set(&r->headers_out.content_type, "application/json");
    r->headers_out.content_type_len = r->headers_out.content_type.len;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_http_output_filter(r, out);
}


/*
 * One array of the document.  The list holds pointers to structures with
 * the entity at "offset" (keys, providers; 0 for customers and teams).
 */

static ngx_int_t
ngx_http_llm_admin_list(ngx_http_request_t *r, ngx_chain_t ***ll,
    const char *title, ngx_array_t *list, ngx_uint_t offset,
    ngx_http_llm_admin_filter_t *f, int64_t now)
{
    u_char                  *p;
    size_t                   len;
    ngx_buf_t               *b;
    ngx_uint_t               i, n;
    ngx_chain_t             *cl;
    ngx_slab_pool_t         *shpool;
    ngx_http_llm_entity_t   *e;
    ngx_http_llm_main_conf_t  *lmcf;

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_llm_module);
    shpool = (ngx_slab_pool_t *) lmcf->shm_zone->shm.addr;

    len = sizeof(",\"providers\":[]");

    for (i = 0; i < list->nelts; i++) {
        e = (ngx_http_llm_entity_t *) (((u_char **) list->elts)[i]
                                       + offset);

        if (ngx_http_llm_admin_match(e, f)) {
            /* its name, its parents' (128 bytes at most), its limits */
            len += 512 + e->name.len
                   + e->limits.nelts * NGX_HTTP_LLM_ADMIN_LIMIT_LEN;
        }
    }

    b = ngx_create_temp_buf(r->pool, len);
    if (b == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(b->last, ",\"%s\":[", title);
    n = 0;

    for (i = 0; i < list->nelts; i++) {
        e = (ngx_http_llm_entity_t *) (((u_char **) list->elts)[i]
                                       + offset);

        if (!ngx_http_llm_admin_match(e, f)) {
            continue;
        }

        if (n++) {
            *p++ = ',';
        }

        p = ngx_http_llm_admin_entity(p, e, shpool, now);
    }

    *p++ = ']';
    b->last = p;

    cl = ngx_alloc_chain_link(r->pool);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->buf = b;
    cl->next = NULL;
    **ll = cl;
    *ll = &cl->next;

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_admin_match(ngx_http_llm_entity_t *e,
    ngx_http_llm_admin_filter_t *f)
{
    ngx_str_t              *want;
    ngx_uint_t              tier, any;
    ngx_http_llm_entity_t  *a;

    static ngx_uint_t  tiers[] = { NGX_HTTP_LLM_TIER_CUSTOMER,
                                   NGX_HTTP_LLM_TIER_TEAM,
                                   NGX_HTTP_LLM_TIER_KEY,
                                   NGX_HTTP_LLM_TIER_PROVIDER };

    any = 0;

    for (tier = 0; tier < 4; tier++) {
        want = &f->arg[tier];

        if (want->len == 0) {
            continue;
        }

        any = 1;

        /* the entity itself or one of its ancestors has that name */
        for (a = e; a; a = a->parent) {
            if (a->tier == tiers[tier]
                && a->name.len == want->len
                && ngx_strncmp(a->name.data, want->data, want->len) == 0)
            {
                break;
            }
        }

        if (a == NULL) {
            return 0;
        }
    }

    /* providers are tenants of nobody: listed unfiltered or by name */
    return !(any && e->tier == NGX_HTTP_LLM_TIER_PROVIDER
             && f->arg[3].len == 0);
}


static u_char *
ngx_http_llm_admin_entity(u_char *p, ngx_http_llm_entity_t *e,
    ngx_slab_pool_t *shpool, int64_t now)
{
    int64_t                  used, reserved, left;
    ngx_uint_t               i, nb, kind;
    ngx_http_llm_limit_t    *l;
    ngx_http_llm_counter_t  *c, snap;
    ngx_http_llm_entity_t   *a;

    p = ngx_sprintf(p, "{\"name\":\"%V\"", &e->name);

    for (a = e->parent; a; a = a->parent) {
        p = ngx_sprintf(p, ",\"%V\":\"%V\"", ngx_http_llm_tier_name(a->tier),
                        &a->name);
    }

    l = e->limits.elts;

    for (kind = 0; kind < 2; kind++) {
        p = ngx_sprintf(p, kind ? "],\"limits\":[" : ",\"budgets\":[");
        nb = 0;

        for (i = 0; i < e->limits.nelts; i++) {
            if ((l[i].kind == NGX_HTTP_LLM_LIMIT_BUDGET) != (kind == 0)) {
                continue;
            }

            /* a consistent copy, with its window rolled forward */
            c = l[i].counter;

            ngx_shmtx_lock(&shpool->mutex);
            ngx_http_llm_counter_roll(c, now);
            snap = *c;
            ngx_shmtx_unlock(&shpool->mutex);

            used = (l[i].kind == NGX_HTTP_LLM_LIMIT_CONCURRENCY)
                   ? snap.spent : ngx_http_llm_counter_used(&snap);
            reserved = snap.reserved;
            left = ngx_max(l[i].max - used - reserved, 0);

            if (nb++) {
                *p++ = ',';
            }

            *p++ = '{';

            if (kind) {
                p = ngx_sprintf(p, "\"type\":\"%V\",",
                                ngx_http_llm_kind_name(l[i].kind));
            }

            if (l[i].window) {
                p = ngx_sprintf(p, "\"window\":\"%V\",",
                                ngx_http_llm_window_name(l[i].window));
            }

            p = ngx_http_llm_cpystr(p, "\"limit\":");
            p = ngx_http_llm_admin_amount(p, l[i].kind, l[i].max);
            p = ngx_http_llm_cpystr(p, ",\"used\":");
            p = ngx_http_llm_admin_amount(p, l[i].kind, used);
            p = ngx_http_llm_cpystr(p, ",\"reserved\":");
            p = ngx_http_llm_admin_amount(p, l[i].kind, reserved);
            p = ngx_http_llm_cpystr(p, ",\"remaining\":");
            p = ngx_http_llm_admin_amount(p, l[i].kind, left);

            if (l[i].window) {
                p = ngx_http_llm_cpystr(p, ",\"window_start\":\"");
                p = ngx_http_llm_iso8601(p, snap.start);
                p = ngx_http_llm_cpystr(p, "\",\"resets_at\":\"");
                p = ngx_http_llm_iso8601(p, snap.end);
                *p++ = '"';
            }

            if (l[i].alert) {
                p = ngx_sprintf(p, ",\"alert_percent\":%ui", l[i].alert);
            }

            *p++ = '}';
        }
    }

    return ngx_http_llm_cpystr(p, "]}");
}


/* money as a decimal USD number, counts as integers */

static u_char *
ngx_http_llm_admin_amount(u_char *p, ngx_uint_t kind, int64_t v)
{
    if (kind == NGX_HTTP_LLM_LIMIT_BUDGET) {
        return ngx_http_llm_money_print(p, v);
    }

    return ngx_sprintf(p, "%L", v);
}
