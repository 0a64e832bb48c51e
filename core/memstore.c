/*
 * memstore: engine_store over an ocds_set in memory. memstore_over scans every process
 * per query; memstore_new computes what queries filter on once per process and keeps
 * sorted indexes, so a query reads only its buyer's processes, and with a CPV group and a
 * day range only the ones in them (p:others{cpv_group, from, to}).
 */
#include "memstore.h"

#include <stdlib.h>
#include <string.h>

static int each_process(void *ctx, const engine_query *q,
                        int (*each)(void *arg, const engine_process *p), void *arg)
{
    const ocds_set *set = ctx;
    char key[256];
    for (size_t i = 0; i < set->n; i++) {
        const ocds_process *p = &set->items[i];
        if (q->except_ocid && strcmp(p->ocid, q->except_ocid) == 0)
            continue;
        ocds_buyer_key(p->compiled, key, sizeof key);
        if (q->buyer_key && strcmp(key, q->buyer_key) != 0)
            continue;
        const char *code = ocds_buyer_municipality(p->compiled);
        if (q->municipality && (!code || strcmp(code, q->municipality) != 0))
            continue;
        engine_process ep = {p->ocid, p->compiled, p->stage, p->first_days};
        int rc = each(arg, &ep);
        if (rc)
            return rc;
    }
    return 0;
}

engine_store memstore_over(const ocds_set *set)
{
    engine_store s = {(void *)set, each_process, NULL};
    return s;
}

/* ---- the indexed store -------------------------------------------------------------- */

typedef struct mproc {
    char *buyer;      /* ocds_buyer_key ("" when none) */
    const char *muni; /* the buyer's kommunenummer, or NULL */
    int64_t days;     /* relevant day */
    int framework;    /* bind_is_framework */
} mproc;

/* One process under one key: by key, then its position in the set. */
typedef struct key_entry {
    const char *key;
    size_t i;
} key_entry;

/* One CPV group of one process under one key: by key, group, day, then position. */
typedef struct group_entry {
    const char *key;
    char group[4];
    int64_t days;
    size_t i;
} group_entry;

struct memstore {
    const ocds_set *set;
    mproc *procs;
    key_entry *by_buyer, *by_muni;   /* n each */
    group_entry *grp_buyer, *grp_muni; /* n_grp each */
    size_t n_grp;
};

static int cmp_key(const void *a, const void *b)
{
    const key_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int cmp_group(const void *a, const void *b)
{
    const group_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (!c)
        c = strcmp(x->group, y->group);
    if (!c)
        c = (x->days > y->days) - (x->days < y->days);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

void memstore_free(memstore *m)
{
    if (!m)
        return;
    for (size_t i = 0; m->procs && i < m->set->n; i++)
        free(m->procs[i].buyer);
    free(m->procs);
    free(m->by_buyer);
    free(m->by_muni);
    free(m->grp_buyer);
    free(m->grp_muni);
    free(m);
}

/* The CPV groups of a compiled release into *groups (grown as needed); count or -1. */
static long groups_of(const json_t *compiled, char (**groups)[4], size_t *cap)
{
    size_t n = bind_cpv_groups(compiled, *groups, *cap);
    if (n > *cap) {
        char(*grown)[4] = realloc(*groups, n * sizeof *grown);
        if (!grown)
            return -1;
        *groups = grown;
        *cap = n;
        n = bind_cpv_groups(compiled, *groups, *cap);
    }
    return (long)n;
}

memstore *memstore_new(const ocds_set *set, anbud_err *err)
{
    size_t n = set->n, cap = 16;
    memstore *m = calloc(1, sizeof *m);
    char(*groups)[4] = malloc(cap * sizeof *groups);
    if (!m || !groups)
        goto oom;
    m->set = set;
    m->procs = calloc(n ? n : 1, sizeof *m->procs);
    m->by_buyer = calloc(n ? n : 1, sizeof *m->by_buyer);
    m->by_muni = calloc(n ? n : 1, sizeof *m->by_muni);
    if (!m->procs || !m->by_buyer || !m->by_muni)
        goto oom;
    size_t cap_grp = 0;
    for (size_t i = 0; i < n; i++) {
        const ocds_process *p = &set->items[i];
        char key[256];
        ocds_buyer_key(p->compiled, key, sizeof key);
        mproc *mp = &m->procs[i];
        if (!(mp->buyer = xstrdup(key)))
            goto oom;
        mp->muni = ocds_buyer_municipality(p->compiled);
        mp->days = ocds_relevant_days(p->compiled, p->first_days);
        mp->framework = bind_is_framework(p->compiled);
        m->by_buyer[i] = (key_entry){mp->buyer, i};
        m->by_muni[i] = (key_entry){mp->muni ? mp->muni : "", i};
        long ng = groups_of(p->compiled, &groups, &cap);
        if (ng < 0)
            goto oom;
        if (m->n_grp + (size_t)ng > cap_grp) {
            size_t grown_cap = (m->n_grp + (size_t)ng) * 2 + 16;
            group_entry *a = realloc(m->grp_buyer, grown_cap * sizeof *a);
            if (!a)
                goto oom;
            m->grp_buyer = a;
            cap_grp = grown_cap;
        }
        for (long g = 0; g < ng; g++) {
            group_entry *ge = &m->grp_buyer[m->n_grp++];
            ge->key = mp->buyer;
            memcpy(ge->group, groups[g], 4);
            ge->days = mp->days;
            ge->i = i;
        }
    }
    m->grp_muni = malloc((m->n_grp ? m->n_grp : 1) * sizeof *m->grp_muni);
    if (!m->grp_muni)
        goto oom;
    for (size_t k = 0; k < m->n_grp; k++) {
        m->grp_muni[k] = m->grp_buyer[k];
        const char *code = m->procs[m->grp_buyer[k].i].muni;
        m->grp_muni[k].key = code ? code : "";
    }
    if (n > 1) {
        qsort(m->by_buyer, n, sizeof *m->by_buyer, cmp_key);
        qsort(m->by_muni, n, sizeof *m->by_muni, cmp_key);
    }
    if (m->n_grp > 1) {
        qsort(m->grp_buyer, m->n_grp, sizeof *m->grp_buyer, cmp_group);
        qsort(m->grp_muni, m->n_grp, sizeof *m->grp_muni, cmp_group);
    }
    free(groups);
    return m;
oom:
    free(groups);
    memstore_free(m);
    err_set(err, ANBUD_EINTERNAL, "out of memory");
    return NULL;
}

/* First entry not below key. */
static size_t lower_key(const key_entry *v, size_t n, const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* First entry not below (key, group, days). */
static size_t lower_group(const group_entry *v, size_t n, const char *key, const char *group,
                          int64_t days)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v[mid].key, key);
        if (!c)
            c = strcmp(v[mid].group, group);
        if (!c)
            c = v[mid].days < days ? -1 : 0;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Hands process i to `each` when it passes every filter of q the index did not apply
 * (the CPV groups: the binding checks them again). */
static int visit(const memstore *m, size_t i, const engine_query *q,
                 int (*each)(void *arg, const engine_process *p), void *arg)
{
    const ocds_process *p = &m->set->items[i];
    const mproc *mp = &m->procs[i];
    if (q->except_ocid && strcmp(p->ocid, q->except_ocid) == 0)
        return 0;
    if (q->buyer_key && strcmp(mp->buyer, q->buyer_key) != 0)
        return 0;
    if (q->municipality && (!mp->muni || strcmp(mp->muni, q->municipality) != 0))
        return 0;
    if (q->has_days && (mp->days < q->from_days || mp->days > q->to_days))
        return 0;
    if (q->framework && mp->framework != (q->framework > 0))
        return 0;
    if (q->has_first && (p->first_days < q->first_from || p->first_days > q->first_to))
        return 0;
    if (q->stages &&
        (p->stage < 0 || p->stage >= STAGE_COUNT || !(q->stages & (1u << p->stage))))
        return 0;
    engine_process ep = {p->ocid, p->compiled, p->stage, p->first_days};
    return each(arg, &ep);
}

/* Appends to *hits the positions of the processes of `key` in `group` (at most three
 * characters) within q's days. */
static int group_hits(const memstore *m, const group_entry *v, const char *key,
                      const char *group, const engine_query *q, size_t **hits, size_t *n,
                      size_t *cap)
{
    int64_t from = q->has_days ? q->from_days : INT64_MIN;
    int64_t to = q->has_days ? q->to_days : INT64_MAX;
    for (size_t k = lower_group(v, m->n_grp, key, group, from);
         k < m->n_grp && v[k].days <= to && strcmp(v[k].key, key) == 0 &&
         strcmp(v[k].group, group) == 0;
         k++) {
        size_t *grown = array_grow(*hits, cap, *n, sizeof *grown);
        if (!grown)
            return ANBUD_EINTERNAL;
        *hits = grown;
        (*hits)[(*n)++] = v[k].i;
    }
    return 0;
}

static int indexed_each(void *ctx, const engine_query *q,
                        int (*each)(void *arg, const engine_process *p), void *arg)
{
    const memstore *m = ctx;
    size_t n = m->set->n;
    const char *key = q->buyer_key ? q->buyer_key : q->municipality;
    if (!key) { /* no index applies: every process */
        for (size_t i = 0; i < n; i++) {
            int rc = visit(m, i, q, each, arg);
            if (rc)
                return rc;
        }
        return 0;
    }
    if (q->cpv_group && strlen(q->cpv_group) > 3)
        return 0; /* no group is longer than three characters */
    if (!q->cpv_group && !q->has_cpv_groups) {
        const key_entry *v = q->buyer_key ? m->by_buyer : m->by_muni;
        for (size_t k = lower_key(v, n, key); k < n && strcmp(v[k].key, key) == 0; k++) {
            int rc = visit(m, v[k].i, q, each, arg);
            if (rc)
                return rc;
        }
        return 0;
    }
    /* the processes of this key in these CPV groups within the days, in the set's order:
     * with both cpv_group and cpv_groups, those of cpv_group (the binding checks the
     * list) */
    const group_entry *v = q->buyer_key ? m->grp_buyer : m->grp_muni;
    size_t *hits = NULL, nh = 0, cap = 0;
    int rc = 0;
    if (q->cpv_group)
        rc = group_hits(m, v, key, q->cpv_group, q, &hits, &nh, &cap);
    for (size_t g = 0; !q->cpv_group && !rc && g < q->n_cpv_groups; g++)
        rc = group_hits(m, v, key, q->cpv_groups[g], q, &hits, &nh, &cap);
    if (nh > 1)
        qsort(hits, nh, sizeof *hits, cmp_size);
    for (size_t k = 0; k < nh && !rc; k++)
        if (k == 0 || hits[k] != hits[k - 1]) /* in two of the groups: once */
            rc = visit(m, hits[k], q, each, arg);
    free(hits);
    return rc;
}

engine_store memstore_store(memstore *m)
{
    engine_store s = {m, indexed_each, NULL};
    return s;
}
