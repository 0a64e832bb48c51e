/*
 * store_view: the engine's read-only view of the stored processes (p:others()). A rule
 * asks for the other processes of a buyer (or of a kommunenummer) on every evaluation;
 * reading and parsing the buyer's whole portfolio every time made an evaluation cost grow
 * with it. Here each group (a buyer key, a kommunenummer) is read from SQL once and kept
 * as a compact summary per process: what the narrower filters of a query look at (stage,
 * first and relevant day, CPV groups, framework flag), read from the row's summary column
 * (schema 6; written with the process), or from its compiled release when it has none.
 * A query is answered from the summaries; only the processes handed to the rule are
 * parsed, and the last VIEW_MAX_TREES of those parsed are kept (least recently used
 * forgotten first). It is kept current by the writes of this connection
 * (store_view_saved, store_view_put). A commit by another connection (PRAGMA
 * data_version) or a rollback forgets everything; so does holding more than
 * VIEW_MAX_ENTRIES summaries, checked between queries.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

/* summaries (~300 bytes each with the group and index entries) and parsed trees
 * (~20 KB each: 32 768 are ~650 MB) held; store_view_limits changes them (tests). Rules
 * ask for windows of days across a buyer's whole portfolio, evaluated in ocid order:
 * fewer trees than the largest portfolio (Bergen: 15 000 of 100 000 processes) and most
 * processes handed over are parsed again (at 100 000 with 4 096, half the import's time
 * went to parsing them) */
#ifndef VIEW_MAX_ENTRIES
#define VIEW_MAX_ENTRIES 4000000
#endif
#ifndef VIEW_MAX_TREES
#define VIEW_MAX_TREES 32768
#endif
/* groups this large answer a query naming a CPV group from an index */
#define VIEW_INDEX_MIN 64

typedef struct view_entry {
    const char *buyer_key;    /* interned in the view */
    const char *municipality; /* interned; NULL when the buyer has none */
    json_t *compiled;         /* parsed, while among the last used (else NULL) */
    struct view_entry *newer, *older; /* in the list of parsed entries, when compiled */
    int64_t first_days;
    int64_t relevant_days; /* once summarised */
    char (*cpv)[4];        /* its CPV groups (bind_cpv_groups), once summarised */
    char cpv_in[3][4];     /* where cpv points when they fit */
    uint32_t n_cpv;
    ocds_stage stage;
    unsigned char summarised; /* relevant_days, cpv and framework read from its release */
    unsigned char framework;  /* bind_is_framework */
    char ocid[];
} view_entry;

enum { GROUP_BUYER = 0, GROUP_MUNICIPALITY = 1 };

typedef struct view_group {
    int kind;
    const char *key; /* interned */
    view_entry **items;
    size_t n, cap;
    int unsorted; /* an entry was appended after the group was read in ocid order */
    /* for queries naming a CPV group: one (group, day, entry) per CPV group of each entry,
     * by group then day; built when first asked, then kept current: an entry added or
     * saved since loses its keys and waits in `pending` until the next query inserts
     * them again; rebuilt whole only when stale (memory ran out keeping it current) */
    struct cpv_key *by_cpv;
    size_t n_by_cpv;
    int by_cpv_stale;
    view_entry **pending;
    size_t n_pending, cap_pending;
} view_group;

typedef struct cpv_key {
    char group[4];
    int64_t day;
    view_entry *e;
} cpv_key;

struct store_view {
    view_entry **slots; /* open addressing by ocid */
    size_t cap, n;
    char **strs; /* interned buyer keys and kommunenummer, open addressing */
    size_t scap, sn;
    view_entry *newest, *oldest; /* the entries holding a parsed tree */
    size_t n_trees;
    size_t max_entries, max_trees;
    view_group **gslots; /* open addressing by (kind, key) */
    size_t gcap, gn;
    int64_t data_version;
    int have_version;
};

static uint64_t hash_str(const char *s, int salt)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)salt;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h ^ (h >> 31);
}
/* ---- parsed trees, least recently used forgotten first ------------------------------ */

static void tree_unlink(store_view *v, view_entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        v->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        v->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void tree_link(store_view *v, view_entry *e)
{
    e->newer = NULL;
    e->older = v->newest;
    if (v->newest)
        v->newest->newer = e;
    else
        v->oldest = e;
    v->newest = e;
}

/* Forgets e's parsed tree (a rule holding it keeps its own reference). */
static void tree_drop(store_view *v, view_entry *e)
{
    if (!e->compiled)
        return;
    tree_unlink(v, e);
    json_decref(e->compiled);
    e->compiled = NULL;
    v->n_trees--;
}

/* Keeps compiled (a reference it takes over) as e's tree, the most recently used one;
 * forgets the least recently used beyond the limit (never e's). */
static void tree_keep(store_view *v, view_entry *e, json_t *compiled)
{
    tree_drop(v, e);
    e->compiled = compiled;
    tree_link(v, e);
    v->n_trees++;
    while (v->n_trees > v->max_trees && v->oldest != e)
        tree_drop(v, v->oldest);
}

/* e was just used: its tree moves to the front. */
static void tree_used(store_view *v, view_entry *e)
{
    if (v->newest != e) {
        tree_unlink(v, e);
        tree_link(v, e);
    }
}

/* ---- interned buyer keys and kommunenummer ------------------------------------------ */

static char **str_slot(store_view *v, const char *text)
{
    size_t mask = v->scap - 1;
    for (size_t i = hash_str(text, 7) & mask;; i = (i + 1) & mask)
        if (!v->strs[i] || strcmp(v->strs[i], text) == 0)
            return &v->strs[i];
}

/* The view's copy of text (NULL for NULL), or NULL when memory runs out (*oom set). */
static const char *intern(store_view *v, const char *text, int *oom)
{
    if (!text)
        return NULL;
    if ((v->sn + 1) * 2 > v->scap) {
        size_t cap = v->scap ? v->scap * 2 : 64;
        char **old = v->strs;
        size_t old_cap = v->scap;
        if (!(v->strs = calloc(cap, sizeof *v->strs))) {
            v->strs = old;
            *oom = 1;
            return NULL;
        }
        v->scap = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i])
                *str_slot(v, old[i]) = old[i];
        free(old);
    }
    char **slot = str_slot(v, text);
    if (!*slot) {
        if (!(*slot = xstrdup(text))) {
            *oom = 1;
            return NULL;
        }
        v->sn++;
    }
    return *slot;
}

/* ---- forgetting --------------------------------------------------------------------- */

static void entry_free(view_entry *e)
{
    if (!e)
        return;
    json_decref(e->compiled);
    if (e->cpv != e->cpv_in)
        free(e->cpv);
    free(e);
}

static void groups_clear(store_view *v)
{
    for (size_t i = 0; i < v->gcap; i++) {
        view_group *g = v->gslots[i];
        if (g) {
            free(g->items);
            free(g->by_cpv);
            free(g->pending);
            free(g);
        }
    }
    free(v->gslots);
    v->gslots = NULL;
    v->gcap = v->gn = 0;
}

void store_view_clear(store *s)
{
    store_view *v = s->view;
    if (!v)
        return;
    groups_clear(v);
    for (size_t i = 0; i < v->cap; i++)
        entry_free(v->slots[i]);
    free(v->slots);
    v->slots = NULL;
    v->cap = v->n = 0;
    v->newest = v->oldest = NULL;
    v->n_trees = 0;
    for (size_t i = 0; i < v->scap; i++)
        free(v->strs[i]);
    free(v->strs);
    v->strs = NULL;
    v->scap = v->sn = 0;
}

void store_view_free(store *s)
{
    store_view_clear(s);
    free(s->view);
    s->view = NULL;
}

static const char SQL_DATA_VERSION[] = "PRAGMA data_version";

/* The connection's data version: changes when another connection commits. */
static int data_version(store *s, int64_t *version)
{
    sqlite3_stmt *st;
    anbud_err err;
    if (store_cached(s, &st, SQL_DATA_VERSION, &err))
        return ANBUD_EINTERNAL;
    int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : ANBUD_EINTERNAL;
    *version = rc ? 0 : sqlite3_column_int64(st, 0);
    store_release(st);
    return rc;
}

static store_view *view_of(store *s)
{
    if (!s->view && (s->view = calloc(1, sizeof *s->view)) != NULL) {
        s->view->have_version = data_version(s, &s->view->data_version) == 0;
        s->view->max_entries = VIEW_MAX_ENTRIES;
        s->view->max_trees = VIEW_MAX_TREES;
    }
    return s->view;
}

void store_view_limits(store *s, size_t max_entries, size_t max_trees)
{
    store_view *v = view_of(s);
    if (!v)
        return;
    store_view_clear(s);
    v->max_entries = max_entries ? max_entries : VIEW_MAX_ENTRIES;
    v->max_trees = max_trees ? max_trees : VIEW_MAX_TREES;
}

size_t store_view_held(store *s)
{
    return s->view ? s->view->n : 0;
}

/* ---- entries by ocid ---------------------------------------------------------------- */

static view_entry **entry_slot(store_view *v, const char *ocid)
{
    size_t mask = v->cap - 1;
    for (size_t i = hash_str(ocid, 0) & mask;; i = (i + 1) & mask)
        if (!v->slots[i] || strcmp(v->slots[i]->ocid, ocid) == 0)
            return &v->slots[i];
}

static view_entry *entry_find(store_view *v, const char *ocid)
{
    return v->cap ? *entry_slot(v, ocid) : NULL;
}

static int entries_grow(store_view *v)
{
    if ((v->n + 1) * 2 <= v->cap)
        return 0;
    size_t cap = v->cap ? v->cap * 2 : 1024;
    view_entry **old = v->slots;
    size_t old_cap = v->cap;
    v->slots = calloc(cap, sizeof *v->slots);
    if (!v->slots) {
        v->slots = old;
        return -1;
    }
    v->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i])
            *entry_slot(v, old[i]->ocid) = old[i];
    free(old);
    return 0;
}

/* Sets e's groups (interned); nonzero when memory runs out. */
static int entry_keys(store_view *v, view_entry *e, const char *buyer_key,
                      const char *municipality)
{
    int oom = 0;
    const char *key = intern(v, buyer_key, &oom), *code = intern(v, municipality, &oom);
    if (oom)
        return -1;
    e->buyer_key = key;
    e->municipality = code;
    return 0;
}

/* A new entry for ocid (which is not in the map), or NULL when memory runs out. */
static view_entry *entry_add(store_view *v, const char *ocid, const char *buyer_key,
                             const char *municipality, ocds_stage stage, int64_t first_days)
{
    if (entries_grow(v))
        return NULL;
    size_t len = strlen(ocid);
    view_entry *e = calloc(1, sizeof *e + len + 1);
    if (!e)
        return NULL;
    memcpy(e->ocid, ocid, len + 1);
    e->stage = stage;
    e->first_days = first_days;
    if (entry_keys(v, e, buyer_key, municipality)) {
        free(e);
        return NULL;
    }
    *entry_slot(v, ocid) = e;
    v->n++;
    return e;
}

/* Reads what the filters look at from e's compiled release; nonzero when memory runs out. */
static int summarise(view_entry *e, const json_t *compiled)
{
    size_t n = bind_cpv_groups(compiled, e->cpv_in, 3);
    if (e->cpv != e->cpv_in)
        free(e->cpv);
    e->cpv = e->cpv_in;
    if (n > 3) {
        char(*groups)[4] = NULL;
        size_t max = 0;
        while (n > max) {
            max = n;
            free(groups);
            if (!(groups = malloc(max * sizeof *groups)))
                return ANBUD_EINTERNAL;
            n = bind_cpv_groups(compiled, groups, max);
        }
        e->cpv = groups;
    }
    e->n_cpv = (uint32_t)n;
    e->relevant_days = ocds_relevant_days(compiled, e->first_days);
    e->framework = (unsigned char)bind_is_framework(compiled);
    e->summarised = 1;
    return 0;
}

/* Reads e's summary from the summary column ("DAYS FRAMEWORK GROUP,GROUP,..."); nonzero
 * when there is none or it does not read (then the release is parsed instead). */
static int summary_read(view_entry *e, const char *text)
{
    long long days;
    int framework, used = 0;
    if (!text || sscanf(text, "%lld %d %n", &days, &framework, &used) != 2 || used == 0)
        return -1;
    const char *groups = text + used;
    size_t n = 0;
    for (const char *c = groups; *c; c++)
        n += *c == ',';
    n += *groups != 0;
    char(*cpv)[4] = n <= 3 ? e->cpv_in : malloc(n * sizeof *cpv);
    if (!cpv)
        return -1;
    size_t k = 0;
    for (const char *c = groups; *c && k < n;) {
        size_t len = strcspn(c, ",");
        if (len > 3) {
            if (cpv != e->cpv_in)
                free(cpv);
            return -1;
        }
        memcpy(cpv[k], c, len);
        cpv[k++][len] = 0;
        c += len + (c[len] == ',');
    }
    if (e->cpv != e->cpv_in)
        free(e->cpv);
    e->cpv = cpv;
    e->n_cpv = (uint32_t)k;
    e->relevant_days = days;
    e->framework = framework != 0;
    e->summarised = 1;
    return 0;
}

/* ---- groups ------------------------------------------------------------------------- */

static view_group **group_slot(store_view *v, int kind, const char *key)
{
    size_t mask = v->gcap - 1;
    for (size_t i = hash_str(key, kind + 1) & mask;; i = (i + 1) & mask)
        if (!v->gslots[i] || (v->gslots[i]->kind == kind && strcmp(v->gslots[i]->key, key) == 0))
            return &v->gslots[i];
}

static view_group *group_find(store_view *v, int kind, const char *key)
{
    return v->gcap && key ? *group_slot(v, kind, key) : NULL;
}

/* e was added to g (fresh: new to it, so it has no keys in the index) or saved: its keys
 * leave g's CPV index and it waits to be inserted again by the next query (each_by_cpv),
 * where its CPV groups and day are read anew. */
static void group_touch(view_group *g, view_entry *e, int fresh)
{
    if (!g->by_cpv || g->by_cpv_stale) {
        g->by_cpv_stale = 1;
        return;
    }
    if (!fresh) {
        size_t k = 0;
        for (size_t i = 0; i < g->n_by_cpv; i++)
            if (g->by_cpv[i].e != e)
                g->by_cpv[k++] = g->by_cpv[i];
        g->n_by_cpv = k;
        for (size_t i = 0; i < g->n_pending; i++)
            if (g->pending[i] == e)
                return;
    }
    view_entry **grown = array_grow(g->pending, &g->cap_pending, g->n_pending, sizeof *grown);
    if (!grown) {
        g->by_cpv_stale = 1; /* rebuilt whole when next asked */
        return;
    }
    g->pending = grown;
    g->pending[g->n_pending++] = e;
}

static int group_push(view_group *g, view_entry *e)
{
    view_entry **grown = array_grow(g->items, &g->cap, g->n, sizeof *grown);
    if (!grown)
        return -1;
    g->items = grown;
    g->items[g->n++] = e;
    group_touch(g, e, 1);
    return 0;
}

/* A new, empty group (which is not in the map), or NULL when memory runs out. */
static view_group *group_add(store_view *v, int kind, const char *key)
{
    if ((v->gn + 1) * 2 > v->gcap) {
        size_t cap = v->gcap ? v->gcap * 2 : 64;
        view_group **old = v->gslots;
        size_t old_cap = v->gcap;
        v->gslots = calloc(cap, sizeof *v->gslots);
        if (!v->gslots) {
            v->gslots = old;
            return NULL;
        }
        v->gcap = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i])
                *group_slot(v, old[i]->kind, old[i]->key) = old[i];
        free(old);
    }
    int oom = 0;
    const char *interned = intern(v, key, &oom);
    view_group *g = oom ? NULL : calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->kind = kind;
    g->key = interned;
    *group_slot(v, kind, key) = g;
    v->gn++;
    return g;
}

static int by_ocid(const void *a, const void *b)
{
    return strcmp((*(view_entry *const *)a)->ocid, (*(view_entry *const *)b)->ocid);
}

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* ---- keeping it current ------------------------------------------------------------- */

/* The groups holding e take its keys out of their CPV index until it is read again. */
static void mark_stale(store_view *v, view_entry *e)
{
    view_group *g = group_find(v, GROUP_BUYER, e->buyer_key);
    if (g)
        group_touch(g, e, 0);
    if ((g = group_find(v, GROUP_MUNICIPALITY, e->municipality)) != NULL)
        group_touch(g, e, 0);
}

int store_view_saved(store *s, const char *ocid, const char *buyer_key, const char *municipality,
                     ocds_stage stage, int64_t first_days, const char *summary)
{
    store_view *v = view_of(s);
    if (!v)
        return 0; /* out of memory: nothing is cached, nothing goes stale */
    view_entry *e = entry_find(v, ocid);
    if (e) {
        tree_drop(v, e);
        e->summarised = 0;
        mark_stale(v, e);
        e->stage = stage;
        e->first_days = first_days;
        summary_read(e, summary); /* when it does not read: read again when asked */
        if (same_text(e->buyer_key, buyer_key) && same_text(e->municipality, municipality))
            return 0;
        /* it moved to other groups: read them again when asked */
        if (entry_keys(v, e, buyer_key, municipality)) {
            store_view_clear(s);
            return 0;
        }
        groups_clear(v);
        return 0;
    }
    view_group *gb = group_find(v, GROUP_BUYER, buyer_key);
    view_group *gm = group_find(v, GROUP_MUNICIPALITY, municipality);
    if (v->n >= v->max_entries) {
        /* a bulk write (an import) would grow the view without bound: a process of no
         * group read so far is read with its group; one of a group read is held with it,
         * unless that is too much: forgetting is always correct */
        if (gb || gm)
            store_view_clear(s);
        return 0;
    }
    /* kept even outside a group read so far, for store_view_put: a group read later
     * finds its summary and need not parse its text */
    e = entry_add(v, ocid, buyer_key, municipality, stage, first_days);
    if (!e || (gb && group_push(gb, e)) || (gm && group_push(gm, e))) {
        store_view_clear(s); /* correct, only slower */
        return 0;
    }
    summary_read(e, summary);
    if (gb)
        gb->unsorted = 1;
    if (gm)
        gm->unsorted = 1;
    return 0;
}

void store_view_put(store *s, const char *ocid, json_t *compiled)
{
    store_view *v = s->view;
    view_entry *e = v ? entry_find(v, ocid) : NULL;
    if (!e || e->compiled)
        return;
    if (!e->summarised && summarise(e, compiled)) {
        store_view_clear(s); /* correct, only slower */
        return;
    }
    tree_keep(v, e, json_incref(compiled));
}

/* ---- reading ------------------------------------------------------------------------ */

/* A group's rows: SUMMARY is the summary column, or NULL before schema 6 (store_open_at,
 * for tests) */
#define SQL_GROUP(SUMMARY, COLUMN)                                                            \
    "SELECT ocid, buyer_key, municipality, stage, first_date, " SUMMARY " FROM processes "    \
    "WHERE " COLUMN " = ? ORDER BY ocid"
static const char SQL_BY_BUYER[] = SQL_GROUP("summary", "buyer_key");
static const char SQL_BY_MUNICIPALITY[] = SQL_GROUP("summary", "municipality");
static const char SQL_BY_BUYER_5[] = SQL_GROUP("NULL", "buyer_key");
static const char SQL_BY_MUNICIPALITY_5[] = SQL_GROUP("NULL", "municipality");
#undef SQL_GROUP
static const char SQL_COMPILED[] = "SELECT compiled FROM processes WHERE ocid = ?";

/* Forgets everything when another connection has committed since we last looked, or
 * when too much is held. */
static int check_version(store *s, store_view *v)
{
    int64_t version;
    int rc = data_version(s, &version);
    if (!rc && (!v->have_version || version != v->data_version || v->n > v->max_entries))
        store_view_clear(s);
    v->data_version = version;
    v->have_version = !rc;
    return rc;
}

/* Parses text as e's tree (kept among the last used) and summarises it when not yet. */
static int entry_parse(store_view *v, view_entry *e, const char *text)
{
    json_t *compiled = text ? json_loads(text, 0, NULL) : NULL;
    if (!compiled)
        return ANBUD_EINTERNAL;
    if (!e->summarised && summarise(e, compiled)) {
        json_decref(compiled);
        return ANBUD_EINTERNAL;
    }
    tree_keep(v, e, compiled);
    return 0;
}

static int reparse(store *s, store_view *v, view_entry *e);

/* Reads a group's processes from SQL: each summary from its column, or from its parsed
 * release when the row has none (written before schema 6). */
static view_group *load_group(store *s, store_view *v, int kind, const char *key)
{
    sqlite3_stmt *st;
    anbud_err err;
    const char *sql = s->version >= 6 ? (kind == GROUP_BUYER ? SQL_BY_BUYER : SQL_BY_MUNICIPALITY)
                                      : (kind == GROUP_BUYER ? SQL_BY_BUYER_5
                                                             : SQL_BY_MUNICIPALITY_5);
    if (store_cached(s, &st, sql, &err))
        return NULL;
    view_group *g = group_add(v, kind, key);
    int ok = g != NULL, step = SQLITE_DONE;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    while (ok && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *ocid = (const char *)sqlite3_column_text(st, 0);
        view_entry *e = ocid ? entry_find(v, ocid) : NULL;
        if (!e) {
            int64_t first = 0;
            const char *fd = (const char *)sqlite3_column_text(st, 4);
            const char *bk = (const char *)sqlite3_column_text(st, 1);
            ok = ocid && fd && bk && date_parse(fd, &first, NULL) == 0;
            e = ok ? entry_add(v, ocid, bk, (const char *)sqlite3_column_text(st, 2),
                               ocds_stage_parse((const char *)sqlite3_column_text(st, 3)), first)
                   : NULL;
        }
        ok = e && (e->summarised ||
                   summary_read(e, (const char *)sqlite3_column_text(st, 5)) == 0 ||
                   reparse(s, v, e) == 0);
        ok = ok && group_push(g, e) == 0;
    }
    store_release(st);
    if (!ok || step != SQLITE_DONE) {
        store_view_clear(s);
        return NULL;
    }
    return g;
}

/* Parses the stored compiled release of an entry not held parsed. */
static int reparse(store *s, store_view *v, view_entry *e)
{
    sqlite3_stmt *st;
    anbud_err err;
    if (store_cached(s, &st, SQL_COMPILED, &err))
        return ANBUD_EINTERNAL;
    sqlite3_bind_text(st, 1, e->ocid, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st) == SQLITE_ROW
                 ? entry_parse(v, e, (const char *)sqlite3_column_text(st, 0))
                 : ANBUD_EINTERNAL;
    store_release(st);
    return rc;
}

/* Every process, as the query asks for no group: parsed as read, kept nowhere. */
static int each_uncached(void *ctx, const engine_query *q,
                        int (*each)(void *arg, const engine_process *p), void *arg)
{
    store *s = ctx;
    anbud_err err;
    sqlite3_stmt *st;
    if (store_prepare(s, &st, "SELECT ocid, compiled, stage, first_date FROM processes "
                              "WHERE (?1 IS NULL OR buyer_key = ?1) AND "
                              "(?2 IS NULL OR municipality = ?2) AND (?3 IS NULL OR ocid <> ?3) "
                              "ORDER BY ocid", &err))
        return ANBUD_EINTERNAL;
    if (q->except_ocid)
        sqlite3_bind_text(st, 3, q->except_ocid, -1, SQLITE_TRANSIENT);
    int rc = 0, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *compiled = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
        int64_t first = 0;
        const char *fd = (const char *)sqlite3_column_text(st, 3);
        if (!compiled || !fd || date_parse(fd, &first, NULL) != 0) {
            json_decref(compiled);
            rc = ANBUD_EINTERNAL;
            break;
        }
        engine_process p = {(const char *)sqlite3_column_text(st, 0), compiled,
                            ocds_stage_parse((const char *)sqlite3_column_text(st, 2)), first};
        rc = each(arg, &p);
        json_decref(compiled);
    }
    if (!rc && step != SQLITE_DONE)
        rc = ANBUD_EINTERNAL;
    sqlite3_finalize(st);
    return rc;
}

/* Reads e's summary from its release when its row changed since it was read. */
static int entry_ready(store *s, store_view *v, view_entry *e)
{
    if (e->summarised)
        return 0;
    return e->compiled ? summarise(e, e->compiled) : reparse(s, v, e);
}

static int by_group_day(const void *pa, const void *pb)
{
    const cpv_key *a = pa, *b = pb;
    int c = strcmp(a->group, b->group);
    if (c)
        return c;
    return a->day < b->day ? -1 : a->day > b->day;
}

/* Reads the CPV groups and day of es[0..n) and counts their keys into *keys. */
static int count_keys(store *s, store_view *v, view_entry **es, size_t n, size_t *keys)
{
    *keys = 0;
    for (size_t i = 0; i < n; i++) {
        if (entry_ready(s, v, es[i]))
            return ANBUD_EINTERNAL;
        *keys += es[i]->n_cpv;
    }
    return 0;
}

static int rebuild_by_cpv(store *s, store_view *v, view_group *g)
{
    size_t n;
    if (count_keys(s, v, g->items, g->n, &n))
        return ANBUD_EINTERNAL;
    cpv_key *keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys)
        return ANBUD_EINTERNAL;
    size_t k = 0;
    for (size_t i = 0; i < g->n; i++) {
        view_entry *e = g->items[i];
        for (size_t j = 0; j < e->n_cpv; j++) {
            memcpy(keys[k].group, e->cpv[j], sizeof keys[k].group);
            keys[k].day = e->relevant_days;
            keys[k++].e = e;
        }
    }
    qsort(keys, n, sizeof *keys, by_group_day);
    free(g->by_cpv);
    g->by_cpv = keys;
    g->n_by_cpv = n;
    g->by_cpv_stale = 0;
    g->n_pending = 0;
    return 0;
}

/* The first key not before (group, day). */
static size_t lower_bound(const view_group *g, const char *group, int64_t day)
{
    cpv_key probe = {{0}, day, NULL};
    snprintf(probe.group, sizeof probe.group, "%s", group);
    size_t lo = 0, hi = g->n_by_cpv;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (by_group_day(&g->by_cpv[mid], &probe) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Puts the keys of the entries added or saved since the index was built (or last
 * brought up to date) where they belong, instead of sorting it all again. */
static int insert_pending(store *s, store_view *v, view_group *g)
{
    size_t extra;
    if (count_keys(s, v, g->pending, g->n_pending, &extra))
        return ANBUD_EINTERNAL;
    if (extra) {
        cpv_key *grown = realloc(g->by_cpv, (g->n_by_cpv + extra) * sizeof *grown);
        if (!grown)
            return ANBUD_EINTERNAL;
        g->by_cpv = grown;
    }
    for (size_t i = 0; i < g->n_pending; i++) {
        view_entry *e = g->pending[i];
        for (size_t j = 0; j < e->n_cpv; j++) {
            size_t at = lower_bound(g, e->cpv[j], e->relevant_days);
            memmove(&g->by_cpv[at + 1], &g->by_cpv[at],
                    (g->n_by_cpv - at) * sizeof *g->by_cpv);
            memcpy(g->by_cpv[at].group, e->cpv[j], sizeof g->by_cpv[at].group);
            g->by_cpv[at].day = e->relevant_days;
            g->by_cpv[at].e = e;
            g->n_by_cpv++;
        }
    }
    g->n_pending = 0;
    return 0;
}

/* Whether an entry passes the filters the view itself applies (not the narrower ones). */
static int entry_selected(const view_entry *e, const engine_query *q)
{
    if (q->except_ocid && strcmp(e->ocid, q->except_ocid) == 0)
        return 0;
    return !(q->buyer_key && q->municipality && !same_text(e->municipality, q->municipality));
}

/* Does e have the CPV group `group` (a NUL-terminated text of 0 to 3 characters)? */
static int entry_has_group(const view_entry *e, const char *group)
{
    for (uint32_t i = 0; i < e->n_cpv; i++)
        if (strcmp(e->cpv[i], group) == 0)
            return 1;
    return 0;
}

/* bind_query_matches on the summary of e (which must be summarised): the same answer,
 * without its compiled release. */
static int summary_matches(const view_entry *e, const engine_query *q)
{
    if (q->has_days && (e->relevant_days < q->from_days || e->relevant_days > q->to_days))
        return 0;
    if (q->has_first && (e->first_days < q->first_from || e->first_days > q->first_to))
        return 0;
    if (q->stages && (e->stage < 0 || e->stage >= STAGE_COUNT || !(q->stages & (1u << e->stage))))
        return 0;
    if (q->framework && e->framework != (q->framework > 0))
        return 0;
    if (q->has_cpv_groups) {
        size_t i = 0;
        while (i < q->n_cpv_groups && !entry_has_group(e, q->cpv_groups[i]))
            i++;
        if (i == q->n_cpv_groups)
            return 0;
    }
    return !q->cpv_group || (strlen(q->cpv_group) <= 3 && entry_has_group(e, q->cpv_group));
}

/* Hands e to the rule when its summary matches the query's narrower filters, parsing its
 * release when it is not held parsed. */
static int hand_over(store *s, store_view *v, view_entry *e, const engine_query *q,
                     int (*each)(void *arg, const engine_process *p), void *arg)
{
    if (entry_ready(s, v, e))
        return ANBUD_EINTERNAL;
    if (!summary_matches(e, q))
        return 0;
    if (e->compiled)
        tree_used(v, e);
    else if (reparse(s, v, e))
        return ANBUD_EINTERNAL;
    engine_process p = {e->ocid, e->compiled, e->stage, e->first_days};
    return each(arg, &p);
}

/* The index's range [*from, *to) for one CPV group, within the query's days when it has
 * them. */
static void cpv_range(const view_group *g, const char *group, const engine_query *q,
                      size_t *from, size_t *to)
{
    *from = *to = 0;
    if (strlen(group) > 3)
        return;
    size_t k = lower_bound(g, group, q->has_days ? q->from_days : INT64_MIN);
    *from = k;
    for (; k < g->n_by_cpv && strcmp(g->by_cpv[k].group, group) == 0 &&
           (!q->has_days || g->by_cpv[k].day <= q->to_days);
         k++)
        ;
    *to = k;
}

/* A query naming CPV groups: only their ranges of the index, in ocid order, each process
 * once. */
static int each_by_cpv(store *s, store_view *v, view_group *g, const engine_query *q,
                       int (*each)(void *arg, const engine_process *p), void *arg)
{
    if (g->by_cpv_stale || !g->by_cpv) {
        if (rebuild_by_cpv(s, v, g))
            return ANBUD_EINTERNAL;
    } else if (insert_pending(s, v, g)) {
        return ANBUD_EINTERNAL;
    }
    size_t n_groups = q->cpv_group ? 1 : q->n_cpv_groups, total = 0, from, to;
    for (size_t i = 0; i < n_groups; i++) {
        cpv_range(g, q->cpv_group ? q->cpv_group : q->cpv_groups[i], q, &from, &to);
        total += to - from;
    }
    view_entry **hits = malloc((total + 1) * sizeof *hits);
    if (!hits)
        return ANBUD_EINTERNAL;
    size_t n = 0;
    for (size_t i = 0; i < n_groups; i++) {
        cpv_range(g, q->cpv_group ? q->cpv_group : q->cpv_groups[i], q, &from, &to);
        for (size_t k = from; k < to; k++)
            if (entry_selected(g->by_cpv[k].e, q))
                hits[n++] = g->by_cpv[k].e;
    }
    qsort(hits, n, sizeof *hits, by_ocid);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        if (i == 0 || hits[i] != hits[i - 1])
            rc = hand_over(s, v, hits[i], q, each, arg);
    free(hits);
    return rc;
}

static int each_process(void *ctx, const engine_query *q,
                        int (*each)(void *arg, const engine_process *p), void *arg)
{
    store *s = ctx;
    store_view *v = view_of(s);
    if (!v || check_version(s, v))
        return ANBUD_EINTERNAL;
    int kind = q->buyer_key ? GROUP_BUYER : GROUP_MUNICIPALITY;
    const char *key = q->buyer_key ? q->buyer_key : q->municipality;
    if (!key)
        return each_uncached(s, q, each, arg);
    view_group *g = group_find(v, kind, key);
    if (!g && !(g = load_group(s, v, kind, key)))
        return ANBUD_EINTERNAL;
    if (g->unsorted) {
        qsort(g->items, g->n, sizeof *g->items, by_ocid);
        g->unsorted = 0;
    }
    if ((q->cpv_group || q->has_cpv_groups) && g->n >= VIEW_INDEX_MIN)
        return each_by_cpv(s, v, g, q, each, arg);
    for (size_t i = 0; i < g->n; i++) {
        view_entry *e = g->items[i];
        if (!entry_selected(e, q))
            continue;
        int rc = hand_over(s, v, e, q, each, arg);
        if (rc)
            return rc;
    }
    return 0;
}

/* Reads p's buyer's processes into the view, and brings their CPV index up to date. */
static void prepare(void *ctx, const engine_process *p)
{
    store *s = ctx;
    store_view *v = view_of(s);
    char key[256];
    if (!v || check_version(s, v) || !p->compiled)
        return;
    ocds_buyer_key(p->compiled, key, sizeof key);
    view_group *g = key[0] ? group_find(v, GROUP_BUYER, key) : NULL;
    if (key[0] && !g)
        g = load_group(s, v, GROUP_BUYER, key);
    if (!g || g->n < VIEW_INDEX_MIN)
        return;
    if (g->by_cpv_stale || !g->by_cpv)
        rebuild_by_cpv(s, v, g);
    else
        insert_pending(s, v, g);
}

engine_store store_engine_view(store *s)
{
    engine_store v = {s, each_process, prepare};
    return v;
}
