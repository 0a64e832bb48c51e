/*
 * test_json: helpers the ocds unit tests share. JSON in those tests is written with ' for "
 * to stay readable; q() swaps them back. Static inline, so a test file may use any subset.
 */
#ifndef ANBUD_TEST_JSON_H
#define ANBUD_TEST_JSON_H

#include <stdio.h>
#include <string.h>

#include "ocds.h"

/* s with every ' made ", in one of four rotating static buffers (16 KiB each, cut beyond). */
static inline const char *q(const char *s)
{
    static char bufs[4][16384];
    static int next;
    char *out = bufs[next++ % 4];
    size_t i;
    for (i = 0; s[i] && i < sizeof bufs[0] - 1; i++)
        out[i] = s[i] == '\'' ? '"' : s[i];
    out[i] = '\0';
    if (s[i])
        fprintf(stderr, "  test JSON longer than %zu bytes: cut short\n", sizeof bufs[0] - 1);
    return out;
}

/* The JSON value s (after q), or NULL with a note on stderr. */
static inline json_t *js(const char *s)
{
    json_error_t je;
    json_t *v = json_loads(q(s), JSON_DECODE_ANY, &je);
    if (!v)
        fprintf(stderr, "  test JSON does not parse: %s\n", je.text);
    return v;
}

/* ocds_read of s (after q) under `name`. */
static inline int rd(ocds_batch *b, const char *name, const char *s, anbud_err *err)
{
    const char *text = q(s);
    return ocds_read(b, name, text, strlen(text), err);
}

/* Reads s as `name`; true when it is refused, nothing is appended and `want` is in the message. */
static inline int refused(const char *name, const char *s, const char *want)
{
    ocds_batch b = {0};
    anbud_err err = {0};
    int rc = rd(&b, name, s, &err);
    int ok = rc == ANBUD_EINPUT && b.n == 0 && strstr(err.msg, want) != NULL;
    if (!ok)
        fprintf(stderr, "  rc %d, %zu read, message: %s\n  wanted: %s\n", rc, b.n, err.msg, want);
    ocds_batch_free(&b);
    return ok;
}

/* Reads s as "t.json"; true when it is accepted as exactly one release. */
static inline int accepted(const char *s)
{
    ocds_batch b = {0};
    anbud_err err = {0};
    int rc = rd(&b, "t.json", s, &err);
    if (rc != ANBUD_OK || b.n != 1)
        fprintf(stderr, "  rc %d, %zu read, message: %s\n", rc, b.n, err.msg);
    size_t n = b.n;
    ocds_batch_free(&b);
    return rc == ANBUD_OK && n == 1;
}

/* A valid release of ocid ocds-x-1, with `extra` members appended (",'tender':{...}"). */
#define REL(extra)                                                                                 \
    "{'ocid':'ocds-x-1','id':'r1','date':'2024-03-01T10:00:00Z','tag':['tender']" extra "}"
#define REL2(ocid, id, date, tag, extra)                                                           \
    "{'ocid':'" ocid "','id':'" id "','date':'" date "','tag':['" tag "']" extra "}"

#endif
