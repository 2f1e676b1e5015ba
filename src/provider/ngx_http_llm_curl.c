
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <curl/curl.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_curl.h"


/*
 * Out-of-band HTTP requests (token refresh) of a worker: libcurl's
 * multi_socket interface driven by nginx's event loop and timers, never
 * a blocking call.  curl opens, connects and closes its sockets itself;
 * each one is lent an ngx_connection_t while curl watches it, registered
 * level-triggered (curl reads as much as it likes, not until EAGAIN) and
 * released without closing the fd (curl does that).
 */


typedef struct {
    CURL                          *easy;
    ngx_http_llm_curl_done_pt      done;
    void                          *data;
    u_char                        *buf;
    size_t                         len;
    size_t                         max;
    struct curl_slist             *headers;
} ngx_http_llm_curl_t;


static int ngx_http_llm_curl_socket(CURL *easy, curl_socket_t s, int what,
    void *userp, void *socketp);
static int ngx_http_llm_curl_timer(CURLM *multi, long timeout_ms,
    void *userp);
static void ngx_http_llm_curl_event(ngx_event_t *ev);
static void ngx_http_llm_curl_timeout(ngx_event_t *ev);
static void ngx_http_llm_curl_finish(void);
static size_t ngx_http_llm_curl_write(char *ptr, size_t size, size_t n,
    void *userdata);
static void ngx_http_llm_curl_release(ngx_connection_t *c);


static CURLM            *ngx_http_llm_curlm;
static ngx_event_t       ngx_http_llm_curl_timer_ev;
static ngx_log_t        *ngx_http_llm_curl_log;

/* what nginx's debug lines take a timer's fd from */
static ngx_connection_t  ngx_http_llm_curl_dummy;


ngx_int_t
ngx_http_llm_curl_init(ngx_cycle_t *cycle)
{
    if (ngx_http_llm_curlm) {
        return NGX_OK;
    }

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "llm: curl_global_init() failed");
        return NGX_ERROR;
    }

    ngx_http_llm_curlm = curl_multi_init();
    if (ngx_http_llm_curlm == NULL) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "llm: curl_multi_init() failed");
        return NGX_ERROR;
    }

    ngx_http_llm_curl_log = cycle->log;

    ngx_http_llm_curl_dummy.fd = (ngx_socket_t) -1;
    ngx_http_llm_curl_timer_ev.data = &ngx_http_llm_curl_dummy;
    ngx_http_llm_curl_timer_ev.handler = ngx_http_llm_curl_timeout;
    ngx_http_llm_curl_timer_ev.log = cycle->log;
    ngx_http_llm_curl_timer_ev.cancelable = 1;

    curl_multi_setopt(ngx_http_llm_curlm, CURLMOPT_SOCKETFUNCTION,
                      ngx_http_llm_curl_socket);
    curl_multi_setopt(ngx_http_llm_curlm, CURLMOPT_TIMERFUNCTION,
                      ngx_http_llm_curl_timer);

    return NGX_OK;
}


/*
 * POST "body" to "url" (a form, or JSON when "json"); "done" gets the
 * status and at most "max" bytes of the answer, or status 0 and curl's
 * reason.  The body is copied.
 */

ngx_int_t
ngx_http_llm_curl_post(const char *url, u_char *body, size_t len,
    ngx_uint_t json, ngx_msec_t timeout, size_t max,
    ngx_http_llm_curl_done_pt done, void *data)
{
    ngx_http_llm_curl_t  *t;

    t = ngx_calloc(sizeof(ngx_http_llm_curl_t), ngx_http_llm_curl_log);
    if (t == NULL) {
        return NGX_ERROR;
    }

    t->done = done;
    t->data = data;
    t->max = max;
    t->easy = curl_easy_init();
    t->headers = curl_slist_append(NULL, json
                                   ? "Content-Type: application/json"
                                   : "Content-Type: "
                                     "application/x-www-form-urlencoded");

    if (t->easy == NULL || t->headers == NULL
        || curl_easy_setopt(t->easy, CURLOPT_URL, url) != CURLE_OK
        || curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http,https")
           != CURLE_OK
        || curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK
        || curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, (long) timeout)
           != CURLE_OK
        || curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers)
           != CURLE_OK
        || curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE, (long) len)
           != CURLE_OK
        || curl_easy_setopt(t->easy, CURLOPT_COPYPOSTFIELDS, body)
           != CURLE_OK
        || curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION,
                            ngx_http_llm_curl_write) != CURLE_OK
        || curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t) != CURLE_OK
        || curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t) != CURLE_OK
        || curl_multi_add_handle(ngx_http_llm_curlm, t->easy) != CURLM_OK)
    {
        curl_easy_cleanup(t->easy);
        curl_slist_free_all(t->headers);
        ngx_free(t);
        return NGX_ERROR;
    }

    return NGX_OK;
}


void
ngx_http_llm_curl_exit(void)
{
    if (ngx_http_llm_curlm == NULL) {
        return;
    }

    /* transfers still running are dropped with the worker */
    curl_multi_cleanup(ngx_http_llm_curlm);
    ngx_http_llm_curlm = NULL;

    if (ngx_http_llm_curl_timer_ev.timer_set) {
        ngx_del_timer(&ngx_http_llm_curl_timer_ev);
    }
}


static int
ngx_http_llm_curl_socket(CURL *easy, curl_socket_t s, int what, void *userp,
    void *socketp)
{
    ngx_connection_t  *c;

    c = socketp;

    if (what == CURL_POLL_REMOVE) {
        if (c) {
            ngx_http_llm_curl_release(c);
            curl_multi_assign(ngx_http_llm_curlm, s, NULL);
        }

        return 0;
    }

    if (c == NULL) {
        c = ngx_get_connection(s, ngx_http_llm_curl_log);
        if (c == NULL) {
            return -1;
        }

        c->read->handler = ngx_http_llm_curl_event;
        c->write->handler = ngx_http_llm_curl_event;
        c->read->log = ngx_http_llm_curl_log;
        c->write->log = ngx_http_llm_curl_log;

        curl_multi_assign(ngx_http_llm_curlm, s, c);
    }

    /* level-triggered (flags 0 on epoll), for both directions alike */

    if ((what & CURL_POLL_IN) && !c->read->active) {
        if (ngx_add_event(c->read, NGX_READ_EVENT, 0) != NGX_OK) {
            return -1;
        }

    } else if (!(what & CURL_POLL_IN) && c->read->active) {
        (void) ngx_del_event(c->read, NGX_READ_EVENT, 0);
    }

    if ((what & CURL_POLL_OUT) && !c->write->active) {
        if (ngx_add_event(c->write, NGX_WRITE_EVENT, 0) != NGX_OK) {
            return -1;
        }

    } else if (!(what & CURL_POLL_OUT) && c->write->active) {
        (void) ngx_del_event(c->write, NGX_WRITE_EVENT, 0);
    }

    return 0;
}


/* curl may not be called back from here: the timer does it */

static int
ngx_http_llm_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    if (timeout_ms < 0) {
        if (ngx_http_llm_curl_timer_ev.timer_set) {
            ngx_del_timer(&ngx_http_llm_curl_timer_ev);
        }

        return 0;
    }

    ngx_add_timer(&ngx_http_llm_curl_timer_ev,
                  timeout_ms ? (ngx_msec_t) timeout_ms : 1);

    return 0;
}


static void
ngx_http_llm_curl_event(ngx_event_t *ev)
{
    int                running;
    ngx_connection_t  *c;

    c = ev->data;

    /* "c" may be released in there */
    (void) curl_multi_socket_action(ngx_http_llm_curlm, c->fd,
                                    ev->write ? CURL_CSELECT_OUT
                                              : CURL_CSELECT_IN,
                                    &running);

    ngx_http_llm_curl_finish();
}


static void
ngx_http_llm_curl_timeout(ngx_event_t *ev)
{
    int  running;

    (void) curl_multi_socket_action(ngx_http_llm_curlm, CURL_SOCKET_TIMEOUT,
                                    0, &running);

    ngx_http_llm_curl_finish();
}


static void
ngx_http_llm_curl_finish(void)
{
    int                   left;
    long                  status;
    CURLMsg              *msg;
    ngx_http_llm_curl_t  *t;

    while ((msg = curl_multi_info_read(ngx_http_llm_curlm, &left))) {
        if (msg->msg != CURLMSG_DONE) {
            continue;
        }

        t = NULL;
        status = 0;

        (void) curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
        (void) curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
                                 &status);

        t->done(t->data, msg->data.result == CURLE_OK ? status : 0,
                t->buf, t->len,
                msg->data.result == CURLE_OK
                ? "" : curl_easy_strerror(msg->data.result));

        curl_multi_remove_handle(ngx_http_llm_curlm, t->easy);
        curl_easy_cleanup(t->easy);
        curl_slist_free_all(t->headers);
        ngx_free(t->buf);
        ngx_free(t);
    }
}


static size_t
ngx_http_llm_curl_write(char *ptr, size_t size, size_t n, void *userdata)
{
    ngx_http_llm_curl_t *t = userdata;

    u_char  *p;

    n *= size;

    if (t->len + n > t->max) {
        /* too long an answer: curl ends the transfer with an error */
        return 0;
    }

    p = ngx_alloc(t->len + n, ngx_http_llm_curl_log);
    if (p == NULL) {
        return 0;
    }

    if (t->len) {
        ngx_memcpy(p, t->buf, t->len);
    }

    ngx_memcpy(p + t->len, ptr, n);
    ngx_free(t->buf);

    t->buf = p;
    t->len += n;

    return n;
}


/* ngx_close_connection() without closing the fd, which is curl's */

static void
ngx_http_llm_curl_release(ngx_connection_t *c)
{
    if (c->read->active) {
        (void) ngx_del_event(c->read, NGX_READ_EVENT, 0);
    }

    if (c->write->active) {
        (void) ngx_del_event(c->write, NGX_WRITE_EVENT, 0);
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    ngx_free_connection(c);
    c->fd = (ngx_socket_t) -1;
}
