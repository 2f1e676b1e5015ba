
/*
 * Copyright (C) ngx_http_llm_module authors
 */


#ifndef _JSON_MUTATE_H_INCLUDED_
#define _JSON_MUTATE_H_INCLUDED_


/*
 * A structure-aware mutator for the fuzz targets that read JSON.  Byte
 * mutations of a JSON seed almost never give valid JSON of another shape
 * (an object made an array needs both brackets changed at once), so the
 * readers' type checks went untested: a Gemini request with an array
 * where a tool object belongs crashed on a member name that array
 * children do not have, and hours of byte fuzzing never got there.
 *
 * Mostly the input is parsed with cJSON and one node, picked
 * uniformly over the tree, is changed: replaced by another type or a
 * hostile value, wrapped, unwrapped, retyped (object <-> array),
 * deleted, duplicated (a member twice), renamed to a member name one of
 * the dialects knows, given a known member, swapped with or replaced by
 * another subtree; printed unformatted.  Inputs of many lines (streams,
 * one event a line, "data: " or not) have one line's JSON mutated, or
 * lines deleted, duplicated or swapped.  With JSON_MUTATE_EVENTSTREAM
 * defined the input is AWS event stream frames: a frame's JSON payload
 * or its event type is changed, frames are deleted, duplicated or
 * swapped, and the CRCs are made right again (byte mutations too), so
 * the readers behind the CRC checks see the changes.  Otherwise, or
 * when the result does not fit, LLVMFuzzerMutate.
 *
 * Deterministic from libFuzzer's seed (an own PRNG, not rand()); no
 * recursion but cJSON's own, which its nesting limit bounds.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <zlib.h>


size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);


/*
 * How often, in four, the structure is mutated rather than the bytes;
 * and crossed over one time in JM_CROSS that libFuzzer asks for it.
 * Measured on the Gemini tools crash from the seeds: 3 and 4 found it in
 * a median 1.3 s, 2 and 1 (libFuzzer's own share of crossovers, half
 * the mutations) in 9 s.
 */
#ifndef JM_STRUCTURAL
#define JM_STRUCTURAL  3
#endif

#ifndef JM_CROSS
#define JM_CROSS       4
#endif

#define JM_NODES   4096
#define JM_LINES   1024
#define JM_FRAMES  256


typedef struct {
    uint64_t          s;
} jm_rng_t;


typedef struct {
    cJSON            *root;
    cJSON            *node[JM_NODES];
    int               parent[JM_NODES];
    int               n;
} jm_tree_t;


typedef struct {
    const uint8_t    *start;
    size_t            len;
} jm_span_t;


/* member names of every dialect: client requests and provider answers */

static const char  *jm_names[] = {
    /* OpenAI chat, embeddings, answers, chunks, errors */
    "model", "messages", "role", "content", "name", "tool_calls",
    "tool_call_id", "function", "arguments", "type", "id", "tools",
    "parameters", "description", "strict", "tool_choice",
    "parallel_tool_calls", "max_tokens", "max_completion_tokens",
    "temperature", "top_p", "n", "stop", "stream", "stream_options",
    "include_usage", "user", "seed", "logprobs", "top_logprobs",
    "response_format", "json_schema", "schema", "frequency_penalty",
    "presence_penalty", "logit_bias", "modalities", "audio", "prediction",
    "reasoning_effort", "metadata", "store", "service_tier", "text",
    "image_url", "url", "detail", "input_audio", "file", "file_id",
    "refusal", "fallbacks", "input", "encoding_format", "dimensions",
    "object", "created", "choices", "index", "message", "delta",
    "finish_reason", "usage", "prompt_tokens", "completion_tokens",
    "total_tokens", "prompt_tokens_details", "cached_tokens",
    "completion_tokens_details", "reasoning_tokens", "system_fingerprint",
    "data", "embedding", "error", "code", "param",

    /* Anthropic messages, count_tokens, answers, events */
    "max_tokens", "system", "stop_sequences", "top_k", "thinking",
    "budget_tokens", "signature", "cache_control", "ttl",
    "input_schema", "disable_parallel_tool_use", "user_id", "source",
    "media_type", "tool_use_id", "is_error", "citations", "mcp_servers",
    "container", "stop_reason", "stop_sequence", "input_tokens",
    "output_tokens", "cache_read_input_tokens",
    "cache_creation_input_tokens", "content_block", "partial_json",
    "anthropic_version", "anthropic_beta",

    /* Gemini generateContent, countTokens, answers, chunks */
    "contents", "parts", "systemInstruction", "system_instruction",
    "inlineData", "mimeType", "fileData", "fileUri", "functionCall",
    "functionResponse", "args", "response", "thought",
    "thoughtSignature", "functionDeclarations", "parametersJsonSchema",
    "toolConfig", "functionCallingConfig", "mode", "allowedFunctionNames",
    "generationConfig", "maxOutputTokens", "topP", "topK",
    "stopSequences", "candidateCount", "responseMimeType",
    "responseSchema", "responseJsonSchema", "responseModalities",
    "speechConfig", "thinkingConfig", "thinkingBudget",
    "includeThoughts", "safetySettings", "cachedContent",
    "googleSearch", "codeExecution", "urlContext",
    "generateContentRequest", "candidates", "finishReason",
    "usageMetadata", "promptTokenCount", "candidatesTokenCount",
    "cachedContentTokenCount", "thoughtsTokenCount", "totalTokenCount",
    "modelVersion", "responseId", "promptFeedback", "blockReason",
    "safetyRatings", "status", "details", "totalTokens",

    /* Bedrock Converse, ConverseStream events */
    "inferenceConfig", "maxTokens", "toolSpec", "inputSchema", "json",
    "toolUse", "toolUseId", "toolResult", "toolChoice", "auto", "any",
    "output", "stopReason", "inputTokens", "outputTokens",
    "totalTokens", "cacheReadInputTokens", "cacheWriteInputTokens",
    "metrics", "latencyMs", "contentBlockIndex", "start",
    "additionalModelRequestFields", "reasoningContent", "reasoningText",
    "image", "format", "bytes", "guardContent"
};


/* string values the readers branch on */

static const char  *jm_strings[] = {
    "", "user", "assistant", "system", "developer", "tool", "model",
    "function", "text", "image_url", "image", "tool_use", "tool_result",
    "thinking", "redacted_thinking", "auto", "none", "required", "any",
    "ANY", "AUTO", "NONE", "VALIDATED", "object", "OBJECT", "STRING",
    "ARRAY", "INTEGER", "base64", "url", "ephemeral",
    "chat.completion", "chat.completion.chunk", "stop", "length",
    "tool_calls", "content_filter", "function_call", "end_turn",
    "max_tokens", "stop_sequence", "STOP", "MAX_TOKENS", "SAFETY",
    "RECITATION", "OTHER", "tool_use", "guardrail_intervened",
    "message_start", "content_block_start", "content_block_delta",
    "content_block_stop", "message_delta", "message_stop", "ping",
    "error", "text_delta", "input_json_delta", "thinking_delta",
    "signature_delta", "overloaded_error", "invalid_request_error",
    "messageStart", "contentBlockStart", "contentBlockDelta",
    "contentBlockStop", "messageStop", "metadata", "[DONE]",
    "image/png", "data:image/png;base64,AAAA", "call_0_ts_CiQB",
    "{\"a\":", "{}", "\\u0000"
};


/* values no reader should take for granted, as JSON text */

static const char  *jm_hostile[] = {
    "[]", "{}", "[[]]", "[[[]]]", "[{}]", "[1]", "[null]", "[\"\"]",
    "{\"\":null}", "[[{}]]", "null", "true", "false", "0", "-1", "1",
    "1.5", "-0", "1e309", "-1e309", "1e-400", "2147483648",
    "4294967296", "9223372036854775807", "9223372036854775808",
    "-9223372036854775809", "18446744073709551616",
    "123456789012345678901234567890", "\"\"", "\"\\u0000\"",
    "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\ud83d\\ude00\"",
    "\"\xff\xfe\"", "\"\xc3\x28\"", "\"\xed\xa0\x80\"", "\"\\\\\"",
    "\"\\\"\"", "\"\\u001f\\t\\n\""
};


static uint64_t
jm_next(jm_rng_t *r)
{
    uint64_t  z;

    /* splitmix64 */
    z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;

    return z ^ (z >> 31);
}


static size_t
jm_below(jm_rng_t *r, size_t n)
{
    return n ? (size_t) (jm_next(r) % n) : 0;
}


#define jm_pick(r, a)  (a)[jm_below(r, sizeof(a) / sizeof((a)[0]))]


/* a node's name replaced (NULL: none), as cJSON frees it */

static int
jm_name(cJSON *item, const char *name)
{
    char  *s;

    s = NULL;

    if (name) {
        s = malloc(strlen(name) + 1);
        if (s == NULL) {
            return -1;
        }

        strcpy(s, name);
    }

    if (item->string && !(item->type & cJSON_StringIsConst)) {
        free(item->string);
    }

    item->type &= ~cJSON_StringIsConst;
    item->string = s;

    return 0;
}


/* every node breadth first, with its parent's index: no recursion */

static void
jm_flatten(jm_tree_t *t)
{
    int     i;
    cJSON  *c;

    t->node[0] = t->root;
    t->parent[0] = -1;
    t->n = 1;

    for (i = 0; i < t->n; i++) {
        for (c = t->node[i]->child; c && t->n < JM_NODES; c = c->next) {
            t->node[t->n] = c;
            t->parent[t->n] = i;
            t->n++;
        }
    }
}


static int
jm_ancestor(jm_tree_t *t, int a, int b)
{
    /* a is b or above it */
    while (b >= 0) {
        if (a == b) {
            return 1;
        }

        b = t->parent[b];
    }

    return 0;
}


/* node k replaced by x, which takes k's name (array members have none) */

static void
jm_replace(jm_tree_t *t, int k, cJSON *x)
{
    cJSON  *node;

    node = t->node[k];

    (void) jm_name(x, NULL);
    x->string = node->string;
    x->type |= node->type & cJSON_StringIsConst;
    node->string = NULL;
    node->type &= ~cJSON_StringIsConst;

    if (t->parent[k] < 0) {
        cJSON_Delete(node);
        t->root = x;

    } else {
        cJSON_ReplaceItemViaPointer(t->node[t->parent[k]], node, x);
    }
}


static cJSON *
jm_string_value(jm_rng_t *r)
{
    char        *s;
    cJSON       *x;
    size_t       n, i, unit;
    const char  *rep;

    if (jm_below(r, 3)) {
        return cJSON_CreateString(jm_pick(r, jm_strings));
    }

    /* long, or long once escaped: output buffers sized by the input */
    switch (jm_below(r, 4)) {
    case 0:
        rep = "A";
        break;
    case 1:
        rep = "\\\"";
        break;
    case 2:
        rep = "\\u0001";
        break;
    default:
        rep = "\xc3\xa9";
        break;
    }

    n = 1 + jm_below(r, 2) * 255 + jm_below(r, 2) * 700;
    unit = strlen(rep);

    s = malloc(n * unit + 3);
    if (s == NULL) {
        return NULL;
    }

    s[0] = '"';

    for (i = 0; i < n; i++) {
        memcpy(s + 1 + i * unit, rep, unit);
    }

    s[1 + n * unit] = '"';
    s[2 + n * unit] = '\0';

    x = cJSON_CreateRaw(s);
    free(s);

    return x;
}


/* a hostile value: raw text, printed as is (invalid escapes included) */

static cJSON *
jm_hostile_value(jm_rng_t *r)
{
    char          *s;
    cJSON         *x;
    size_t         depth, i;
    static size_t  depths[] = { 32, 64, 100, 200, 999, 1001 };

    switch (jm_below(r, 8)) {

    case 0:
        return jm_string_value(r);

    case 1:
        /* deep: around the parsers' nesting limits */
        depth = jm_pick(r, depths);
        s = malloc(2 * depth + 1);
        if (s == NULL) {
            return NULL;
        }

        for (i = 0; i < depth; i++) {
            s[i] = '[';
            s[2 * depth - 1 - i] = ']';
        }

        s[2 * depth] = '\0';
        x = cJSON_CreateRaw(s);
        free(s);

        return x;

    default:
        return cJSON_CreateRaw(jm_pick(r, jm_hostile));
    }
}


/* a value for a new member: hostile, a known string, or another node */

static cJSON *
jm_value(jm_rng_t *r, jm_tree_t *t)
{
    switch (jm_below(r, 3)) {
    case 0:
        return cJSON_Duplicate(t->node[jm_below(r, t->n)], 1);
    case 1:
        return cJSON_CreateString(jm_pick(r, jm_strings));
    default:
        return jm_hostile_value(r);
    }
}


/* one structural change of the tree; -1: none applied */

static int
jm_mutate_tree(jm_rng_t *r, jm_tree_t *t)
{
    int     k, m, tries, i, objs[JM_NODES], nobj;
    cJSON  *node, *x, *y, *c, *p;

    jm_flatten(t);

    for (tries = 0; tries < 16; tries++) {
        k = (int) jm_below(r, t->n);
        node = t->node[k];
        p = t->parent[k] >= 0 ? t->node[t->parent[k]] : NULL;

        switch (jm_below(r, 14)) {

        case 0:
        case 1:
            /* another type, or a hostile value */
            x = jm_hostile_value(r);
            break;

        case 2:
            x = cJSON_CreateString(jm_pick(r, jm_strings));
            break;

        case 3:
            /* wrapped in an array */
            x = cJSON_CreateArray();
            y = cJSON_Duplicate(node, 1);

            if (x == NULL || y == NULL) {
                cJSON_Delete(x);
                cJSON_Delete(y);
                return -1;
            }

            (void) jm_name(y, NULL);
            cJSON_AddItemToArray(x, y);
            break;

        case 4:
            /* wrapped in an object, under its own name or a known one */
            x = cJSON_CreateObject();
            y = cJSON_Duplicate(node, 1);

            if (x == NULL || y == NULL) {
                cJSON_Delete(x);
                cJSON_Delete(y);
                return -1;
            }

            cJSON_AddItemToObject(x, (node->string && jm_below(r, 2))
                                     ? node->string : jm_pick(r, jm_names),
                                  y);
            break;

        case 5:
            /* unwrapped: a container as one of its members */
            if (node->child == NULL) {
                continue;
            }

            for (i = (int) jm_below(r, cJSON_GetArraySize(node)),
                 c = node->child;
                 i > 0 && c->next;
                 i--, c = c->next)
            {
                /* void */
            }

            x = cJSON_Duplicate(c, 1);
            break;

        case 6:
            /* retyped in place: an object's members as an array's, or
             * an array's as members of known names */
            if (cJSON_IsObject(node)) {
                for (c = node->child; c; c = c->next) {
                    (void) jm_name(c, NULL);
                }

                node->type = (node->type & ~0xff) | cJSON_Array;
                return 0;
            }

            if (cJSON_IsArray(node)) {
                for (c = node->child; c; c = c->next) {
                    if (jm_name(c, jm_pick(r, jm_names)) != 0) {
                        return -1;
                    }
                }

                node->type = (node->type & ~0xff) | cJSON_Object;
                return 0;
            }

            continue;

        case 7:
            if (p == NULL) {
                continue;
            }

            cJSON_Delete(cJSON_DetachItemViaPointer(p, node));
            return 0;

        case 8:
            /* a member twice (same name), an element twice */
            if (p == NULL) {
                continue;
            }

            x = cJSON_Duplicate(node, 1);
            if (x == NULL) {
                return -1;
            }

            x->next = node->next;
            x->prev = node;

            if (node->next) {
                node->next->prev = x;

            } else {
                p->child->prev = x;
            }

            node->next = x;
            return 0;

        case 9:
            if (p == NULL || !cJSON_IsObject(p)) {
                continue;
            }

            return jm_name(node, jm_pick(r, jm_names));

        case 10:
            /* a known member added to a random object */
            for (i = 0, nobj = 0; i < t->n; i++) {
                if (cJSON_IsObject(t->node[i])) {
                    objs[nobj++] = i;
                }
            }

            if (nobj == 0) {
                continue;
            }

            x = jm_value(r, t);
            if (x == NULL) {
                return -1;
            }

            cJSON_AddItemToObject(t->node[objs[jm_below(r, nobj)]],
                                  jm_pick(r, jm_names), x);
            return 0;

        case 11:
            /* two unrelated subtrees swapped */
            m = (int) jm_below(r, t->n);

            if (jm_ancestor(t, k, m) || jm_ancestor(t, m, k)) {
                continue;
            }

            x = cJSON_Duplicate(t->node[m], 1);
            y = cJSON_Duplicate(node, 1);

            if (x == NULL || y == NULL) {
                cJSON_Delete(x);
                cJSON_Delete(y);
                return -1;
            }

            jm_replace(t, k, x);
            jm_replace(t, m, y);
            return 0;

        case 12:
            /* replaced by a copy of any node, above or below included */
            x = cJSON_Duplicate(t->node[jm_below(r, t->n)], 1);
            break;

        default:
            /* emptied */
            if (node->child == NULL) {
                continue;
            }

            x = cJSON_IsArray(node) ? cJSON_CreateArray()
                                    : cJSON_CreateObject();
            break;
        }

        if (x == NULL) {
            return -1;
        }

        jm_replace(t, k, x);
        return 0;
    }

    return -1;
}


/* one JSON text and nothing after it but whitespace, else NULL */

static cJSON *
jm_parse(const uint8_t *data, size_t size)
{
    cJSON       *root;
    const char  *end, *last;

    root = cJSON_ParseWithLengthOpts((const char *) data, size, &end, 0);

    if (root == NULL) {
        return NULL;
    }

    /* a stream's lines parse as their first: not one document */
    for (last = (const char *) data + size; end < last; end++) {
        if (*end != ' ' && *end != '\t' && *end != '\r' && *end != '\n'
            && *end != '\0')
        {
            cJSON_Delete(root);
            return NULL;
        }
    }

    return root;
}


/* JSON text mutated into out; its length, or 0 */

static size_t
jm_mutate_json(jm_rng_t *r, const uint8_t *data, size_t size, uint8_t *out,
    size_t max)
{
    char       *s;
    size_t      n;
    jm_tree_t  *t;

    t = malloc(sizeof(jm_tree_t));
    if (t == NULL) {
        return 0;
    }

    n = 0;
    t->root = jm_parse(data, size);

    if (t->root && jm_mutate_tree(r, t) == 0) {
        s = cJSON_PrintUnformatted(t->root);

        if (s && strlen(s) <= max) {
            n = strlen(s);
            memcpy(out, s, n);
        }

        cJSON_free(s);
    }

    cJSON_Delete(t->root);
    free(t);

    return n;
}


/* the input's lines (without their '\n') */

static size_t
jm_lines(const uint8_t *data, size_t size, jm_span_t *l, size_t max)
{
    size_t          n;
    const uint8_t  *p, *end, *nl;

    n = 0;
    p = data;
    end = data + size;

    while (p < end && n < max) {
        nl = memchr(p, '\n', end - p);
        l[n].start = p;
        l[n].len = (nl ? nl : end) - p;
        n++;
        p = nl ? nl + 1 : end;
    }

    return n;
}


/* spans joined with '\n' into out; the length, or 0 when too long */

static size_t
jm_join(jm_span_t *l, size_t n, uint8_t *out, size_t max)
{
    size_t  i, len;

    for (i = 0, len = 0; i < n; i++) {
        len += l[i].len + (i + 1 < n);
    }

    if (len == 0 || len > max) {
        return 0;
    }

    for (i = 0, len = 0; i < n; i++) {
        memmove(out + len, l[i].start, l[i].len);
        len += l[i].len;

        if (i + 1 < n) {
            out[len++] = '\n';
        }
    }

    return len;
}


/* lines deleted, duplicated or swapped: a stream's events reordered */

static void
jm_shuffle(jm_rng_t *r, jm_span_t *l, size_t *n, size_t max)
{
    size_t     a, b, i;
    jm_span_t  s;

    a = jm_below(r, *n);
    b = jm_below(r, *n);

    switch (jm_below(r, 3)) {

    case 0:
        if (*n > 1) {
            memmove(&l[a], &l[a + 1], (*n - a - 1) * sizeof(jm_span_t));
            (*n)--;
        }

        break;

    case 1:
        if (*n < max) {
            for (i = *n; i > a; i--) {
                l[i] = l[i - 1];
            }

            (*n)++;
        }

        break;

    default:
        s = l[a];
        l[a] = l[b];
        l[b] = s;
        break;
    }
}


/*
 * Many lines: one line's JSON (after "data:" and a space, if there)
 * mutated, or the lines shuffled.  The result in a scratch buffer first:
 * the lines point into data.
 */

static size_t
jm_mutate_lines(jm_rng_t *r, uint8_t *data, size_t size, size_t max)
{
    size_t          n, i, k, skip, cand[JM_LINES], ncand, len, room;
    uint8_t        *tmp, *mid;
    jm_span_t      *l;
    const uint8_t  *p;

    l = malloc(sizeof(jm_span_t) * (JM_LINES + 1));
    tmp = malloc(2 * max + 1);

    if (l == NULL || tmp == NULL) {
        free(l);
        free(tmp);
        return 0;
    }

    len = 0;
    n = jm_lines(data, size, l, JM_LINES);

    if (n > 1 && jm_below(r, 4) == 0) {
        jm_shuffle(r, l, &n, JM_LINES);
        len = jm_join(l, n, tmp, max);
        goto done;
    }

    /* the lines that look like JSON: picked among those only */
    for (i = 0, ncand = 0; i < n; i++) {
        p = l[i].start;
        skip = (l[i].len >= 5 && memcmp(p, "data:", 5) == 0)
               ? 5 + (l[i].len > 5 && p[5] == ' ') : 0;

        if (l[i].len > skip && (p[skip] == '{' || p[skip] == '[')) {
            cand[ncand++] = i;
        }
    }

    if (ncand == 0) {
        goto done;
    }

    k = cand[jm_below(r, ncand)];
    p = l[k].start;
    skip = (l[k].len >= 5 && memcmp(p, "data:", 5) == 0)
           ? 5 + (l[k].len > 5 && p[5] == ' ') : 0;

    /* the mutated line after the joined result's room, then spliced */
    room = max + 1 - (size - l[k].len);
    mid = tmp + max + 1;

    if (size - l[k].len > max || room <= skip) {
        goto done;
    }

    memcpy(mid, p, skip);
    i = jm_mutate_json(r, p + skip, l[k].len - skip, mid + skip,
                       room - skip - 1);

    if (i == 0) {
        goto done;
    }

    l[k].start = mid;
    l[k].len = skip + i;
    len = jm_join(l, n, tmp, max);

done:

    if (len) {
        memcpy(data, tmp, len);
    }

    free(l);
    free(tmp);

    return len;
}


#ifdef JSON_MUTATE_EVENTSTREAM

/*
 * AWS event stream frames: prelude (total length, headers length, CRC),
 * headers, payload, CRC.  Split by their lengths alone, CRCs not
 * checked: written anew when the frames are joined.
 */

typedef struct {
    const uint8_t    *headers;
    size_t            hlen;
    const uint8_t    *payload;
    size_t            plen;
} jm_frame_t;


static const char  *jm_event_types[] = {
    "messageStart", "contentBlockStart", "contentBlockDelta",
    "contentBlockStop", "messageStop", "metadata", "ping", "",
    "throttlingException", "validationException",
    "modelStreamErrorException", "internalServerException"
};


#define jm_be32(p)                                                           \
    ((uint32_t) (p)[0] << 24 | (uint32_t) (p)[1] << 16                       \
     | (uint32_t) (p)[2] << 8 | (uint32_t) (p)[3])


static void
jm_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t) (v >> 24);
    p[1] = (uint8_t) (v >> 16);
    p[2] = (uint8_t) (v >> 8);
    p[3] = (uint8_t) v;
}


static size_t
jm_frames(const uint8_t *data, size_t size, jm_frame_t *f, size_t max,
    const uint8_t **tail)
{
    size_t          n, total, hlen;
    const uint8_t  *p, *end;

    n = 0;
    p = data;
    end = data + size;

    while (end - p >= 16 && n < max) {
        total = jm_be32(p);
        hlen = jm_be32(p + 4);

        if (total < 16 || total > (size_t) (end - p) || hlen > total - 16) {
            break;
        }

        f[n].headers = p + 12;
        f[n].hlen = hlen;
        f[n].payload = p + 12 + hlen;
        f[n].plen = total - 16 - hlen;
        n++;
        p += total;
    }

    *tail = p;

    return n;
}


/* the frames written with right CRCs, then the tail; 0: too long */

static size_t
jm_frames_join(jm_frame_t *f, size_t n, const uint8_t *tail, size_t tlen,
    uint8_t *out, size_t max)
{
    size_t    i, len, total;
    uint8_t  *p;

    for (i = 0, len = tlen; i < n; i++) {
        len += 16 + f[i].hlen + f[i].plen;
    }

    if (len == 0 || len > max) {
        return 0;
    }

    p = out;

    for (i = 0; i < n; i++) {
        total = 16 + f[i].hlen + f[i].plen;
        jm_put32(p, (uint32_t) total);
        jm_put32(p + 4, (uint32_t) f[i].hlen);
        jm_put32(p + 8, (uint32_t) crc32(0, p, 8));
        memmove(p + 12, f[i].headers, f[i].hlen);
        memmove(p + 12 + f[i].hlen, f[i].payload, f[i].plen);
        jm_put32(p + total - 4, (uint32_t) crc32(0, p, total - 4));
        p += total;
    }

    memmove(p, tail, tlen);

    return len;
}


/*
 * A frame's headers with one string header set (any of that name
 * replaced):
 * written at out, their length; 0 if they cannot be read.
 */

static size_t
jm_header_set(const uint8_t *h, size_t hlen, const char *name,
    const char *value, uint8_t *out)
{
    size_t          nlen, vlen, len, want;
    uint8_t        *o;
    const uint8_t  *end, *start;

    o = out;
    end = h + hlen;
    want = strlen(name);

    while (h < end) {
        start = h;
        nlen = *h++;

        if (nlen == 0 || (size_t) (end - h) < nlen + 1) {
            return 0;
        }

        h += nlen;

        switch (*h++) {
        case 0: case 1: vlen = 0; break;
        case 2: vlen = 1; break;
        case 3: vlen = 2; break;
        case 4: vlen = 4; break;
        case 5: case 8: vlen = 8; break;
        case 9: vlen = 16; break;
        case 6: case 7:
            if (end - h < 2) {
                return 0;
            }

            vlen = (size_t) h[0] << 8 | h[1];
            h += 2;
            break;
        default:
            return 0;
        }

        if ((size_t) (end - h) < vlen) {
            return 0;
        }

        h += vlen;

        /* the header of that name left out: written last */
        if (nlen == want && memcmp(start + 1, name, nlen) == 0) {
            continue;
        }

        memcpy(o, start, h - start);
        o += h - start;
    }

    len = strlen(value);
    *o++ = (uint8_t) want;
    memcpy(o, name, want);
    o += want;
    *o++ = 7;
    *o++ = (uint8_t) (len >> 8);
    *o++ = (uint8_t) len;
    memcpy(o, value, len);
    o += len;

    return o - out;
}


/*
 * Frames: one's payload mutated as JSON or as bytes, its event or
 * message type changed, or frames deleted, duplicated or swapped; all
 * written again with right CRCs.
 */

static size_t
jm_mutate_frames(jm_rng_t *r, uint8_t *data, size_t size, size_t max)
{
    size_t          n, k, a, b, i, len, tlen, room;
    uint8_t        *tmp, *mid;
    jm_frame_t     *f, s;
    const uint8_t  *tail;

    f = malloc(sizeof(jm_frame_t) * (JM_FRAMES + 1));
    tmp = malloc(2 * max + 1024);

    if (f == NULL || tmp == NULL) {
        free(f);
        free(tmp);
        return 0;
    }

    len = 0;
    n = jm_frames(data, size, f, JM_FRAMES, &tail);
    tlen = data + size - tail;
    mid = tmp + max + 1;

    if (n == 0) {
        goto done;
    }

    k = jm_below(r, n);

    switch (jm_below(r, 8)) {

    case 0:
    case 1:
    case 2:
        room = max + 1 - (size - f[k].plen);

        if (size - f[k].plen > max) {
            goto done;
        }

        i = jm_mutate_json(r, f[k].payload, f[k].plen, mid, room - 1);

        if (i == 0) {
            goto done;
        }

        f[k].payload = mid;
        f[k].plen = i;
        break;

    case 3:
        /* the payload's bytes, the CRCs right after */
        if (size - f[k].plen > max) {
            goto done;
        }

        memcpy(mid, f[k].payload, f[k].plen);
        f[k].plen = LLVMFuzzerMutate(mid, f[k].plen,
                                     max - (size - f[k].plen));
        f[k].payload = mid;
        break;

    case 4:
        i = jm_header_set(f[k].headers, f[k].hlen, ":event-type",
                          jm_pick(r, jm_event_types), mid);
        if (i == 0) {
            goto done;
        }

        f[k].headers = mid;
        f[k].hlen = i;
        break;

    case 5:
        /* an exception frame, or an event again (two rewrites of the
         * headers, each in its half of the scratch room) */
        if (f[k].hlen > 400) {
            goto done;
        }

        i = jm_header_set(f[k].headers, f[k].hlen, ":message-type",
                          jm_below(r, 2) ? "exception" : "event", mid);
        if (i == 0) {
            goto done;
        }

        i = jm_header_set(mid, i, ":exception-type",
                          jm_pick(r, jm_event_types), mid + 512);
        if (i == 0) {
            goto done;
        }

        f[k].headers = mid + 512;
        f[k].hlen = i;
        break;

    default:
        a = jm_below(r, n);
        b = jm_below(r, n);

        switch (jm_below(r, 3)) {

        case 0:
            if (n > 1) {
                memmove(&f[a], &f[a + 1], (n - a - 1) * sizeof(jm_frame_t));
                n--;
            }

            break;

        case 1:
            for (i = n; i > a; i--) {
                f[i] = f[i - 1];
            }

            n++;
            break;

        default:
            s = f[a];
            f[a] = f[b];
            f[b] = s;
            break;
        }

        break;
    }

    len = jm_frames_join(f, n, tail, tlen, tmp, max);

done:

    if (len) {
        memcpy(data, tmp, len);
    }

    free(f);
    free(tmp);

    return len;
}


/* CRCs made right in place wherever the lengths frame the bytes */

static void
jm_frames_fix(uint8_t *data, size_t size)
{
    size_t          total, hlen;
    uint8_t        *p, *end;

    p = data;
    end = data + size;

    while (end - p >= 16) {
        total = jm_be32(p);
        hlen = jm_be32(p + 4);

        if (total < 16 || total > (size_t) (end - p) || hlen > total - 16) {
            break;
        }

        jm_put32(p + 8, (uint32_t) crc32(0, p, 8));
        jm_put32(p + total - 4, (uint32_t) crc32(0, p, total - 4));
        p += total;
    }
}



/* a frame of the second among the first's */

static size_t
jm_cross_frames(jm_rng_t *r, const uint8_t *data1, size_t size1,
    const uint8_t *data2, size_t size2, uint8_t *out, size_t max)
{
    size_t          n1, n2, at, i, len;
    jm_frame_t     *f1, *f2;
    const uint8_t  *tail1, *tail2;

    f1 = malloc(sizeof(jm_frame_t) * (JM_FRAMES + 1));
    f2 = malloc(sizeof(jm_frame_t) * JM_FRAMES);

    if (f1 == NULL || f2 == NULL) {
        free(f1);
        free(f2);
        return 0;
    }

    len = 0;
    n1 = jm_frames(data1, size1, f1, JM_FRAMES, &tail1);
    n2 = jm_frames(data2, size2, f2, JM_FRAMES, &tail2);

    if (n1 && n2) {
        at = jm_below(r, n1 + 1);

        for (i = n1; i > at; i--) {
            f1[i] = f1[i - 1];
        }

        f1[at] = f2[jm_below(r, n2)];
        len = jm_frames_join(f1, n1 + 1, tail1, data1 + size1 - tail1, out,
                             max);
    }

    free(f1);
    free(f2);

    return len;
}

#endif /* JSON_MUTATE_EVENTSTREAM */


size_t
LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
    unsigned int seed)
{
    size_t    n;
    jm_rng_t  r;

    r.s = seed;
    n = 0;

    if (size && jm_below(&r, 4) < JM_STRUCTURAL) {

#ifdef JSON_MUTATE_EVENTSTREAM
        n = jm_mutate_frames(&r, data, size, max_size);
        if (n) {
            return n;
        }
#endif

        /* a whole document, one line or formatted; else its lines */
        if (jm_below(&r, 4)) {
            n = jm_mutate_json(&r, data, size, data, max_size);
        }

        if (n == 0) {
            n = jm_mutate_lines(&r, data, size, max_size);
        }

        if (n) {
            return n;
        }
    }

    n = LLVMFuzzerMutate(data, size, max_size);

#ifdef JSON_MUTATE_EVENTSTREAM
    /* mostly past the CRC checks, sometimes not */
    if (jm_below(&r, 4)) {
        jm_frames_fix(data, n);
    }
#endif

    return n;
}


/*
 * Two inputs crossed: a subtree of the second grafted into the first
 * (in a node's place or as a member), or a line of the second put
 * among the first's lines.
 */

size_t
LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
    const uint8_t *data2, size_t size2, uint8_t *out, size_t max_out_size,
    unsigned int seed)
{
    int         k;
    char       *s;
    size_t      n, n1, n2, at, i;
    cJSON      *x;
    jm_rng_t    r;
    jm_span_t  *l1, *l2;
    jm_tree_t  *t1, *t2;

    r.s = seed;
    n = 0;

    /*
     * libFuzzer picks this as often as the mutator; refused, it picks
     * again: crossed one time in JM_CROSS, mutated the others
     */
    if (jm_below(&r, JM_CROSS) != 0) {
        return 0;
    }

#ifdef JSON_MUTATE_EVENTSTREAM
    n = jm_cross_frames(&r, data1, size1, data2, size2, out, max_out_size);
    if (n) {
        return n;
    }
#endif

    t1 = malloc(sizeof(jm_tree_t));
    t2 = malloc(sizeof(jm_tree_t));

    if (t1 == NULL || t2 == NULL) {
        free(t1);
        free(t2);
        return 0;
    }

    t1->root = jm_parse(data1, size1);
    t2->root = jm_parse(data2, size2);

    if (t1->root && t2->root) {
        jm_flatten(t1);
        jm_flatten(t2);

        k = (int) jm_below(&r, t1->n);
        x = cJSON_Duplicate(t2->node[jm_below(&r, t2->n)], 1);

        if (x) {
            if (cJSON_IsObject(t1->node[k]) && jm_below(&r, 2)) {
                if (x->string == NULL || jm_below(&r, 2)) {
                    (void) jm_name(x, jm_pick(&r, jm_names));
                }

                cJSON_AddItemToObject(t1->node[k], x->string, x);

            } else {
                jm_replace(t1, k, x);
            }

            s = cJSON_PrintUnformatted(t1->root);

            if (s && strlen(s) <= max_out_size) {
                n = strlen(s);
                memcpy(out, s, n);
            }

            cJSON_free(s);
        }
    }

    cJSON_Delete(t1->root);
    cJSON_Delete(t2->root);
    free(t1);
    free(t2);

    if (n) {
        return n;
    }

    /* streams: a line of the second among the first's */
    l1 = malloc(sizeof(jm_span_t) * (JM_LINES + 1));
    l2 = malloc(sizeof(jm_span_t) * JM_LINES);

    if (l1 && l2) {
        n1 = jm_lines(data1, size1, l1, JM_LINES);
        n2 = jm_lines(data2, size2, l2, JM_LINES);

        if (n2) {
            at = jm_below(&r, n1 + 1);

            for (i = n1; i > at; i--) {
                l1[i] = l1[i - 1];
            }

            l1[at] = l2[jm_below(&r, n2)];
            n = jm_join(l1, n1 + 1, out, max_out_size);
        }
    }

    free(l1);
    free(l2);

    return n;
}


#endif /* _JSON_MUTATE_H_INCLUDED_ */
