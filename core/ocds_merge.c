/*
 * ocds_merge: from releases to processes. Owns the OCDS merge of a release into a compiled
 * release (SPEC § 2), the comparison of OCDS ids, and grouping a batch by ocid in date
 * order with the refusal of backward stage moves (SPEC § 3). Declared in ocds.h.
 */
#include "ocds.h"

#include <stdlib.h>
#include <string.h>

/* ---- ids ---------------------------------------------------------------------------- */

/* The decimal or string text of an id, or NULL when v is not a string or number. */
static const char *id_text(const json_t *v, char buf[48])
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, 48, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        snprintf(buf, 48, "%.17g", json_real_value(v));
        return buf;
    }
    return NULL;
}

int ocds_id_equal(const json_t *a, const json_t *b)
{
    char abuf[48], bbuf[48];
    const char *at = id_text(a, abuf), *bt = id_text(b, bbuf);
    return at && bt && strcmp(at, bt) == 0;
}

/* ---- merge -------------------------------------------------------------------------- */

/* True when every element of a is an object carrying an id (vacuously for []). */
static int is_id_array(const json_t *a)
{
    char buf[48];
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *e = json_array_get(a, i);
        if (!json_is_object(e) || !id_text(json_object_get(e, "id"), buf))
            return 0;
    }
    return 1;
}

static int merge_object(json_t *dst, const json_t *src);
static int merge_id_array(json_t *dst, const json_t *src);

/*
 * A new value holding nothing of v that can change: objects and arrays of objects with ids
 * go through the merge (so their nulls drop out and repeated ids fold together); other
 * arrays are a deep copy. A scalar (string, number, boolean) is shared, not copied: anbud
 * never changes one in place, and copying every scalar of every release was most of the
 * merge's allocations. Returns a new reference, or NULL when memory runs out.
 */
static json_t *fresh_copy(const json_t *v)
{
    json_t *copy;
    if (json_is_object(v)) {
        copy = json_object();
        if (copy && merge_object(copy, v) != 0) {
            json_decref(copy);
            return NULL;
        }
        return copy;
    }
    if (json_is_array(v) && is_id_array(v)) {
        copy = json_array();
        if (copy && merge_id_array(copy, v) != 0) {
            json_decref(copy);
            return NULL;
        }
        return copy;
    }
    if (json_is_array(v) || json_is_object(v))
        return json_deep_copy(v);
    return json_incref((json_t *)v);
}

/* Merges each element of src into the element of dst with the same id, or appends it. */
static int merge_id_array(json_t *dst, const json_t *src)
{
    for (size_t i = 0; i < json_array_size(src); i++) {
        const json_t *elem = json_array_get(src, i);
        const json_t *id = json_object_get(elem, "id");
        json_t *match = NULL;
        for (size_t j = 0; j < json_array_size(dst) && !match; j++)
            if (ocds_id_equal(json_object_get(json_array_get(dst, j), "id"), id))
                match = json_array_get(dst, j);
        if (match) {
            if (merge_object(match, elem) != 0)
                return -1;
        } else {
            json_t *copy = fresh_copy(elem);
            if (!copy || json_array_append_new(dst, copy) != 0) /* append_new frees on failure */
                return -1;
        }
    }
    return 0;
}

/* Merges src into dst key by key, in place. Returns 0, or -1 when memory runs out. */
static int merge_object(json_t *dst, const json_t *src)
{
    const char *key;
    json_t *v;
    /* jansson's iteration takes a non-const object; src is only read. */
    json_object_foreach((json_t *)src, key, v)
    {
        json_t *cur = json_object_get(dst, key);
        int rc = 0;
        if (json_is_null(v)) {
            json_object_del(dst, key); /* absent already is fine */
        } else if (json_is_object(v) && json_is_object(cur)) {
            rc = merge_object(cur, v);
        } else if (json_is_array(v) && json_is_array(cur) && is_id_array(v) && is_id_array(cur)) {
            rc = merge_id_array(cur, v);
        } else {
            json_t *copy = fresh_copy(v);
            rc = !copy || json_object_set_new(dst, key, copy) != 0 ? -1 : 0;
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}

int ocds_merge(json_t *compiled, const json_t *release, anbud_err *err)
{
    if (!json_is_object(compiled) || !json_is_object(release))
        return err_set(err, ANBUD_EINTERNAL, "ocds_merge: expected two objects, got %s and %s",
                       ocds_type_name(compiled), ocds_type_name(release));
    if (merge_object(compiled, release) != 0)
        return err_set(err, ANBUD_EINTERNAL, "out of memory merging releases");
    return ANBUD_OK;
}

/* ---- grouping ----------------------------------------------------------------------- */

/* Orders by ocid, then date, then position in the batch (so equal dates keep input order). */
static int by_ocid_date(const void *pa, const void *pb)
{
    const ocds_release *a = *(const ocds_release *const *)pa;
    const ocds_release *b = *(const ocds_release *const *)pb;
    int c = strcmp(a->ocid, b->ocid);
    if (c)
        return c;
    if (a->secs != b->secs)
        return a->secs < b->secs ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* A run of the sorted releases sharing one ocid, and its release that came first. */
typedef struct group {
    size_t start, n;
    const ocds_release *first;
} group;

static int by_first_appearance(const void *pa, const void *pb)
{
    const group *a = pa, *b = pb;
    return a->first < b->first ? -1 : a->first > b->first;
}

int ocds_apply(json_t *compiled, ocds_stage *stage, const ocds_release *r, anbud_err *err)
{
    if (r->stage != STAGE_NONE && r->stage < *stage) {
        const char *date = json_string_value(json_object_get(r->json, "date"));
        return err_set(err, ANBUD_EINPUT,
                       "%s: release %s%s%s (dated %s) would move ocid %s back from %s to %s",
                       r->where, *r->id ? "\"" : "", *r->id ? r->id : "(no id)", *r->id ? "\"" : "",
                       date ? date : "?", r->ocid, ocds_stage_name(*stage),
                       ocds_stage_name(r->stage));
    }
    /* The compiled release keeps the newest date it has seen, whatever order releases come. */
    int64_t had_secs;
    const json_t *had = json_object_get(compiled, "date");
    int newer = date_parse(json_string_value(had), NULL, &had_secs) != 0 || r->secs >= had_secs;
    json_t *date =
        newer ? json_deep_copy(json_object_get(r->json, "date")) : json_incref((json_t *)had);

    int rc = ocds_merge(compiled, r->json, err);
    if (rc == ANBUD_OK && json_object_set_new(compiled, "tag", json_pack("[s]", "compiled")) != 0)
        rc = err_set(err, ANBUD_EINTERNAL, "out of memory merging releases");
    if (rc != ANBUD_OK) {
        json_decref(date);
        return rc;
    }
    /* set_new takes its reference even when it fails, and takes NULL as a failure. */
    if (json_object_set_new(compiled, "date", date) != 0)
        return err_set(err, ANBUD_EINTERNAL, "out of memory merging releases");
    if (r->stage != STAGE_NONE)
        *stage = r->stage;
    return ANBUD_OK;
}

/* Fills p from n releases already in date order; on failure p holds what it got (free it). */
static int process_fill(ocds_process *p, ocds_release *const *releases, size_t n, int merge,
                        anbud_err *err)
{
    p->n = n;
    p->ocid = xstrdup(releases[0]->ocid);
    p->releases = malloc(n * sizeof *p->releases);
    if (!p->ocid || !p->releases)
        return err_set(err, ANBUD_EINTERNAL, "out of memory grouping releases");
    memcpy(p->releases, releases, n * sizeof *p->releases);
    p->first_days = p->releases[0]->days;
    p->stage = STAGE_NONE;
    p->compiled = json_object();
    if (!p->compiled)
        return err_set(err, ANBUD_EINTERNAL, "out of memory merging releases");
    int rc = ANBUD_OK;
    for (size_t i = 0; i < n && rc == ANBUD_OK; i++) {
        if (merge) {
            rc = ocds_apply(p->compiled, &p->stage, p->releases[i], err);
        } else if (p->releases[i]->stage != STAGE_NONE) {
            /* the same refusal as ocds_apply, without merging */
            ocds_stage st = p->stage;
            if (p->releases[i]->stage < st)
                rc = ocds_apply(p->compiled, &st, p->releases[i], err);
            else
                p->stage = p->releases[i]->stage;
        }
    }
    if (!merge) {
        json_decref(p->compiled);
        p->compiled = NULL;
    }
    return rc;
}

/* Orders releases of one process by date, then by their place in the array. */
static int by_date_place(const void *pa, const void *pb)
{
    const ocds_release *a = *(const ocds_release *const *)pa;
    const ocds_release *b = *(const ocds_release *const *)pb;
    if (a->secs != b->secs)
        return a->secs < b->secs ? -1 : 1;
    return a < b ? -1 : a > b;
}

int ocds_process_build(ocds_process *p, ocds_release **releases, size_t n, int merge,
                       anbud_err *err)
{
    memset(p, 0, sizeof *p);
    if (n == 0)
        return err_set(err, ANBUD_EINTERNAL, "a process without releases");
    qsort(releases, n, sizeof *releases, by_date_place);
    int rc = process_fill(p, releases, n, merge, err);
    if (rc != ANBUD_OK)
        ocds_process_free(p);
    return rc;
}

void ocds_process_free(ocds_process *p)
{
    free(p->ocid);
    free(p->releases);
    json_decref(p->compiled);
    memset(p, 0, sizeof *p);
}

int ocds_group(const ocds_batch *b, ocds_set *out, anbud_err *err)
{
    out->items = NULL;
    out->n = 0;
    if (b->n == 0)
        return ANBUD_OK;

    int rc = ANBUD_OK;
    group *groups = NULL;
    ocds_release **sorted = malloc(b->n * sizeof *sorted);
    if (!sorted)
        return err_set(err, ANBUD_EINTERNAL, "out of memory grouping releases");
    for (size_t i = 0; i < b->n; i++)
        sorted[i] = &b->items[i];
    qsort(sorted, b->n, sizeof *sorted, by_ocid_date);

    size_t ngroups = 1;
    for (size_t i = 1; i < b->n; i++)
        ngroups += strcmp(sorted[i - 1]->ocid, sorted[i]->ocid) != 0;
    groups = calloc(ngroups, sizeof *groups);
    out->items = calloc(ngroups, sizeof *out->items);
    if (!groups || !out->items) {
        rc = err_set(err, ANBUD_EINTERNAL, "out of memory grouping releases");
        goto done;
    }
    size_t g = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (i > 0 && strcmp(sorted[i - 1]->ocid, sorted[i]->ocid) != 0)
            groups[++g].start = i;
        groups[g].n++;
        if (!groups[g].first || sorted[i] < groups[g].first)
            groups[g].first = sorted[i];
    }
    qsort(groups, ngroups, sizeof *groups, by_first_appearance);

    for (g = 0; g < ngroups && rc == ANBUD_OK; g++) {
        out->n++;
        rc = process_fill(&out->items[g], sorted + groups[g].start, groups[g].n, 1, err);
    }
done:
    free(sorted);
    free(groups);
    if (rc != ANBUD_OK)
        ocds_set_free(out);
    return rc;
}

void ocds_set_free(ocds_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->items[i].ocid);
        free(s->items[i].releases);
        json_decref(s->items[i].compiled);
    }
    free(s->items);
    s->items = NULL;
    s->n = 0;
}
