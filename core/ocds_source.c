/*
 * ocds_source: an input read one process at a time (see ocds.h). A JSON Lines file is read
 * once, line by line, to validate it and index it: for each release its place in the file,
 * its line number, its date and its process; a process is read again from the file when
 * asked for. Memory: the index (about 32 bytes a release and the ocids), one line, and one
 * process. Messages are those ocds_read gives for the same text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ocds.h"

/* One non-blank line of a JSON Lines file. */
typedef struct line_ref {
    int64_t offset; /* of its first byte (after a byte-order mark on line 1) */
    int64_t secs;   /* its date, for ordering */
    uint32_t len;
    uint32_t line;
    uint32_t proc;  /* its process, by first appearance */
} line_ref;

struct ocds_source {
    char *name;
    /* a JSON Lines file */
    FILE *file;
    line_ref *refs; /* after open: by process, then date, then line */
    size_t n_refs, cap_refs;
    size_t *first;  /* per process: its first ref; n_procs + 1 entries */
    char *pool;     /* the ocids, NUL-terminated, one after another */
    size_t pool_len, pool_cap;
    size_t *ocid_at; /* per process: its ocid's offset in pool */
    size_t n_procs, cap_procs;
    uint32_t *slots; /* open addressing: process index + 1, by ocid */
    size_t n_slots;
    ocds_batch held; /* the releases of the current process */
    char *line;
    size_t line_cap;
    /* any other input: read whole */
    ocds_batch own;
    const ocds_batch *batch;
    ocds_set set;
    int grouped;
    /* the current process */
    ocds_process current;
};

static uint64_t hash_text(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h ^ (h >> 29);
}

static const char *ocid_of(const ocds_source *src, size_t proc)
{
    return src->pool + src->ocid_at[proc];
}

static int slots_grow(ocds_source *src)
{
    if ((src->n_procs + 1) * 2 <= src->n_slots)
        return 0;
    size_t cap = src->n_slots ? src->n_slots * 2 : 4096;
    uint32_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < src->n_slots; i++) {
        uint32_t v = src->slots[i];
        if (!v)
            continue;
        size_t k = hash_text(ocid_of(src, v - 1)) & (cap - 1);
        while (slots[k])
            k = (k + 1) & (cap - 1);
        slots[k] = v;
    }
    free(src->slots);
    src->slots = slots;
    src->n_slots = cap;
    return 0;
}

/* The process of ocid, added when new; -1 when memory runs out. */
static int64_t proc_of(ocds_source *src, const char *ocid)
{
    if (slots_grow(src))
        return -1;
    size_t mask = src->n_slots - 1, k = hash_text(ocid) & mask;
    for (; src->slots[k]; k = (k + 1) & mask)
        if (strcmp(ocid_of(src, src->slots[k] - 1), ocid) == 0)
            return src->slots[k] - 1;
    size_t n = strlen(ocid) + 1;
    if (src->n_procs >= UINT32_MAX - 1)
        return -1;
    if (src->pool_len + n > src->pool_cap) {
        size_t cap = src->pool_cap ? src->pool_cap * 2 : 65536;
        while (cap < src->pool_len + n)
            cap *= 2;
        char *pool = realloc(src->pool, cap);
        if (!pool)
            return -1;
        src->pool = pool;
        src->pool_cap = cap;
    }
    size_t *at = array_grow(src->ocid_at, &src->cap_procs, src->n_procs, sizeof *at);
    if (!at)
        return -1;
    src->ocid_at = at;
    memcpy(src->pool + src->pool_len, ocid, n);
    src->ocid_at[src->n_procs] = src->pool_len;
    src->pool_len += n;
    src->slots[k] = (uint32_t)(src->n_procs + 1);
    return (int64_t)src->n_procs++;
}

static int push_ref(ocds_source *src, const line_ref *r)
{
    line_ref *refs = array_grow(src->refs, &src->cap_refs, src->n_refs, sizeof *refs);
    if (!refs)
        return -1;
    src->refs = refs;
    src->refs[src->n_refs++] = *r;
    return 0;
}

static int by_proc_date_line(const void *pa, const void *pb)
{
    const line_ref *a = pa, *b = pb;
    if (a->proc != b->proc)
        return a->proc < b->proc ? -1 : 1;
    if (a->secs != b->secs)
        return a->secs < b->secs ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

static int nul_error(const char *name, int lineno, const char *line, const char *nul,
                     anbud_err *err)
{
    return err_set(err, ANBUD_EINPUT,
                   "%s: line %d, column %d: a NUL byte; JSON text cannot "
                   "contain one (is this a binary file?)",
                   name, lineno, (int)(nul - line) + 1);
}

/* The first pass: validates every line and indexes it. */
static int index_lines(ocds_source *src, anbud_err *err)
{
    int64_t offset = 0;
    int rc = ANBUD_OK, any = 0;
    uint32_t lineno = 0;
    ssize_t got;
    errno = 0;
    while ((got = getline(&src->line, &src->line_cap, src->file)) >= 0) {
        const char *line = src->line;
        size_t n = (size_t)got - (got > 0 && line[got - 1] == '\n');
        int64_t at = offset;
        offset += got;
        if (++lineno == UINT32_MAX)
            return err_set(err, ANBUD_EINPUT, "%s: more than %u lines", src->name, UINT32_MAX - 1);
        if (lineno == 1 && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            line += 3;
            n -= 3;
            at += 3;
        }
        /* a NUL anywhere is reported before anything else, as when read whole */
        const char *nul = memchr(line, '\0', n);
        if (nul)
            return nul_error(src->name, (int)lineno, line, nul, err);
        if (rc != ANBUD_OK || ocds_line_blank(line, n))
            continue;
        any = 1;
        if (n > UINT32_MAX) {
            rc = err_set(err, ANBUD_EINPUT, "%s: line %u is longer than 4 GB", src->name, lineno);
            continue;
        }
        ocds_release r;
        rc = ocds_parse_line(src->name, (int)lineno, line, n, 1, &r, err);
        if (rc != ANBUD_OK) {
            if (rc != ANBUD_EINPUT)
                return rc;
            continue; /* only a NUL further on is reported instead */
        }
        int64_t proc = proc_of(src, r.ocid);
        line_ref ref = {at, r.secs, (uint32_t)n, lineno, (uint32_t)proc};
        json_decref(r.json);
        if (proc < 0 || push_ref(src, &ref))
            return err_set(err, ANBUD_EINTERNAL, "%s: out of memory indexing", src->name);
    }
    if (ferror(src->file))
        return file_error(err, src->name, errno ? errno : EIO);
    if (rc != ANBUD_OK)
        return rc;
    if (!any)
        return err_set(err, ANBUD_EINPUT, "%s: empty input", src->name);
    qsort(src->refs, src->n_refs, sizeof *src->refs, by_proc_date_line);
    src->first = malloc((src->n_procs + 1) * sizeof *src->first);
    if (!src->first)
        return err_set(err, ANBUD_EINTERNAL, "%s: out of memory indexing", src->name);
    for (size_t i = 0, p = 0; p <= src->n_procs; p++) {
        while (i < src->n_refs && src->refs[i].proc < p)
            i++;
        src->first[p] = i;
    }
    free(src->slots); /* not asked again */
    src->slots = NULL;
    src->n_slots = 0;
    return ANBUD_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int ocds_source_open(const char *path, ocds_source **out, anbud_err *err)
{
    *out = NULL;
    ocds_source *src = calloc(1, sizeof *src);
    if (!src || !(src->name = xstrdup(path))) {
        free(src);
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    }
    int rc;
    if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson")) {
        src->file = fopen(path, "rb");
        rc = src->file ? index_lines(src, err) : file_error(err, path, errno);
    } else {
        rc = ocds_read_file(&src->own, path, err);
        src->batch = &src->own;
    }
    if (rc != ANBUD_OK) {
        ocds_source_close(src);
        return rc;
    }
    *out = src;
    return ANBUD_OK;
}

int ocds_source_of_batch(const ocds_batch *b, ocds_source **out, anbud_err *err)
{
    *out = NULL;
    ocds_source *src = calloc(1, sizeof *src);
    if (!src)
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    src->batch = b;
    *out = src;
    return ANBUD_OK;
}

int ocds_source_group(ocds_source *src, anbud_err *err)
{
    if (!src->batch || src->grouped)
        return ANBUD_OK;
    int rc = ocds_group(src->batch, &src->set, err);
    src->grouped = rc == ANBUD_OK;
    return rc;
}

size_t ocds_source_releases(const ocds_source *src)
{
    return src->batch ? src->batch->n : src->n_refs;
}

size_t ocds_source_processes(const ocds_source *src)
{
    return src->batch ? src->set.n : src->n_procs;
}

const char *ocds_source_ocid(const ocds_source *src, size_t i)
{
    return src->batch ? src->set.items[i].ocid : ocid_of(src, i);
}

static void held_clear(ocds_source *src)
{
    ocds_process_free(&src->current);
    for (size_t i = 0; i < src->held.n; i++)
        json_decref(src->held.items[i].json);
    src->held.n = 0;
}

/* Parses one indexed line again (its text at `text`) into src->held. */
static int take_ref(ocds_source *src, const line_ref *ref, const char *text, anbud_err *err)
{
    ocds_release *held = array_grow(src->held.items, &src->held.cap, src->held.n,
                                    sizeof *held);
    if (!held)
        return err_set(err, ANBUD_EINTERNAL, "%s: out of memory", src->name);
    src->held.items = held;
    ocds_release *r = &src->held.items[src->held.n];
    int rc = ocds_parse_line(src->name, (int)ref->line, text, ref->len, 0, r, err);
    if (rc == ANBUD_OK)
        src->held.n++;
    else if (rc == ANBUD_EINPUT) /* it validated in the first pass */
        rc = err_set(err, ANBUD_EINPUT, "%s: line %u changed while it was read", src->name,
                     ref->line);
    return rc;
}

/* Reads the lines of refs [from, to) again: one read of the span they cover when it is
 * small (a process's lines are usually together), else one read a line. */
static int read_refs(ocds_source *src, size_t from, size_t to, anbud_err *err)
{
    int64_t lo = INT64_MAX, hi = 0;
    for (size_t k = from; k < to; k++) {
        if (src->refs[k].offset < lo)
            lo = src->refs[k].offset;
        if (src->refs[k].offset + src->refs[k].len > hi)
            hi = src->refs[k].offset + src->refs[k].len;
    }
    int span = to > from && hi - lo <= (1 << 20);
    int rc = ANBUD_OK;
    for (size_t k = from; k < to && rc == ANBUD_OK; k++) {
        const line_ref *ref = &src->refs[k];
        int64_t at = span ? lo : ref->offset;
        size_t len = span ? (size_t)(hi - lo) : ref->len;
        if ((!span || k == from) && src->line_cap < len + 1) {
            char *line = realloc(src->line, len + 1);
            if (!line)
                return err_set(err, ANBUD_EINTERNAL, "%s: out of memory", src->name);
            src->line = line;
            src->line_cap = len + 1;
        }
        if ((!span || k == from) &&
            pread(fileno(src->file), src->line, len, (off_t)at) != (ssize_t)len)
            return err_set(err, ANBUD_EINPUT, "%s: line %u changed while it was read",
                           src->name, ref->line);
        rc = take_ref(src, ref, src->line + (ref->offset - at), err);
    }
    return rc;
}

int ocds_source_process(ocds_source *src, size_t i, int merge, const ocds_process **p,
                        anbud_err *err)
{
    if (src->batch) {
        *p = &src->set.items[i];
        return ANBUD_OK;
    }
    held_clear(src);
    int rc = read_refs(src, src->first[i], src->first[i + 1], err);
    ocds_release **order = rc ? NULL : malloc(src->held.n * sizeof *order);
    if (!rc && !order)
        rc = err_set(err, ANBUD_EINTERNAL, "%s: out of memory", src->name);
    for (size_t k = 0; order && k < src->held.n; k++)
        order[k] = &src->held.items[k];
    if (!rc)
        rc = ocds_process_build(&src->current, order, src->held.n, merge, err);
    free(order);
    *p = &src->current;
    return rc;
}

void ocds_source_close(ocds_source *src)
{
    if (!src)
        return;
    held_clear(src);
    free(src->held.items);
    if (src->file)
        fclose(src->file);
    free(src->line);
    free(src->refs);
    free(src->first);
    free(src->pool);
    free(src->ocid_at);
    free(src->slots);
    ocds_set_free(&src->set);
    ocds_batch_free(&src->own);
    free(src->name);
    free(src);
}
