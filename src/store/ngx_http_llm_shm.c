
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_shm.h"


/*
 * The shared zone (llm_zone): one record per provider and per provider
 * key, found by a stable name ("p:openai", "k:openai#0"), and one counter
 * per budget or limit of a tenant ("v:acme-prod|b1M": key, budget, month),
 * so that a reload keeps them.  Records are allocated once and never
 * freed: pointers to them stay valid for the life of the zone.  Provider
 * records are read and updated with atomics alone; counters under the
 * zone's lock, as admission checks several of them as one step.
 * Cooldown times are ngx_current_msec values: CLOCK_MONOTONIC, the same
 * in every worker; windows are Unix seconds.
 */


#define NGX_HTTP_LLM_ZONE_DEFAULT_SIZE  (1024 * 1024)


typedef struct {
    ngx_rbtree_t                   rbtree;
    ngx_rbtree_node_t              sentinel;
    ngx_queue_t                    counters;
    ngx_http_llm_shm_meta_t        meta;
} ngx_http_llm_shctx_t;


static ngx_int_t ngx_http_llm_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static ngx_int_t ngx_http_llm_init_counters(ngx_slab_pool_t *shpool,
    ngx_http_llm_entity_t *e);
static void *ngx_http_llm_shm_get(ngx_slab_pool_t *shpool, ngx_str_t *name,
    size_t size, ngx_uint_t create);
static void ngx_http_llm_state_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel);


char *
ngx_http_llm_zone(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_main_conf_t *lmcf = conf;

    ssize_t     size;
    ngx_str_t  *value;

    if (lmcf->shm_zone) {
        return "is duplicate";
    }

    value = cf->args->elts;

    size = ngx_parse_size(&value[2]);

    if (size == NGX_ERROR || size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid llm_zone size \"%V\", allowed: a size "
                           "of at least %uzk", &value[2],
                           8 * ngx_pagesize / 1024);
        return NGX_CONF_ERROR;
    }

    lmcf->shm_zone = ngx_shared_memory_add(cf, &value[1], size,
                                           &ngx_http_llm_module);
    if (lmcf->shm_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    if (lmcf->shm_zone->data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "llm_zone \"%V\" is already used", &value[1]);
        return NGX_CONF_ERROR;
    }

    lmcf->shm_zone->init = ngx_http_llm_init_zone;
    lmcf->shm_zone->data = lmcf;

    return NGX_CONF_OK;
}


/* without llm_zone, a small one of the module's own */

ngx_int_t
ngx_http_llm_zone_default(ngx_conf_t *cf, ngx_http_llm_main_conf_t *lmcf)
{
    ngx_str_t  name = ngx_string("llm");

    if (lmcf->shm_zone) {
        return NGX_OK;
    }

    lmcf->shm_zone = ngx_shared_memory_add(cf, &name,
                                           NGX_HTTP_LLM_ZONE_DEFAULT_SIZE,
                                           &ngx_http_llm_module);
    if (lmcf->shm_zone == NULL) {
        return NGX_ERROR;
    }

    lmcf->shm_zone->init = ngx_http_llm_init_zone;
    lmcf->shm_zone->data = lmcf;

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_llm_main_conf_t *lmcf = shm_zone->data;

    u_char                     buf[256];
    ngx_str_t                  name;
    ngx_uint_t                 i, j;
    ngx_slab_pool_t           *shpool;
    ngx_http_llm_shctx_t      *sh;
    ngx_http_llm_vkey_t      **vk;
    ngx_http_llm_entity_t    **e;
    ngx_http_llm_api_key_t    *key;
    ngx_http_llm_provider_t  **pr;

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (data) {
        /* a reload: the records of the old cycle carry on */
        sh = shpool->data;

    } else {
        sh = ngx_slab_alloc(shpool, sizeof(ngx_http_llm_shctx_t));
        if (sh == NULL) {
            return NGX_ERROR;
        }

        shpool->data = sh;

        ngx_rbtree_init(&sh->rbtree, &sh->sentinel,
                        ngx_http_llm_state_insert);
        ngx_queue_init(&sh->counters);

        shpool->log_ctx = ngx_slab_alloc(shpool,
                                         sizeof(" in llm_zone \"\"")
                                         + shm_zone->shm.name.len);
        if (shpool->log_ctx == NULL) {
            return NGX_ERROR;
        }

        ngx_sprintf(shpool->log_ctx, " in llm_zone \"%V\"%Z",
                    &shm_zone->shm.name);
    }

    pr = lmcf->providers.elts;

    for (i = 0; i < lmcf->providers.nelts; i++) {
        name.data = buf;
        name.len = ngx_snprintf(buf, sizeof(buf), "p:%V", &pr[i]->name)
                   - buf;

        pr[i]->state = ngx_http_llm_shm_get(shpool, &name,
                                            sizeof(ngx_http_llm_state_t), 1);
        if (pr[i]->state == NULL) {
            goto full;
        }

        if (ngx_http_llm_init_counters(shpool, &pr[i]->entity) != NGX_OK) {
            goto full;
        }

        key = pr[i]->api_keys.elts;

        for (j = 0; j < pr[i]->api_keys.nelts; j++) {
            name.len = ngx_snprintf(buf, sizeof(buf), "k:%V#%ui",
                                    &pr[i]->name, j)
                       - buf;

            key[j].state = ngx_http_llm_shm_get(shpool, &name,
                                                sizeof(ngx_http_llm_state_t),
                                                1);
            if (key[j].state == NULL) {
                goto full;
            }
        }
    }

    e = lmcf->customers.elts;

    for (i = 0; i < lmcf->customers.nelts; i++) {
        if (ngx_http_llm_init_counters(shpool, e[i]) != NGX_OK) {
            goto full;
        }
    }

    e = lmcf->teams.elts;

    for (i = 0; i < lmcf->teams.nelts; i++) {
        if (ngx_http_llm_init_counters(shpool, e[i]) != NGX_OK) {
            goto full;
        }
    }

    vk = lmcf->vkeys.elts;

    for (i = 0; i < lmcf->vkeys.nelts; i++) {
        if (ngx_http_llm_init_counters(shpool, &vk[i]->entity) != NGX_OK) {
            goto full;
        }
    }

    return NGX_OK;

full:

    ngx_log_error(NGX_LOG_EMERG, shm_zone->shm.log, 0,
                  "llm_zone \"%V\" (%uz bytes) is too small for %ui "
                  "providers, %ui virtual keys, %ui teams and %ui customers "
                  "with their limits; raise its size",
                  &shm_zone->shm.name, shm_zone->shm.size,
                  lmcf->providers.nelts, lmcf->vkeys.nelts,
                  lmcf->teams.nelts, lmcf->customers.nelts);

    return NGX_ERROR;
}


/* "v:acme-prod|b1M": tier, tenant, kind and window */

static ngx_int_t
ngx_http_llm_init_counters(ngx_slab_pool_t *shpool, ngx_http_llm_entity_t *e)
{
    u_char                  buf[256];
    ngx_str_t               name;
    ngx_uint_t              i;
    ngx_http_llm_limit_t   *l;
    ngx_http_llm_counter_t *c;
    ngx_http_llm_shctx_t   *sh;

    static u_char  tiers[] = "vtcp";
    static u_char  kinds[] = "?brtc";

    sh = shpool->data;
    l = e->limits.elts;

    for (i = 0; i < e->limits.nelts; i++) {
        name.data = buf;
        name.len = ngx_sprintf(buf, "%c:%V|%c%V", tiers[e->tier], &e->name,
                               kinds[l[i].kind],
                               ngx_http_llm_window_name(l[i].window))
                   - buf;

        c = ngx_http_llm_shm_get(shpool, &name,
                                 sizeof(ngx_http_llm_counter_t), 1);
        if (c == NULL) {
            return NGX_ERROR;
        }

        if (c->queue.next == NULL) {
            c->window = l[i].window;

            ngx_shmtx_lock(&shpool->mutex);
            ngx_queue_insert_tail(&sh->counters, &c->queue);
            ngx_shmtx_unlock(&shpool->mutex);
        }

        l[i].counter = c;
    }

    return NGX_OK;
}


/* a new window starts from zero; running reservations carry over */

void
ngx_http_llm_counter_roll(ngx_http_llm_counter_t *c, int64_t now)
{
    if (c->window == 0 || now < c->end) {
        return;
    }

    c->start = ngx_http_llm_window_start(c->window, now);
    c->end = ngx_http_llm_window_next(c->window, c->start);
    c->spent = 0;
    c->pending = 0;
    c->global = 0;
}


ngx_http_llm_counter_t *
ngx_http_llm_counter_find(ngx_slab_pool_t *shpool, ngx_str_t *name)
{
    return ngx_http_llm_shm_get(shpool, name, 0, 0);
}


ngx_queue_t *
ngx_http_llm_counters(ngx_slab_pool_t *shpool)
{
    return &((ngx_http_llm_shctx_t *) shpool->data)->counters;
}


ngx_http_llm_shm_meta_t *
ngx_http_llm_shm_meta(ngx_slab_pool_t *shpool)
{
    return &((ngx_http_llm_shctx_t *) shpool->data)->meta;
}


static void *
ngx_http_llm_shm_get(ngx_slab_pool_t *shpool, ngx_str_t *name, size_t size,
    ngx_uint_t create)
{
    uint32_t                  hash;
    ngx_rbtree_node_t        *node, *sentinel;
    ngx_http_llm_shctx_t     *sh;
    ngx_http_llm_shm_node_t  *sn;

    sh = shpool->data;
    hash = ngx_crc32_short(name->data, name->len);

    ngx_shmtx_lock(&shpool->mutex);

    node = sh->rbtree.root;
    sentinel = sh->rbtree.sentinel;

    while (node != sentinel) {
        if (hash != node->key) {
            node = (hash < node->key) ? node->left : node->right;
            continue;
        }

        sn = (ngx_http_llm_shm_node_t *) node;

        if (sn->len == name->len
            && ngx_memcmp(sn->name, name->data, name->len) == 0)
        {
            ngx_shmtx_unlock(&shpool->mutex);
            return sn;
        }

        node = (ngx_memn2cmp(name->data, sn->name, name->len, sn->len) < 0)
               ? node->left : node->right;
    }

    if (!create) {
        ngx_shmtx_unlock(&shpool->mutex);
        return NULL;
    }

    sn = ngx_slab_calloc_locked(shpool, size + name->len);
    if (sn == NULL) {
        ngx_shmtx_unlock(&shpool->mutex);
        return NULL;
    }

    sn->node.key = hash;
    sn->name = (u_char *) sn + size;
    sn->len = name->len;
    ngx_memcpy(sn->name, name->data, name->len);

    ngx_rbtree_insert(&sh->rbtree, &sn->node);

    ngx_shmtx_unlock(&shpool->mutex);

    return sn;
}


static void
ngx_http_llm_state_insert(ngx_rbtree_node_t *temp, ngx_rbtree_node_t *node,
    ngx_rbtree_node_t *sentinel)
{
    ngx_rbtree_node_t        **p;
    ngx_http_llm_shm_node_t   *a, *b;

    for ( ;; ) {

        if (node->key != temp->key) {
            p = (node->key < temp->key) ? &temp->left : &temp->right;

        } else {
            a = (ngx_http_llm_shm_node_t *) node;
            b = (ngx_http_llm_shm_node_t *) temp;

            p = (ngx_memn2cmp(a->name, b->name, a->len, b->len) < 0)
                ? &temp->left : &temp->right;
        }

        if (*p == sentinel) {
            break;
        }

        temp = *p;
    }

    *p = node;
    node->parent = temp;
    node->left = sentinel;
    node->right = sentinel;
    ngx_rbt_red(node);
}


