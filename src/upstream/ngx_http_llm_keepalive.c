
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_keepalive.h"


/*
 * Idle provider connections, one cache per provider whose url names a host
 * rather than an upstream{} block (such a block has nginx's own
 * "keepalive").  Keyed by provider, so a TLS connection is never reused
 * with another provider's SNI even when both share an address.
 */


#define NGX_HTTP_LLM_KEEPALIVE_IDLE      60000
#define NGX_HTTP_LLM_KEEPALIVE_REQUESTS  1000
#define NGX_HTTP_LLM_KEEPALIVE_TIME      3600000


typedef struct {
    ngx_queue_t                 queue;
    ngx_connection_t           *connection;
    ngx_http_llm_keepalive_t   *ka;
    socklen_t                   socklen;
    ngx_sockaddr_t              sockaddr;
    ngx_str_t                   name;
    u_char                      name_data[NGX_SOCKADDR_STRLEN];
} ngx_http_llm_keepalive_item_t;


struct ngx_http_llm_keepalive_s {
    ngx_queue_t                 cache;
    ngx_queue_t                 free;
};


static void ngx_http_llm_keepalive_dummy_handler(ngx_event_t *ev);
static void ngx_http_llm_keepalive_close_handler(ngx_event_t *ev);
static void ngx_http_llm_keepalive_close(ngx_connection_t *c);


ngx_http_llm_keepalive_t *
ngx_http_llm_keepalive_create(ngx_conf_t *cf, ngx_uint_t max)
{
    ngx_uint_t                      i;
    ngx_http_llm_keepalive_t       *ka;
    ngx_http_llm_keepalive_item_t  *items;

    ka = ngx_palloc(cf->pool, sizeof(ngx_http_llm_keepalive_t));
    if (ka == NULL) {
        return NULL;
    }

    items = ngx_pcalloc(cf->pool,
                        sizeof(ngx_http_llm_keepalive_item_t) * max);
    if (items == NULL) {
        return NULL;
    }

    /* each worker gets its own copy of these queues at fork */

    ngx_queue_init(&ka->cache);
    ngx_queue_init(&ka->free);

    for (i = 0; i < max; i++) {
        items[i].ka = ka;
        ngx_queue_insert_head(&ka->free, &items[i].queue);
    }

    return ka;
}


ngx_int_t
ngx_http_llm_keepalive_get(ngx_http_llm_keepalive_t *ka,
    ngx_peer_connection_t *pc, ngx_pool_t *pool)
{
    ngx_queue_t                    *q;
    ngx_connection_t               *c;
    ngx_http_llm_keepalive_item_t  *item;

    if (ngx_queue_empty(&ka->cache)) {
        return NGX_DECLINED;
    }

    q = ngx_queue_head(&ka->cache);
    item = ngx_queue_data(q, ngx_http_llm_keepalive_item_t, queue);
    c = item->connection;

    ngx_queue_remove(q);
    ngx_queue_insert_head(&ka->free, q);

    c->idle = 0;
    c->sent = 0;
    c->data = NULL;
    c->log = pc->log;
    c->read->log = pc->log;
    c->write->log = pc->log;
    c->pool->log = pc->log;

    if (c->read->timer_set) {
        ngx_del_timer(c->read);
    }

    /* the item may be reused while this request still logs its peer */

    pc->sockaddr = ngx_palloc(pool, item->socklen);
    if (pc->sockaddr == NULL) {
        ngx_http_llm_keepalive_close(c);
        return NGX_DECLINED;
    }

    ngx_memcpy(pc->sockaddr, &item->sockaddr, item->socklen);
    pc->socklen = item->socklen;

    pc->name = ngx_palloc(pool, sizeof(ngx_str_t) + item->name.len);
    if (pc->name == NULL) {
        ngx_http_llm_keepalive_close(c);
        return NGX_DECLINED;
    }

    pc->name->len = item->name.len;
    pc->name->data = (u_char *) pc->name + sizeof(ngx_str_t);
    ngx_memcpy(pc->name->data, item->name.data, item->name.len);

    pc->connection = c;
    pc->cached = 1;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, pc->log, 0,
                   "llm: cached provider connection %p", c);

    return NGX_DONE;
}


ngx_int_t
ngx_http_llm_keepalive_save(ngx_http_llm_keepalive_t *ka,
    ngx_peer_connection_t *pc, ngx_http_upstream_t *u, ngx_uint_t state)
{
    ngx_queue_t                    *q;
    ngx_connection_t               *c;
    ngx_http_llm_keepalive_item_t  *item;

    c = pc->connection;

    if (state & NGX_PEER_FAILED
        || c == NULL
        || c->read->eof
        || c->read->error
        || c->read->timedout
        || c->write->error
        || c->write->timedout
        || !u->keepalive
        || !u->request_body_sent
        || ngx_terminate
        || ngx_exiting
        || c->requests >= NGX_HTTP_LLM_KEEPALIVE_REQUESTS
        || ngx_current_msec - c->start_time > NGX_HTTP_LLM_KEEPALIVE_TIME)
    {
        return NGX_DECLINED;
    }

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        return NGX_DECLINED;
    }

    if (ngx_queue_empty(&ka->free)) {
        /* the least recently used connection makes room */
        q = ngx_queue_last(&ka->cache);
        ngx_queue_remove(q);

        item = ngx_queue_data(q, ngx_http_llm_keepalive_item_t, queue);
        ngx_http_llm_keepalive_close(item->connection);

    } else {
        q = ngx_queue_head(&ka->free);
        ngx_queue_remove(q);

        item = ngx_queue_data(q, ngx_http_llm_keepalive_item_t, queue);
    }

    ngx_queue_insert_head(&ka->cache, q);

    item->connection = c;
    item->socklen = pc->socklen;
    ngx_memcpy(&item->sockaddr, pc->sockaddr, pc->socklen);

    item->name.data = item->name_data;
    item->name.len = 0;

    if (pc->name && pc->name->len <= NGX_SOCKADDR_STRLEN) {
        item->name.len = pc->name->len;
        ngx_memcpy(item->name_data, pc->name->data, pc->name->len);
    }

    pc->connection = NULL;

    c->read->delayed = 0;
    ngx_add_timer(c->read, NGX_HTTP_LLM_KEEPALIVE_IDLE);

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

    c->write->handler = ngx_http_llm_keepalive_dummy_handler;
    c->read->handler = ngx_http_llm_keepalive_close_handler;

    c->data = item;
    c->idle = 1;
    c->log = ngx_cycle->log;
    c->read->log = ngx_cycle->log;
    c->write->log = ngx_cycle->log;
    c->pool->log = ngx_cycle->log;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                   "llm: keeping provider connection %p", c);

    if (c->read->ready) {
        ngx_http_llm_keepalive_close_handler(c->read);
    }

    return NGX_OK;
}


static void
ngx_http_llm_keepalive_dummy_handler(ngx_event_t *ev)
{
    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                   "llm: keepalive dummy handler");
}


/* an idle connection that becomes readable was closed or broken */

static void
ngx_http_llm_keepalive_close_handler(ngx_event_t *ev)
{
    int                             n;
    char                            buf[1];
    ngx_connection_t               *c;
    ngx_http_llm_keepalive_item_t  *item;

    c = ev->data;

    if (c->close || ev->timedout) {
        goto close;
    }

    n = recv(c->fd, buf, 1, MSG_PEEK);

    if (n == -1 && ngx_socket_errno == NGX_EAGAIN) {
        ev->ready = 0;

        if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
            goto close;
        }

        return;
    }

close:

    item = c->data;

    ngx_queue_remove(&item->queue);
    ngx_queue_insert_head(&item->ka->free, &item->queue);

    ngx_http_llm_keepalive_close(c);
}


static void
ngx_http_llm_keepalive_close(ngx_connection_t *c)
{
#if (NGX_HTTP_SSL)

    if (c->ssl) {
        c->ssl->no_wait_shutdown = 1;
        c->ssl->no_send_shutdown = 1;

        if (ngx_ssl_shutdown(c) == NGX_AGAIN) {
            c->ssl->handler = ngx_http_llm_keepalive_close;
            return;
        }
    }

#endif

    ngx_destroy_pool(c->pool);
    ngx_close_connection(c);
}
