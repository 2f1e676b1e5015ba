
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_state.h"
#include "ngx_http_llm_shm.h"


/*
 * llm_state_file: the counters on disk, so that spend survives a restart.
 * A reload keeps the zone itself; a stop writes the file at each worker's
 * exit; a crash (kill -9) loses at most one interval, as one worker
 * rewrites the file every interval while counters change.  The file is
 * text, one counter a line, closed by a line with the count and a CRC:
 *
 *   # ngx_http_llm_module state 1
 *   c v:acme-prod|b1M 1793491200 1796083200 1500000 1500000 0 0
 *   end 1 3a1f09c2
 *
 * (name, window start and end, spent, pending, global, alerted).  Running
 * reservations and in-flight slots are not saved: their requests died
 * with the process.  A file that does not parse is reported and ignored.
 */


#define NGX_HTTP_LLM_STATE_MAGIC  "# ngx_http_llm_module state 1\n"
#define NGX_HTTP_LLM_STATE_LINE   (7 * (NGX_INT64_LEN + 1) + 300)
#define NGX_HTTP_LLM_STATE_MAX    (256 * 1024 * 1024)


typedef struct {
    ngx_str_t                      name;
    int64_t                        v[6];
} ngx_http_llm_saved_t;


static ngx_int_t ngx_http_llm_state_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static void ngx_http_llm_state_restore(ngx_http_llm_main_conf_t *lmcf,
    ngx_slab_pool_t *shpool, ngx_log_t *log);
static ngx_int_t ngx_http_llm_state_save(ngx_cycle_t *cycle,
    ngx_http_llm_main_conf_t *lmcf, ngx_log_t *log);
static void ngx_http_llm_state_timer(ngx_event_t *ev);
static ngx_int_t ngx_http_llm_state_parse(u_char *p, u_char *end,
    ngx_array_t *out, ngx_uint_t *line);


static ngx_event_t  ngx_http_llm_state_ev;


/* llm_state_file PATH [interval=1s] */

char *
ngx_http_llm_state_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_llm_main_conf_t *lmcf = conf;

    ngx_str_t   *value, s;
    ngx_msec_t   ms;

    if (lmcf->state_file.data) {
        return "is duplicate";
    }

    value = cf->args->elts;
    lmcf->state_file = value[1];
    lmcf->state_interval = 1000;

    if (ngx_conf_full_name(cf->cycle, &lmcf->state_file, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (cf->args->nelts == 3) {
        if (value[2].len <= 9
            || ngx_strncmp(value[2].data, "interval=", 9) != 0)
        {
            goto invalid;
        }

        s.data = value[2].data + 9;
        s.len = value[2].len - 9;

        ms = ngx_parse_time(&s, 0);

        if (ms == (ngx_msec_t) NGX_ERROR || ms < 100) {
            goto invalid;
        }

        lmcf->state_interval = ms;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid llm_state_file \"%V\", allowed: "
                       "interval=TIME of at least 100ms", &value[2]);
    return NGX_CONF_ERROR;
}


/*
 * With a state file the zone's init is wrapped, as keepalive wraps the
 * balancer's: the zone is laid out first, then a fresh one (a start, not
 * a reload) gets the counters saved at exit.
 */

ngx_int_t
ngx_http_llm_state_zone(ngx_conf_t *cf, ngx_http_llm_main_conf_t *lmcf)
{
    if (lmcf->state_file.len == 0) {
        return NGX_OK;
    }

    lmcf->zone_init = lmcf->shm_zone->init;
    lmcf->shm_zone->init = ngx_http_llm_state_init_zone;

    return NGX_OK;
}


static ngx_int_t
ngx_http_llm_state_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_llm_main_conf_t  *lmcf;

    lmcf = shm_zone->data;

    if (lmcf->zone_init(shm_zone, data) != NGX_OK) {
        return NGX_ERROR;
    }

    if (data == NULL) {
        ngx_http_llm_state_restore(lmcf,
                                   (ngx_slab_pool_t *) shm_zone->shm.addr,
                                   shm_zone->shm.log);
    }

    return NGX_OK;
}


/* in the master, into a fresh zone, before any worker runs */

static void
ngx_http_llm_state_restore(ngx_http_llm_main_conf_t *lmcf,
    ngx_slab_pool_t *shpool, ngx_log_t *log)
{
    u_char                  *buf;
    ssize_t                  n;
    ngx_err_t                err;
    ngx_uint_t               i, line, applied;
    ngx_pool_t              *pool;
    ngx_file_t               file;
    ngx_array_t              saved;
    ngx_file_info_t          fi;
    ngx_http_llm_saved_t    *sv;
    ngx_http_llm_counter_t  *c;

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name = lmcf->state_file;
    file.log = log;

    file.fd = ngx_open_file(file.name.data, NGX_FILE_RDONLY, NGX_FILE_OPEN,
                            0);

    if (file.fd == NGX_INVALID_FILE) {
        err = ngx_errno;

        if (err != NGX_ENOENT) {
            ngx_log_error(NGX_LOG_ERR, log, err,
                          "llm_state_file \"%V\" cannot be read, counters "
                          "start from zero", &file.name);
        }

        return;
    }

    buf = NULL;
    pool = NULL;

    if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) > NGX_HTTP_LLM_STATE_MAX)
    {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "llm_state_file \"%V\" is unreadable or too large, "
                      "ignored", &file.name);
        goto done;
    }

    buf = ngx_alloc(ngx_file_size(&fi) + 1, log);
    if (buf == NULL) {
        goto done;
    }

    n = ngx_read_file(&file, buf, ngx_file_size(&fi), 0);

    if (n != ngx_file_size(&fi)) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "llm_state_file \"%V\" could not be read, ignored",
                      &file.name);
        goto done;
    }

    pool = ngx_create_pool(NGX_DEFAULT_POOL_SIZE, log);
    if (pool == NULL) {
        goto done;
    }

    if (ngx_array_init(&saved, pool, 64, sizeof(ngx_http_llm_saved_t))
        != NGX_OK)
    {
        goto done;
    }

    if (ngx_http_llm_state_parse(buf, buf + n, &saved, &line) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "llm_state_file \"%V\" is corrupt or not a state file "
                      "(line %ui), ignored: counters start from zero",
                      &file.name, line);
        goto done;
    }

    sv = saved.elts;
    applied = 0;

    for (i = 0; i < saved.nelts; i++) {
        /* tenants no longer configured are dropped at the next save */
        c = ngx_http_llm_counter_find(shpool, &sv[i].name);
        if (c == NULL || c->window == 0) {
            continue;
        }

        c->start = sv[i].v[0];
        c->end = sv[i].v[1];
        c->spent = sv[i].v[2];
        c->pending = sv[i].v[3];
        c->global = sv[i].v[4];
        c->alerted = sv[i].v[5];
        applied++;
    }

    ngx_log_error(NGX_LOG_NOTICE, log, 0,
                  "llm_state_file \"%V\": %ui of %ui counters restored",
                  &file.name, applied, saved.nelts);

done:

    if (pool) {
        ngx_destroy_pool(pool);
    }

    if (buf) {
        ngx_free(buf);
    }

    ngx_close_file(file.fd);
}


static ngx_int_t
ngx_http_llm_state_parse(u_char *p, u_char *end, ngx_array_t *out,
    ngx_uint_t *line)
{
    u_char                *eol, *f, *sp;
    uint32_t               crc;
    ngx_int_t              count;
    ngx_uint_t             i;
    ngx_http_llm_saved_t  *sv;

    *line = 1;

    if ((size_t) (end - p) < sizeof(NGX_HTTP_LLM_STATE_MAGIC) - 1
        || ngx_strncmp(p, NGX_HTTP_LLM_STATE_MAGIC,
                       sizeof(NGX_HTTP_LLM_STATE_MAGIC) - 1)
           != 0)
    {
        return NGX_ERROR;
    }

    f = p;
    p += sizeof(NGX_HTTP_LLM_STATE_MAGIC) - 1;

    for ( ;; ) {
        (*line)++;

        eol = ngx_strlchr(p, end, '\n');
        if (eol == NULL) {
            /* truncated: no closing line */
            return NGX_ERROR;
        }

        if (eol - p > 4 && ngx_strncmp(p, "end ", 4) == 0) {
            break;
        }

        if (eol - p < 3 || p[0] != 'c' || p[1] != ' ') {
            return NGX_ERROR;
        }

        sv = ngx_array_push(out);
        if (sv == NULL) {
            return NGX_ERROR;
        }

        p += 2;
        sp = ngx_strlchr(p, eol, ' ');

        if (sp == NULL || sp == p) {
            return NGX_ERROR;
        }

        sv->name.data = p;
        sv->name.len = sp - p;

        for (i = 0; i < 6; i++) {
            p = sp + 1;
            sp = ngx_strlchr(p, eol, ' ');

            if (sp == NULL) {
                sp = eol;
            }

            if (i < 5 && sp == eol) {
                return NGX_ERROR;
            }

            /* negative only for windows before the epoch: not written */
            sv->v[i] = ngx_atoof(p, sp - p);

            if (sv->v[i] == NGX_ERROR) {
                return NGX_ERROR;
            }
        }

        if (sp != eol) {
            return NGX_ERROR;
        }

        p = eol + 1;
    }

    /* "end COUNT CRC32" over everything before this line */

    crc = ngx_crc32_long(f, p - f);

    sp = ngx_strlchr(p + 4, eol, ' ');
    if (sp == NULL) {
        return NGX_ERROR;
    }

    count = ngx_atoi(p + 4, sp - p - 4);

    if (count == NGX_ERROR || (ngx_uint_t) count != out->nelts
        || eol - sp - 1 != 8
        || (uint32_t) ngx_hextoi(sp + 1, 8) != crc
        || eol + 1 != end)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_llm_state_init_process(ngx_cycle_t *cycle,
    ngx_http_llm_main_conf_t *lmcf)
{
    u_char     *slash, path[NGX_MAX_PATH];
    ngx_str_t   dir;

    if (lmcf->state_file.len == 0) {
        return NGX_OK;
    }

    /* the file is replaced by a rename: its directory must be writable */

    slash = lmcf->state_file.data + lmcf->state_file.len;

    while (slash > lmcf->state_file.data && slash[-1] != '/') {
        slash--;
    }

    dir.data = lmcf->state_file.data;
    dir.len = slash - dir.data;

    if (dir.len && dir.len < NGX_MAX_PATH) {
        (void) ngx_cpystrn(path, dir.data, dir.len + 1);

        if (access((char *) path, W_OK|X_OK) != 0) {
            ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_errno,
                          "llm_state_file \"%V\": the directory \"%s\" is "
                          "not writable by the worker user, counters will "
                          "not be saved", &lmcf->state_file, path);
        }
    }

    ngx_http_llm_state_ev.handler = ngx_http_llm_state_timer;
    ngx_http_llm_state_ev.log = cycle->log;
    ngx_http_llm_state_ev.data = lmcf;
    ngx_http_llm_state_ev.cancelable = 1;

    ngx_add_timer(&ngx_http_llm_state_ev, lmcf->state_interval);

    return NGX_OK;
}


/*
 * One worker at a time (a lease in the zone) rewrites the file when the
 * counters changed since it was last written.  A small file, written to
 * a temporary name and renamed: the page cache absorbs it.
 */

static void
ngx_http_llm_state_timer(ngx_event_t *ev)
{
    ngx_http_llm_main_conf_t *lmcf = ev->data;

    ngx_atomic_uint_t         version, old;
    ngx_slab_pool_t          *shpool;
    ngx_http_llm_shm_meta_t  *meta;

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    shpool = (ngx_slab_pool_t *) lmcf->shm_zone->shm.addr;
    meta = ngx_http_llm_shm_meta(shpool);

    version = meta->version;
    old = meta->lease;

    if (version != meta->saved
        && (old == 0 || (ngx_msec_int_t) (old - ngx_current_msec) < 0)
        && ngx_atomic_cmp_set(&meta->lease, old, ngx_current_msec + 10000))
    {
        if (ngx_http_llm_state_save((ngx_cycle_t *) ngx_cycle, lmcf, ev->log)
            == NGX_OK)
        {
            meta->saved = version;
        }

        meta->lease = 0;
    }

    ngx_add_timer(ev, lmcf->state_interval);
}


void
ngx_http_llm_state_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_llm_main_conf_t  *lmcf;

    lmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_llm_module);

    if (lmcf == NULL || lmcf->state_file.len == 0 || lmcf->shm_zone == NULL)
    {
        return;
    }

    (void) ngx_http_llm_state_save(cycle, lmcf, cycle->log);
}


static ngx_int_t
ngx_http_llm_state_save(ngx_cycle_t *cycle, ngx_http_llm_main_conf_t *lmcf,
    ngx_log_t *log)
{
    u_char                  *buf, *p, *last, tmp[NGX_MAX_PATH];
    size_t                   n, len;
    ssize_t                  w;
    ngx_fd_t                 fd;
    ngx_uint_t               count;
    ngx_queue_t             *q, *counters;
    ngx_slab_pool_t         *shpool;
    ngx_http_llm_counter_t  *c;

    shpool = (ngx_slab_pool_t *) lmcf->shm_zone->shm.addr;
    counters = ngx_http_llm_counters(shpool);

    /* counters are only added in the master: the count holds */
    n = 0;

    ngx_shmtx_lock(&shpool->mutex);

    for (q = ngx_queue_head(counters);
         q != ngx_queue_sentinel(counters);
         q = ngx_queue_next(q))
    {
        n++;
    }

    ngx_shmtx_unlock(&shpool->mutex);

    len = sizeof(NGX_HTTP_LLM_STATE_MAGIC) + (n + 1) * NGX_HTTP_LLM_STATE_LINE;

    buf = ngx_alloc(len, log);
    if (buf == NULL) {
        return NGX_ERROR;
    }

    last = buf + len - NGX_HTTP_LLM_STATE_LINE;
    p = ngx_http_llm_cpystr(buf, NGX_HTTP_LLM_STATE_MAGIC);
    count = 0;

    ngx_shmtx_lock(&shpool->mutex);

    for (q = ngx_queue_head(counters);
         q != ngx_queue_sentinel(counters) && p < last;
         q = ngx_queue_next(q))
    {
        c = ngx_queue_data(q, ngx_http_llm_counter_t, queue);

        /* in-flight counts and empty windows need no line */
        if (c->window == 0 || c->start <= 0) {
            continue;
        }

        p = ngx_sprintf(p, "c %*s %L %L %L %L %L %L\n",
                        c->sn.len, c->sn.name, c->start, c->end, c->spent,
                        c->pending, c->global, c->alerted);
        count++;
    }

    ngx_shmtx_unlock(&shpool->mutex);

    p = ngx_sprintf(p, "end %ui %08xD\n", count, ngx_crc32_long(buf, p - buf));

    (void) ngx_snprintf(tmp, sizeof(tmp), "%V.%P%Z", &lmcf->state_file,
                        ngx_pid);

    fd = ngx_open_file(tmp, NGX_FILE_WRONLY, NGX_FILE_TRUNCATE,
                       NGX_FILE_DEFAULT_ACCESS);

    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_ERR, log, ngx_errno,
                      ngx_open_file_n " \"%s\" failed", tmp);
        ngx_free(buf);
        return NGX_ERROR;
    }

    len = p - buf;
    w = ngx_write_fd(fd, buf, len);

    ngx_free(buf);

    if (ngx_close_file(fd) == NGX_FILE_ERROR || w != (ssize_t) len) {
        ngx_log_error(NGX_LOG_ERR, log, ngx_errno,
                      "llm_state_file: writing \"%s\" failed", tmp);
        (void) ngx_delete_file(tmp);
        return NGX_ERROR;
    }

    if (ngx_rename_file(tmp, lmcf->state_file.data) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ERR, log, ngx_errno,
                      ngx_rename_file_n " \"%s\" to \"%V\" failed", tmp,
                      &lmcf->state_file);
        (void) ngx_delete_file(tmp);
        return NGX_ERROR;
    }

    return NGX_OK;
}
