
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_UNIT_H_INCLUDED_
#define _NGX_HTTP_LLM_UNIT_H_INCLUDED_


#include <stdio.h>


static int  unit_passed;
static int  unit_failed;


#define CHECK(cond)                                                          \
    do {                                                                     \
        if (cond) {                                                          \
            unit_passed++;                                                   \
        } else {                                                             \
            unit_failed++;                                                   \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);  \
        }                                                                    \
    } while (0)


/* the closing line CI reads: "N passed, N failed" */
#define UNIT_DONE(name)                                                      \
    printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);    \
    return unit_failed ? 1 : 0


#endif /* _NGX_HTTP_LLM_UNIT_H_INCLUDED_ */
