
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _NGX_HTTP_LLM_UNIT_H_INCLUDED_
#define _NGX_HTTP_LLM_UNIT_H_INCLUDED_


#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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


/* a printed document against the one expected; "got" is freed */
static inline int
unit_same(char *got, const char *want)
{
    int  ok;

    ok = (got != NULL && strcmp(got, want) == 0);

    if (!ok) {
        fprintf(stderr, "  got:  %s\n  want: %s\n", got ? got : "(null)",
                want);
    }

    free(got);

    return ok;
}


/* the closing line CI reads: "N passed, N failed" */
#define UNIT_DONE(name)                                                      \
    printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);    \
    return unit_failed ? 1 : 0


#endif /* _NGX_HTTP_LLM_UNIT_H_INCLUDED_ */
