
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_llm_common.h"
#include "ngx_http_llm_models.h"
#include "ngx_http_llm_error.h"
#include "ngx_http_llm_lookup.h"
#include "ngx_http_llm_pattern.h"
#include "ngx_http_llm_json.h"


static ngx_int_t ngx_http_llm_models_add(ngx_http_request_t *r,
    ngx_array_t *ids, ngx_http_llm_provider_t *pr, ngx_str_t *model);


/*
 * GET /v1/models: the models this key may call, as "provider/model".
 * Providers that accept any model or a regex cannot be enumerated; a
 * literal the key names is listed when the provider serves it.
 */

ngx_int_t
ngx_http_llm_models(ngx_http_request_t *r, ngx_http_llm_ctx_t *ctx)
{
    u_char                     *p;
    size_t                      len;
    ngx_str_t                  *id, body, m;
    ngx_uint_t                  i, j, k;
    ngx_array_t                 ids;
    ngx_http_llm_pattern_t     *pat;
    ngx_http_llm_provider_t   **pr;
    ngx_http_llm_main_conf_t   *lmcf;
    ngx_http_llm_key_model_t   *km;

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_llm_module);

    if (ngx_array_init(&ids, r->pool, 8, 2 * sizeof(ngx_str_t)) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    pr = lmcf->providers.elts;
    km = ctx->vkey->models.elts;

    for (i = 0; i < lmcf->providers.nelts; i++) {
        pat = pr[i]->models.elts;

        for (j = 0; j < pr[i]->models.nelts; j++) {
            if (pat[j].any || pat[j].regex || pat[j].prefix) {
                continue;
            }

            if (ngx_http_llm_key_allows(ctx->vkey, pr[i], &pat[j].name)
                && ngx_http_llm_models_add(r, &ids, pr[i],
                                                 &pat[j].name)
                   != NGX_OK)
            {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }
        }

        for (k = 0; k < ctx->vkey->models.nelts; k++) {
            m = km[k].model.name;

            if (km[k].regex || km[k].model.any || km[k].model.regex
                || km[k].model.prefix
                || (km[k].provider.len
                    && (km[k].provider.len != pr[i]->name.len
                        || ngx_strncmp(km[k].provider.data, pr[i]->name.data,
                                       pr[i]->name.len) != 0)))
            {
                continue;
            }

            for (j = 0; j < pr[i]->models.nelts; j++) {
                if (ngx_http_llm_pattern_match(&pat[j], &m)) {
                    if (ngx_http_llm_models_add(r, &ids, pr[i], &m)
                        != NGX_OK)
                    {
                        return NGX_HTTP_INTERNAL_SERVER_ERROR;
                    }

                    break;
                }
            }
        }
    }

    len = sizeof("{\"object\":\"list\",\"data\":[]}\n") - 1;
    id = ids.elts;

    for (i = 0; i < ids.nelts; i++) {
        len += sizeof("{\"id\":\"/\",\"object\":\"model\",\"created\":0,"
                      "\"owned_by\":\"\"},") - 1
               + 2 * ngx_http_llm_json_escape_len(id[2 * i].data,
                                                  id[2 * i].len)
               + ngx_http_llm_json_escape_len(id[2 * i + 1].data,
                                              id[2 * i + 1].len);
    }

    body.data = ngx_pnalloc(r->pool, len);
    if (body.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_http_llm_cpystr(body.data, "{\"object\":\"list\",\"data\":[");

    for (i = 0; i < ids.nelts; i++) {
        if (i) {
            *p++ = ',';
        }

        p = ngx_http_llm_cpystr(p, "{\"id\":\"");
        p = ngx_http_llm_json_escape(p, id[2 * i].data, id[2 * i].len);
        *p++ = '/';
        p = ngx_http_llm_json_escape(p, id[2 * i + 1].data,
                                     id[2 * i + 1].len);
        p = ngx_http_llm_cpystr(p, "\",\"object\":\"model\",\"created\":0,"
                          "\"owned_by\":\"");
        p = ngx_http_llm_json_escape(p, id[2 * i].data, id[2 * i].len);
        p = ngx_http_llm_cpystr(p, "\"}");
    }

    p = ngx_http_llm_cpystr(p, "]}\n");
    body.len = p - body.data;

    return ngx_http_llm_send_json(r, NGX_HTTP_OK, &body);
}


static ngx_int_t
ngx_http_llm_models_add(ngx_http_request_t *r, ngx_array_t *ids,
    ngx_http_llm_provider_t *pr, ngx_str_t *model)
{
    ngx_str_t   *id;
    ngx_uint_t   i;

    id = ids->elts;

    for (i = 0; i < ids->nelts; i++) {
        if (id[2 * i].data == pr->name.data
            && id[2 * i + 1].len == model->len
            && ngx_strncmp(id[2 * i + 1].data, model->data, model->len) == 0)
        {
            return NGX_OK;
        }
    }

    id = ngx_array_push(ids);
    if (id == NULL) {
        return NGX_ERROR;
    }

    id[0] = pr->name;
    id[1] = *model;

    return NGX_OK;
}
