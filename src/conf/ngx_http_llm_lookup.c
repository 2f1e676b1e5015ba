
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_lookup.h"
#include "ngx_http_llm_pattern.h"


/*
 * A key's fallbacks must be models the key may call: nginx -t says so
 * rather than every request finding out.
 */

ngx_int_t
ngx_http_llm_check_fallbacks(ngx_conf_t *cf, ngx_http_llm_main_conf_t *lmcf)
{
    u_char                    *slash;
    ngx_str_t                 *fb, pname, model;
    ngx_uint_t                 i, j, k, ok;
    ngx_http_llm_vkey_t      **vk;
    ngx_http_llm_provider_t   *pr, **prs;

    vk = lmcf->vkeys.elts;
    prs = lmcf->providers.elts;

    for (i = 0; i < lmcf->vkeys.nelts; i++) {
        fb = vk[i]->fallbacks.elts;

        for (j = 0; j < vk[i]->fallbacks.nelts; j++) {
            ok = 0;
            slash = ngx_strlchr(fb[j].data, fb[j].data + fb[j].len, '/');
            pr = NULL;

            if (slash) {
                pname.data = fb[j].data;
                pname.len = slash - fb[j].data;
                pr = ngx_http_llm_find_provider(lmcf, &pname);
            }

            if (pr) {
                model.data = slash + 1;
                model.len = fb[j].data + fb[j].len - model.data;

                ok = ngx_http_llm_provider_serves(pr, &model)
                     && ngx_http_llm_key_allows(vk[i], pr, &model);

            } else {
                for (k = 0; k < lmcf->providers.nelts && !ok; k++) {
                    ok = ngx_http_llm_provider_serves(prs[k], &fb[j])
                         && ngx_http_llm_key_allows(vk[i], prs[k], &fb[j]);
                }
            }

            if (!ok) {
                ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                              "llm_virtual_key \"%V\": fallback \"%V\" is "
                              "not a model this key may call, in %V:%ui",
                              &vk[i]->name, &fb[j], &vk[i]->file,
                              vk[i]->fallbacks_line);
                return NGX_ERROR;
            }
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_llm_provider_serves(ngx_http_llm_provider_t *pr, ngx_str_t *model)
{
    ngx_uint_t               i;
    ngx_http_llm_pattern_t  *pat;

    pat = pr->models.elts;

    for (i = 0; i < pr->models.nelts; i++) {
        if (ngx_http_llm_pattern_match(&pat[i], model)) {
            return 1;
        }
    }

    return 0;
}


ngx_http_llm_provider_t *
ngx_http_llm_find_provider(ngx_http_llm_main_conf_t *lmcf, ngx_str_t *name)
{
    ngx_uint_t                 i;
    ngx_http_llm_provider_t  **pr;

    pr = lmcf->providers.elts;

    for (i = 0; i < lmcf->providers.nelts; i++) {
        if (pr[i]->name.len == name->len
            && ngx_strncmp(pr[i]->name.data, name->data, name->len) == 0)
        {
            return pr[i];
        }
    }

    return NULL;
}


/* deny by default: a key with no "models" may call nothing */

ngx_int_t
ngx_http_llm_key_allows(ngx_http_llm_vkey_t *vk, ngx_http_llm_provider_t *pr,
    ngx_str_t *model)
{
    u_char                     buf[512];
    ngx_str_t                  full;
    ngx_uint_t                 i;
    ngx_http_llm_key_model_t  *km;

    km = vk->models.elts;

    for (i = 0; i < vk->models.nelts; i++) {

        if (km[i].regex) {
            if (pr->name.len + 1 + model->len > sizeof(buf)) {
                continue;
            }

            full.data = buf;
            full.len = ngx_sprintf(buf, "%V/%V", &pr->name, model) - buf;

            if (ngx_regex_exec(km[i].regex, &full, NULL, 0) >= 0) {
                return 1;
            }

            continue;
        }

        if (km[i].provider.len
            && (km[i].provider.len != pr->name.len
                || ngx_strncmp(km[i].provider.data, pr->name.data,
                               pr->name.len) != 0))
        {
            continue;
        }

        if (ngx_http_llm_pattern_match(&km[i].model, model)) {
            return 1;
        }
    }

    return 0;
}
