/*
 * store_internal: what the store's files share; not for other modules.
 */
#ifndef ANBUD_STORE_INTERNAL_H
#define ANBUD_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "store.h"

/* A prepared statement kept for the life of the connection, found by its SQL's address. */
typedef struct store_cached_stmt {
    const char *sql;
    sqlite3_stmt *st;
} store_cached_stmt;

#define STORE_CACHED_MAX 32

typedef struct store_view store_view;

/* A rule's source text and its id in rule_sources (schema 5). */
typedef struct store_source {
    char *text;
    uintptr_t seen; /* the address it was last handed over at (compared, never read) */
    int64_t id;
} store_source;

#define STORE_SOURCES_MAX 1024

struct store {
    sqlite3 *db;
    char *path;
    store_cached_stmt cached[STORE_CACHED_MAX];
    size_t n_cached;
    store_view *view; /* parsed processes for p:others(); NULL until first asked */
    int version;      /* the schema's, after migrating */
    store_source *sources; /* the rule sources met (see store.c) */
    size_t n_sources, cap_sources;
    int bulk; /* store_bulk: in a rollback journal until switched back */
};

/* Fills err from the connection's last error: ANBUD_EINPUT when the file is the problem
 * (not a database, read-only, full, locked), else ANBUD_EINTERNAL. */
int store_sql_error(store *s, anbud_err *err, const char *what);
int store_prepare(store *s, sqlite3_stmt **st, const char *sql, anbud_err *err);
int store_exec(store *s, const char *sql, anbud_err *err);

/*
 * A statement prepared once per connection: sql must be a string with static storage (its
 * address is the key). Hand it back with store_release (reset, bindings cleared), never
 * sqlite3_finalize.
 */
int store_cached(store *s, sqlite3_stmt **st, const char *sql, anbud_err *err);
void store_release(sqlite3_stmt *st);
void store_finalize_cached(store *s);

/* ---- the view of processes for p:others() (store_view.c) ---------------------------- */

/* Forgets everything cached (after a rollback, or another connection's commit). */
void store_view_clear(store *s);
void store_view_free(store *s);
/* A process row was written with these columns and this summary (the summary column's
 * text): the cached tree is now stale. */
int store_view_saved(store *s, const char *ocid, const char *buyer_key, const char *municipality,
                     ocds_stage stage, int64_t first_days, const char *summary);
/* How many process summaries and parsed trees the view holds at most (0: the default);
 * forgets what it holds. For tests that make it forget. */
void store_view_limits(store *s, size_t max_entries, size_t max_trees);
/* How many process summaries the view holds now (tests). */
size_t store_view_held(store *s);

#endif
