
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_llm_sse.h"
#include "unit.h"


static size_t
end_at(const char *s)
{
    u_char  *e;

    e = ngx_http_llm_sse_event_end((u_char *) s, (u_char *) s + strlen(s));

    return e ? (size_t) (e - (u_char *) s) : 0;
}


int
main(void)
{
    const char  *ev;
    ngx_str_t    data;

    /* LF and CRLF framing, and events not yet whole */
    CHECK(end_at("data: a\n\n") == 9);
    CHECK(end_at("data: a\n\ndata: b\n\n") == 9);
    CHECK(end_at("data: a\r\n\r\n") == 11);
    CHECK(end_at("event: x\ndata: a\n\n") == 18);
    CHECK(end_at("data: a\n") == 0);
    CHECK(end_at("data: a\r\n") == 0);
    CHECK(end_at("data: a\r\n\r") == 0);
    CHECK(end_at("data: a") == 0);
    CHECK(end_at("") == 0);
    CHECK(end_at("\n\n") == 2);

    /* the data field */
    ev = "event: message\ndata: {\"a\":1}\n\n";
    CHECK(ngx_http_llm_sse_data((u_char *) ev, (u_char *) ev + strlen(ev),
                                &data) == NGX_OK);
    CHECK(data.len == 7 && ngx_strncmp(data.data, "{\"a\":1}", 7) == 0);

    ev = "data:{\"a\":1}\r\n\r\n";
    CHECK(ngx_http_llm_sse_data((u_char *) ev, (u_char *) ev + strlen(ev),
                                &data) == NGX_OK);
    CHECK(data.len == 7);

    ev = ": comment\n\n";
    CHECK(ngx_http_llm_sse_data((u_char *) ev, (u_char *) ev + strlen(ev),
                                &data) == NGX_DECLINED);

    ev = "data: [DONE]\n\n";
    CHECK(ngx_http_llm_sse_data((u_char *) ev, (u_char *) ev + strlen(ev),
                                &data) == NGX_OK
          && ngx_http_llm_sse_is_done(&data));

    ev = "data: [DONE]x\n\n";
    CHECK(ngx_http_llm_sse_data((u_char *) ev, (u_char *) ev + strlen(ev),
                                &data) == NGX_OK
          && !ngx_http_llm_sse_is_done(&data));

    UNIT_DONE("sse");
}
