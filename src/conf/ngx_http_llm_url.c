
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_url.h"


/*
 * A provider's url: its scheme (TLS or not), the Host header, the base
 * path its endpoints hang under.  The url directive, and a provider type's
 * default after the block.
 */

char *
ngx_http_llm_url_parse(ngx_conf_t *cf, ngx_http_llm_provider_t *pr,
    ngx_str_t *url)
{
    size_t     add;
    ngx_url_t  u;

    if (ngx_strncasecmp(url->data, (u_char *) "https://", 8) == 0) {
        add = 8;
        pr->ssl = 1;

    } else if (ngx_strncasecmp(url->data, (u_char *) "http://", 7) == 0) {
        add = 7;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid url \"%V\", allowed: http://HOST[:PORT]"
                           "[/PATH] or https://HOST[:PORT][/PATH]", url);
        return NGX_CONF_ERROR;
    }

#if !(NGX_HTTP_SSL)
    if (pr->ssl) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "https url \"%V\" needs nginx with SSL", url);
        return NGX_CONF_ERROR;
    }
#endif

    pr->url = *url;

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url.len = url->len - add;
    u.url.data = url->data + add;
    u.default_port = pr->ssl ? 443 : 80;
    u.uri_part = 1;
    u.no_resolve = 1;

    if (ngx_parse_url(cf->pool, &u) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s in url \"%V\"",
                           u.err ? u.err : "invalid host", url);
        return NGX_CONF_ERROR;
    }

    pr->base_path = u.uri;

    while (pr->base_path.len
           && pr->base_path.data[pr->base_path.len - 1] == '/')
    {
        pr->base_path.len--;
    }

    if (pr->host.len == 0) {
        if (u.no_port) {
            pr->host = u.host;

        } else {
            pr->host.len = u.host.len + 1 + NGX_INT_T_LEN;
            pr->host.data = ngx_pnalloc(cf->pool, pr->host.len);
            if (pr->host.data == NULL) {
                return NGX_CONF_ERROR;
            }

            pr->host.len = ngx_sprintf(pr->host.data, "%V:%d", &u.host,
                                       (int) u.port)
                           - pr->host.data;
        }
    }

    return NGX_CONF_OK;
}
