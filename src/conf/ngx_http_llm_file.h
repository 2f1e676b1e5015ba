
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_FILE_H_INCLUDED_
#define _NGX_HTTP_LLM_FILE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"


/* a file read whole at configuration time */

ngx_int_t ngx_http_llm_read_file(ngx_conf_t *cf, ngx_str_t *path,
    ngx_str_t *out, size_t max, const char *what);


#endif /* _NGX_HTTP_LLM_FILE_H_INCLUDED_ */
