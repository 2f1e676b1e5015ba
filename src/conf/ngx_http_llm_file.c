
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_file.h"


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
