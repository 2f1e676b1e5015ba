
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_pattern.h"


ngx_int_t
ngx_http_llm_pattern_compile(ngx_conf_t *cf, ngx_http_llm_pattern_t *p,
    ngx_str_t *value)
{
    u_char               errstr[NGX_MAX_CONF_ERRSTR];
    ngx_regex_compile_t  rc;

    ngx_memzero(p, sizeof(ngx_http_llm_pattern_t));
    p->name = *value;

    if (value->len == 1 && value->data[0] == '*') {
        p->any = 1;
        return NGX_OK;
    }

    if (value->data[value->len - 1] == '*') {
        /* "gpt-4o*": a prefix */
        p->prefix = 1;
        p->name.len--;
        return NGX_OK;
    }

    if (value->data[0] != '~') {
        return NGX_OK;
    }

    ngx_memzero(&rc, sizeof(ngx_regex_compile_t));

    rc.pattern.data = value->data + 1;
    rc.pattern.len = value->len - 1;
    rc.pool = cf->pool;
    rc.err.len = NGX_MAX_CONF_ERRSTR;
    rc.err.data = errstr;

    if (rc.pattern.len == 0 || ngx_regex_compile(&rc) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid model regex \"%V\": %V", value, &rc.err);
        return NGX_ERROR;
    }

    p->regex = rc.regex;

    return NGX_OK;
}


ngx_int_t
ngx_http_llm_pattern_match(ngx_http_llm_pattern_t *p, ngx_str_t *s)
{
    if (p->any) {
        return 1;
    }

    if (p->regex) {
        return ngx_regex_exec(p->regex, s, NULL, 0) >= 0;
    }

    if (p->prefix) {
        return s->len >= p->name.len
               && ngx_strncmp(p->name.data, s->data, p->name.len) == 0;
    }

    return p->name.len == s->len
           && ngx_strncmp(p->name.data, s->data, s->len) == 0;
}
