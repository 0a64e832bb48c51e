/*
 * store: the SQLite file. Schema and migrations, transactions, and the writes of import
 * and advance. The read-only documents for show, history, list and protocol are in
 * store_read.c.
 */
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

/* The columns of verdicts up to its message, as migration 1 made them (5 copies them). */
#define VERDICT_COLUMNS                                                                      \
    "  id INTEGER PRIMARY KEY,"                                                          \
    "  event_id INTEGER NOT NULL REFERENCES events(id),"                                 \
    "  ocid TEXT NOT NULL REFERENCES processes(ocid),"                                   \
    "  rule TEXT NOT NULL,"                                                              \
    "  ruleset TEXT NOT NULL,"                                                           \
    "  ruleset_version TEXT NOT NULL,"                                                   \
    "  stage TEXT NOT NULL,"                                                             \
    "  outcome TEXT NOT NULL CHECK (outcome IN ('pass','fail','warn','info','na','error'))," \
    "  severity TEXT NOT NULL,"                                                          \
    "  gate INTEGER NOT NULL DEFAULT 0,"                                                 \
    "  message TEXT NOT NULL,"

/* Each migration takes the schema from version i to i + 1. Never edit one that shipped. */
static const char *const MIGRATIONS[] = {
    /* 1: processes, events, verdicts */
    "CREATE TABLE processes ("
    "  ocid TEXT PRIMARY KEY,"
    "  buyer_key TEXT NOT NULL,"
    "  buyer_name TEXT,"
    "  municipality TEXT,"
    "  stage TEXT NOT NULL,"
    "  value REAL,"
    "  category TEXT,"
    "  title TEXT,"
    "  relevant_date TEXT NOT NULL,"
    "  first_date TEXT NOT NULL,"
    "  ruleset TEXT,"
    "  compiled TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE TABLE process_cpv ("
    "  ocid TEXT NOT NULL REFERENCES processes(ocid) ON DELETE CASCADE,"
    "  cpv_group TEXT NOT NULL,"
    "  PRIMARY KEY (ocid, cpv_group)) WITHOUT ROWID;"
    "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY,"
    "  ocid TEXT NOT NULL REFERENCES processes(ocid),"
    "  kind TEXT NOT NULL CHECK (kind IN ('release', 'advance')),"
    "  release_id TEXT NOT NULL,"
    "  release_date TEXT NOT NULL,"
    "  stage TEXT NOT NULL,"
    "  hash TEXT NOT NULL,"
    "  body TEXT,"
    "  received_at TEXT NOT NULL,"
    "  evaluated_at TEXT,"
    "  UNIQUE (ocid, release_id));"
    "CREATE TABLE verdicts ("
    VERDICT_COLUMNS
    "  source TEXT NOT NULL,"
    "  evidence TEXT,"
    "  evaluated_at TEXT NOT NULL);"
    "CREATE INDEX processes_buyer ON processes(buyer_key);"
    "CREATE INDEX processes_municipality_stage ON processes(municipality, stage);"
    "CREATE INDEX process_cpv_group ON process_cpv(cpv_group);"
    "CREATE INDEX events_ocid ON events(ocid, id);"
    "CREATE INDEX events_unevaluated ON events(evaluated_at) WHERE evaluated_at IS NULL;"
    "CREATE INDEX verdicts_ocid ON verdicts(ocid, rule, stage, id);"
    "CREATE INDEX verdicts_event ON verdicts(event_id);",
    /* 2: timed re-checks and forced moves */
    "CREATE TABLE rechecks ("
    "  ocid TEXT NOT NULL REFERENCES processes(ocid),"
    "  rule TEXT NOT NULL,"
    "  stage TEXT NOT NULL,"
    "  due TEXT NOT NULL,"
    "  PRIMARY KEY (ocid, rule, stage)) WITHOUT ROWID;"
    "CREATE INDEX rechecks_due ON rechecks(due);"
    "CREATE TABLE forced_moves ("
    "  id INTEGER PRIMARY KEY,"
    "  ocid TEXT NOT NULL REFERENCES processes(ocid),"
    "  event_id INTEGER REFERENCES events(id),"
    "  from_stage TEXT NOT NULL,"
    "  to_stage TEXT NOT NULL,"
    "  forced_by TEXT NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  rules TEXT NOT NULL,"
    "  at TEXT NOT NULL);"
    "CREATE INDEX forced_moves_ocid ON forced_moves(ocid, id);",
    /* 3: the service: API tokens (stored hashed), and events of kind 'recheck' (a timed
     * re-check the service ran). SQLite cannot alter a CHECK, so events is copied into a
     * new table. Foreign keys stay on: the rows that reference events (verdicts, forced
     * moves) wait in temporary tables while the old events table is dropped, and come
     * back once the new one carries its name. */
    "CREATE TABLE tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  municipality TEXT NOT NULL,"
    "  salt TEXT NOT NULL,"
    "  hash TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  revoked_at TEXT);"
    "CREATE TEMP TABLE m3_verdicts AS SELECT * FROM main.verdicts;"
    "CREATE TEMP TABLE m3_forced_moves AS SELECT * FROM main.forced_moves;"
    "DELETE FROM main.verdicts;"
    "DELETE FROM main.forced_moves;"
    "CREATE TABLE events_m3 ("
    "  id INTEGER PRIMARY KEY,"
    "  ocid TEXT NOT NULL REFERENCES processes(ocid),"
    "  kind TEXT NOT NULL CHECK (kind IN ('release', 'advance', 'recheck')),"
    "  release_id TEXT NOT NULL,"
    "  release_date TEXT NOT NULL,"
    "  stage TEXT NOT NULL,"
    "  hash TEXT NOT NULL,"
    "  body TEXT,"
    "  received_at TEXT NOT NULL,"
    "  evaluated_at TEXT,"
    "  UNIQUE (ocid, release_id));"
    "INSERT INTO events_m3 SELECT * FROM main.events;"
    "DROP TABLE main.events;"
    "ALTER TABLE events_m3 RENAME TO events;"
    "CREATE INDEX events_ocid ON events(ocid, id);"
    "CREATE INDEX events_unevaluated ON events(evaluated_at) WHERE evaluated_at IS NULL;"
    "INSERT INTO main.verdicts SELECT * FROM temp.m3_verdicts;"
    "INSERT INTO main.forced_moves SELECT * FROM temp.m3_forced_moves;"
    "DROP TABLE temp.m3_verdicts;"
    "DROP TABLE temp.m3_forced_moves;",
    /* 4: `recheck` asks which rule sets the stored processes use before it starts */
    "CREATE INDEX processes_ruleset ON processes(ruleset);",
    /* 5: a rule's source text kept once, in rule_sources; a verdict refers to it (every
     * verdict repeated it: a quarter of the file). Nothing references verdicts, so the
     * table is copied into its new form and takes the old one's name. */
    "CREATE TABLE rule_sources ("
    "  id INTEGER PRIMARY KEY,"
    "  text TEXT NOT NULL UNIQUE);"
    "INSERT INTO rule_sources (text) SELECT source FROM verdicts GROUP BY source "
    "  ORDER BY min(id);"
    "CREATE TABLE verdicts_m5 ("
    VERDICT_COLUMNS
    "  source_id INTEGER NOT NULL REFERENCES rule_sources(id),"
    "  evidence TEXT,"
    "  evaluated_at TEXT NOT NULL);"
    "INSERT INTO verdicts_m5 SELECT v.id, v.event_id, v.ocid, v.rule, v.ruleset, "
    "  v.ruleset_version, v.stage, v.outcome, v.severity, v.gate, v.message, r.id, v.evidence, "
    "  v.evaluated_at FROM verdicts v JOIN rule_sources r ON r.text = v.source ORDER BY v.id;"
    "DROP TABLE verdicts;"
    "ALTER TABLE verdicts_m5 RENAME TO verdicts;"
    "CREATE INDEX verdicts_ocid ON verdicts(ocid, rule, stage, id);"
    "CREATE INDEX verdicts_event ON verdicts(event_id);",
    /* 6: what p:others() filters on (relevant day, framework, CPV groups), written with
     * the process, so that the view reads a buyer's portfolio without parsing every
     * compiled release; rows written before it have none and are parsed as before */
    "ALTER TABLE processes ADD COLUMN summary TEXT;",
};

static void sources_forget(store *s);

int store_sql_error(store *s, anbud_err *err, const char *what)
{
    int code = sqlite3_errcode(s->db);
    int input = code == SQLITE_NOTADB || code == SQLITE_CORRUPT || code == SQLITE_READONLY ||
                code == SQLITE_CANTOPEN || code == SQLITE_FULL || code == SQLITE_BUSY;
    return err_set(err, input ? ANBUD_EINPUT : ANBUD_EINTERNAL, "%s: %s: %s", s->path, what,
                   sqlite3_errmsg(s->db));
}

int store_prepare(store *s, sqlite3_stmt **st, const char *sql, anbud_err *err)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
        return store_sql_error(s, err, "preparing a query");
    return 0;
}

int store_cached(store *s, sqlite3_stmt **st, const char *sql, anbud_err *err)
{
    for (size_t i = 0; i < s->n_cached; i++)
        if (s->cached[i].sql == sql) {
            *st = s->cached[i].st;
            return 0;
        }
    if (s->n_cached == STORE_CACHED_MAX) /* a bug: more statements than slots */
        return err_set(err, ANBUD_EINTERNAL, "%s: too many cached statements", s->path);
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return store_sql_error(s, err, "preparing a query");
    s->cached[s->n_cached].sql = sql;
    s->cached[s->n_cached++].st = *st;
    return 0;
}

void store_release(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

void store_finalize_cached(store *s)
{
    for (size_t i = 0; i < s->n_cached; i++)
        sqlite3_finalize(s->cached[i].st);
    s->n_cached = 0;
}

int store_exec(store *s, const char *sql, anbud_err *err)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_sql_error(s, err, "writing");
    return 0;
}

static int user_version(store *s, int *version, anbud_err *err)
{
    sqlite3_stmt *st;
    int rc = store_prepare(s, &st, "PRAGMA user_version", err);
    if (rc)
        return rc;
    if (sqlite3_step(st) != SQLITE_ROW)
        rc = store_sql_error(s, err, "reading the schema version");
    else
        *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc;
}

/* Applies the missing migrations up to `target`, each in its own transaction. */
static int migrate(store *s, int target, anbud_err *err)
{
    int version = 0;
    int rc = user_version(s, &version, err);
    if (rc)
        return rc;
    if (version > STORE_SCHEMA_VERSION)
        return err_set(err, ANBUD_EINPUT,
                       "%s: schema version %d was written by a newer anbud (this one knows %d)",
                       s->path, version, STORE_SCHEMA_VERSION);
    for (int v = version; v < target && !rc; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        rc = store_exec(s, "BEGIN IMMEDIATE", err);
        if (!rc)
            rc = store_exec(s, MIGRATIONS[v], err);
        if (!rc)
            rc = store_exec(s, pragma, err);
        if (!rc)
            rc = store_exec(s, "COMMIT", err);
        if (rc)
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    return rc;
}

int store_open_at(const char *path, int version, store **out, anbud_err *err)
{
    *out = NULL;
    store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = xstrdup(path))) {
        free(s);
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    }
    int rc = 0;
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK)
        rc = s->db ? store_sql_error(s, err, "opening")
                   : err_set(err, ANBUD_EINTERNAL, "%s: out of memory", path);
    if (!rc)
        sqlite3_busy_timeout(s->db, 5000);
    if (!rc)
        rc = store_exec(s, "PRAGMA foreign_keys = ON", err);
    if (!rc) {
        /* journal_mode answers with a row: WAL, or what the file system allows */
        sqlite3_stmt *st;
        rc = store_prepare(s, &st, "PRAGMA journal_mode = WAL", err);
        if (!rc && sqlite3_step(st) != SQLITE_ROW)
            rc = store_sql_error(s, err, "switching to WAL");
        sqlite3_finalize(st);
    }
    /* NORMAL in WAL mode: a commit survives a crash of anbud; a power cut may lose the
     * last commits, never leave half of one (store_set_durable makes it FULL). The page
     * cache (64 MiB) keeps an import's indexes in memory instead of re-reading them. */
    if (!rc)
        rc = store_exec(s, "PRAGMA synchronous = NORMAL", err);
    if (!rc)
        rc = store_exec(s, "PRAGMA cache_size = -65536", err);
    if (!rc)
        rc = store_exec(s, "PRAGMA temp_store = MEMORY", err);
    if (!rc)
        rc = migrate(s, version, err);
    if (!rc)
        rc = user_version(s, &s->version, err);
    if (rc) {
        store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

int store_open(const char *path, store **out, anbud_err *err)
{
    return store_open_at(path, STORE_SCHEMA_VERSION, out, err);
}

void store_close(store *s)
{
    if (!s)
        return;
    store_bulk(s, 0);
    store_view_free(s);
    sources_forget(s);
    free(s->sources);
    store_finalize_cached(s);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

int store_version(store *s)
{
    int v = -1;
    anbud_err err;
    user_version(s, &v, &err);
    return v;
}

/* PRAGMA journal_mode = mode: the mode in force after it (lower case), or "" on error. */
static void journal_mode(store *s, const char *mode, char *out, size_t size)
{
    char sql[48];
    sqlite3_stmt *st;
    anbud_err err;
    out[0] = 0;
    snprintf(sql, sizeof sql, "PRAGMA journal_mode = %s", mode);
    if (store_prepare(s, &st, sql, &err))
        return;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

int store_bulk(store *s, int on)
{
    char mode[16];
    if (!on) {
        if (!s->bulk)
            return 0;
        s->bulk = 0;
        journal_mode(s, "WAL", mode, sizeof mode);
        anbud_err err;
        store_exec(s, "PRAGMA synchronous = NORMAL", &err);
        return strcmp(mode, "wal") == 0 ? 0 : -1;
    }
    if (s->bulk || store_in_transaction(s))
        return 0;
    /* FULL: with a rollback journal, NORMAL may let a power cut at the wrong moment damage
     * the file; one transaction syncs a handful of times either way */
    anbud_err err;
    if (store_exec(s, "PRAGMA synchronous = FULL", &err))
        return 0;
    journal_mode(s, "TRUNCATE", mode, sizeof mode);
    s->bulk = strcmp(mode, "truncate") == 0;
    if (!s->bulk) /* another connection has the file open: stay in WAL */
        store_exec(s, "PRAGMA synchronous = NORMAL", &err);
    return s->bulk;
}

int store_begin(store *s, anbud_err *err)
{
    return store_exec(s, "BEGIN IMMEDIATE", err);
}

int store_commit(store *s, anbud_err *err)
{
    return store_exec(s, "COMMIT", err);
}

/* ---- rule sources ---------------------------------------------------------------------
 * The ids of the source texts met so far. An id learnt in a transaction that is rolled
 * back may name nothing: every rollback forgets them all (and the foreign key on
 * verdicts.source_id would refuse a stale one rather than store it). */

static void sources_forget(store *s)
{
    for (size_t i = 0; i < s->n_sources; i++)
        free(s->sources[i].text);
    s->n_sources = 0;
}

int store_in_transaction(store *s)
{
    return !sqlite3_get_autocommit(s->db);
}

int store_savepoint(store *s, anbud_err *err)
{
    return store_exec(s, "SAVEPOINT input", err);
}

int store_release_savepoint(store *s, anbud_err *err)
{
    return store_exec(s, "RELEASE input", err);
}

void store_rollback_savepoint(store *s)
{
    store_view_clear(s); /* it may hold what was just undone */
    sources_forget(s);
    sqlite3_exec(s->db, "ROLLBACK TO input", NULL, NULL, NULL);
    sqlite3_exec(s->db, "RELEASE input", NULL, NULL, NULL);
}

void store_rollback(store *s)
{
    store_view_clear(s); /* it may hold what was just undone */
    sources_forget(s);
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- binding helpers -------------------------------------------------------------- */

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* Steps a cached statement that returns no row; releases it. */
static int step_done(store *s, sqlite3_stmt *st, const char *what, anbud_err *err)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_sql_error(s, err, what);
    store_release(st);
    return rc;
}

/* ---- processes --------------------------------------------------------------------- */

int store_load_process(store *s, const char *ocid, stored_process *p, anbud_err *err)
{
    sqlite3_stmt *st;
    memset(p, 0, sizeof *p);
    static const char sql[] = "SELECT compiled, stage, first_date, ruleset FROM processes "
                              "WHERE ocid = ?";
    int rc = store_cached(s, &st, sql, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, ocid, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        store_release(st);
        return 1;
    }
    if (step != SQLITE_ROW) {
        rc = store_sql_error(s, err, "reading a process");
        store_release(st);
        return rc;
    }
    json_error_t jerr;
    p->compiled = json_loads((const char *)sqlite3_column_text(st, 0), 0, &jerr);
    p->stage = ocds_stage_parse((const char *)sqlite3_column_text(st, 1));
    const char *first = (const char *)sqlite3_column_text(st, 2);
    if (!first || date_parse(first, &p->first_days, NULL) != 0)
        p->first_days = 0;
    snprintf(p->ruleset, sizeof p->ruleset, "%s",
             sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "");
    store_release(st);
    if (!p->compiled)
        return err_set(err, ANBUD_EINTERNAL, "%s: process %s: stored release is not JSON: %s",
                       s->path, ocid, jerr.text);
    return 0;
}

/* Replaces the CPV groups of a process. */
static int save_cpv_groups(store *s, const char *ocid, const json_t *compiled, anbud_err *err)
{
    sqlite3_stmt *del, *ins;
    static const char del_sql[] = "DELETE FROM process_cpv WHERE ocid = ?";
    static const char ins_sql[] = "INSERT OR IGNORE INTO process_cpv VALUES (?, ?)";
    int rc = store_cached(s, &del, del_sql, err);
    if (rc)
        return rc;
    sqlite3_bind_text(del, 1, ocid, -1, SQLITE_TRANSIENT);
    rc = step_done(s, del, "clearing CPV groups", err);
    if (rc || (rc = store_cached(s, &ins, ins_sql, err)))
        return rc;
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(json_object_get(compiled, "tender"), "items"), i, item)
    {
        const json_t *c = json_object_get(item, "classification");
        const char *scheme = json_string_value(json_object_get(c, "scheme"));
        const char *id = json_string_value(json_object_get(c, "id"));
        if (!scheme || !id || strcmp(scheme, "CPV") != 0 || strlen(id) < 3)
            continue;
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, ocid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, id, 3, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            rc = store_sql_error(s, err, "saving CPV groups");
            break;
        }
    }
    store_release(ins);
    return rc;
}

/* The summary column (schema 6): "DAYS FRAMEWORK GROUP,GROUP,...", as store_view reads
 * it; NULL when memory runs out (the view then parses the release). */
static char *summary_text(const json_t *compiled, int64_t relevant_days)
{
    char in[8][4], (*groups)[4] = in;
    size_t n = bind_cpv_groups(compiled, in, 8);
    if (n > 8) {
        if (!(groups = malloc(n * sizeof *groups)))
            return NULL;
        n = bind_cpv_groups(compiled, groups, n);
    }
    size_t size = 48 + 4 * n;
    char *out = malloc(size);
    if (out) {
        int at = snprintf(out, size, "%lld %d ", (long long)relevant_days,
                          bind_is_framework(compiled));
        for (size_t i = 0; i < n && at > 0; i++)
            at += snprintf(out + at, size - (size_t)at, "%s%s", i ? "," : "", groups[i]);
    }
    if (groups != in)
        free(groups);
    return out;
}

int store_save_process(store *s, const char *ocid, const json_t *compiled, ocds_stage stage,
                       int64_t first_days, const char *ruleset_id, anbud_err *err)
{
    char *text = json_dumps(compiled, JSON_COMPACT);
    if (!text)
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    char key[256], relevant[11], first[11], now[21];
    ocds_buyer_key(compiled, key, sizeof key);
    int64_t relevant_days = ocds_relevant_days(compiled, first_days);
    date_format(relevant_days, relevant);
    date_format(first_days, first);
    time_now_iso(now);
    const json_t *tender = json_object_get(compiled, "tender");
    const json_t *buyer = ocds_buyer_party(compiled);
    const char *buyer_name = json_string_value(json_object_get(buyer, "name"));
    if (!buyer_name)
        buyer_name = json_string_value(json_object_get(json_object_get(compiled, "buyer"), "name"));
    double value;
    sqlite3_stmt *st;
#define SAVE_PROCESS_SQL(COLUMNS, VALUES, SET)                                                \
    "INSERT INTO processes (ocid, buyer_key, buyer_name, municipality, stage, value, category, " \
    "title, relevant_date, first_date, ruleset, compiled, updated_at" COLUMNS ") VALUES "       \
    "(?,?,?,?,?,?,?,?,?,?,?,?,?" VALUES ") ON CONFLICT (ocid) DO UPDATE SET "                    \
    "buyer_key = excluded.buyer_key, buyer_name = excluded.buyer_name, "                         \
    "municipality = excluded.municipality, stage = excluded.stage, value = excluded.value, "     \
    "category = excluded.category, title = excluded.title, "                                   \
    "relevant_date = excluded.relevant_date, ruleset = excluded.ruleset, "                       \
    "compiled = excluded.compiled, updated_at = excluded.updated_at" SET
    static const char sql[] =
        SAVE_PROCESS_SQL(", summary", ",?", ", summary = excluded.summary");
    /* a file opened at an older schema (store_open_at, for tests) has no summary column */
    static const char sql_5[] = SAVE_PROCESS_SQL("", "", "");
#undef SAVE_PROCESS_SQL
    int with_summary = s->version >= 6;
    char *summary = summary_text(compiled, relevant_days); /* for the view too */
    int rc = !summary ? err_set(err, ANBUD_EINTERNAL, "out of memory")
                      : store_cached(s, &st, with_summary ? sql : sql_5, err);
    if (rc) {
        free(summary);
        free(text);
        return rc;
    }
    sqlite3_bind_text(st, 1, ocid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, 3, buyer_name);
    const char *municipality = ocds_buyer_municipality(compiled);
    bind_text_or_null(st, 4, municipality);
    sqlite3_bind_text(st, 5, ocds_stage_name(stage), -1, SQLITE_STATIC);
    if (ocds_value(compiled, &value) == 0)
        sqlite3_bind_double(st, 6, value);
    else
        sqlite3_bind_null(st, 6);
    bind_text_or_null(st, 7, json_string_value(json_object_get(tender, "mainProcurementCategory")));
    bind_text_or_null(st, 8, json_string_value(json_object_get(tender, "title")));
    sqlite3_bind_text(st, 9, relevant, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 10, first, -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, 11, ruleset_id);
    sqlite3_bind_text(st, 12, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 13, now, -1, SQLITE_TRANSIENT);
    if (with_summary)
        sqlite3_bind_text(st, 14, summary, -1, SQLITE_TRANSIENT);
    rc = step_done(s, st, "saving a process", err);
    free(text);
    if (!rc)
        rc = store_view_saved(s, ocid, key, municipality, stage, first_days, summary);
    free(summary);
    return rc ? rc : save_cpv_groups(s, ocid, compiled, err);
}

/* ---- events and verdicts ----------------------------------------------------------- */

int store_release_state(store *s, const char *ocid, const char *release_id, const char *hash,
                        int *state, anbud_err *err)
{
    sqlite3_stmt *st;
    static const char sql[] = "SELECT hash FROM events WHERE ocid = ? AND release_id = ?";
    int rc = store_cached(s, &st, sql, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, ocid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, release_id, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *state = strcmp((const char *)sqlite3_column_text(st, 0), hash) == 0 ? STORE_SAME
                                                                             : STORE_CONFLICT;
    else if (step == SQLITE_DONE)
        *state = STORE_NEW;
    else
        rc = store_sql_error(s, err, "looking up a release");
    store_release(st);
    return rc;
}

int store_add_event(store *s, const char *ocid, const char *kind, const char *release_id,
                    const char *date, ocds_stage stage, const char *hash, const char *body,
                    int64_t *event_id, anbud_err *err)
{
    char now[21];
    time_now_iso(now);
    sqlite3_stmt *st;
    static const char sql[] = "INSERT INTO events (ocid, kind, release_id, release_date, "
                              "stage, hash, body, received_at) VALUES (?,?,?,?,?,?,?,?)";
    int rc = store_cached(s, &st, sql, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, ocid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, release_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, date, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, ocds_stage_name(stage), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, hash, -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, 7, body);
    sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT);
    rc = step_done(s, st, "storing an event", err);
    if (!rc)
        *event_id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

/* The id of a rule's source text in rule_sources, adding it when it is not there. */
static int source_id(store *s, const char *text, int64_t *id, anbud_err *err)
{
    /* by address first: a rule hands over the same text every time */
    for (size_t i = 0; i < s->n_sources; i++)
        if (s->sources[i].seen == (uintptr_t)text && strcmp(s->sources[i].text, text) == 0) {
            *id = s->sources[i].id;
            return 0;
        }
    for (size_t i = 0; i < s->n_sources; i++)
        if (strcmp(s->sources[i].text, text) == 0) {
            s->sources[i].seen = (uintptr_t)text;
            *id = s->sources[i].id;
            return 0;
        }
    static const char find_sql[] = "SELECT id FROM rule_sources WHERE text = ?";
    static const char add_sql[] = "INSERT INTO rule_sources (text) VALUES (?)";
    sqlite3_stmt *st;
    int rc = store_cached(s, &st, find_sql, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else if (step != SQLITE_DONE)
        rc = store_sql_error(s, err, "reading a rule's source");
    store_release(st);
    if (!rc && step == SQLITE_DONE) {
        if ((rc = store_cached(s, &st, add_sql, err)))
            return rc;
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
        rc = step_done(s, st, "storing a rule's source", err);
        *id = sqlite3_last_insert_rowid(s->db);
    }
    if (rc)
        return rc;
    if (s->n_sources == STORE_SOURCES_MAX) /* more rules than expected: start again */
        sources_forget(s);
    store_source *grown = array_grow(s->sources, &s->cap_sources, s->n_sources, sizeof *grown);
    char *copy = grown ? xstrdup(text) : NULL;
    if (grown)
        s->sources = grown;
    if (!copy) /* only the remembering failed */
        return 0;
    s->sources[s->n_sources++] = (store_source){copy, (uintptr_t)text, *id};
    return 0;
}

/* Records or clears one rule's timed re-check for the process at a stage. */
static int save_recheck(store *s, sqlite3_stmt *set, sqlite3_stmt *clear, const char *ocid,
                        const verdict *v, anbud_err *err)
{
    sqlite3_stmt *st = v->recheck_days >= 0 ? set : clear;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, ocid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, v->rule, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, ocds_stage_name(v->stage), -1, SQLITE_STATIC);
    if (v->recheck_days >= 0) {
        char due[11];
        date_format(v->recheck_days, due);
        sqlite3_bind_text(st, 4, due, -1, SQLITE_TRANSIENT);
    }
    return sqlite3_step(st) == SQLITE_DONE ? 0 : store_sql_error(s, err, "saving a re-check");
}

int store_add_verdicts(store *s, int64_t event_id, const char *ocid, const char *ruleset_id,
                       const char *ruleset_version, const verdict_list *l, anbud_err *err)
{
    char now[21];
    time_now_iso(now);
    sqlite3_stmt *ins = NULL, *set = NULL, *clear = NULL, *done = NULL;
    static const char ins_sql[] = "INSERT INTO verdicts (event_id, ocid, rule, ruleset, "
                                  "ruleset_version, stage, outcome, severity, gate, message, "
                                  "source_id, evidence, evaluated_at) "
                                  "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";
    /* a file opened at an older schema (store_open_at, for tests) holds the text itself */
    static const char ins_sql_4[] = "INSERT INTO verdicts (event_id, ocid, rule, ruleset, "
                                    "ruleset_version, stage, outcome, severity, gate, message, "
                                    "source, evidence, evaluated_at) "
                                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";
    int own_sources = s->version >= 5;
    static const char set_sql[] = "INSERT INTO rechecks (ocid, rule, stage, due) VALUES "
                                  "(?,?,?,?) ON CONFLICT DO UPDATE SET due = excluded.due";
    static const char clear_sql[] = "DELETE FROM rechecks WHERE ocid = ? AND rule = ? AND "
                                    "stage = ?";
    static const char done_sql[] = "UPDATE events SET evaluated_at = ? WHERE id = ?";
    static const char any_sql[] = "SELECT EXISTS (SELECT 1 FROM rechecks WHERE ocid = ?)";
    /* a process without timed re-checks (most, and every new one) has none to clear */
    int any = 1;
    sqlite3_stmt *any_st;
    int rc = store_cached(s, &any_st, any_sql, err);
    if (!rc) {
        sqlite3_bind_text(any_st, 1, ocid, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(any_st) == SQLITE_ROW)
            any = sqlite3_column_int(any_st, 0);
        else
            rc = store_sql_error(s, err, "reading re-checks");
        store_release(any_st);
    }
    if (!rc)
        rc = store_cached(s, &ins, own_sources ? ins_sql : ins_sql_4, err);
    if (!rc)
        rc = store_cached(s, &set, set_sql, err);
    if (!rc)
        rc = store_cached(s, &clear, clear_sql, err);
    if (!rc)
        rc = store_cached(s, &done, done_sql, err);
    for (size_t i = 0; i < l->n && !rc; i++) {
        const verdict *v = &l->items[i];
        int64_t src = 0;
        if (own_sources && (rc = source_id(s, v->source, &src, err)))
            break;
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, event_id);
        sqlite3_bind_text(ins, 2, ocid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, v->rule, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, ruleset_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 5, ruleset_version, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 6, ocds_stage_name(v->stage), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 7, outcome_name(v->outcome), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 8, severity_name(v->severity), -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 9, v->gate);
        sqlite3_bind_text(ins, 10, v->message, -1, SQLITE_TRANSIENT);
        if (own_sources)
            sqlite3_bind_int64(ins, 11, src);
        else
            sqlite3_bind_text(ins, 11, v->source, -1, SQLITE_TRANSIENT);
        if (v->evidence) /* JSON text already; it outlives the step */
            sqlite3_bind_text(ins, 12, v->evidence, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ins, 12);
        sqlite3_bind_text(ins, 13, now, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = store_sql_error(s, err, "storing a verdict");
        if (!rc && (any || v->recheck_days >= 0))
            rc = save_recheck(s, set, clear, ocid, v, err);
    }
    if (!rc) {
        sqlite3_bind_text(done, 1, now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(done, 2, event_id);
        if (sqlite3_step(done) != SQLITE_DONE)
            rc = store_sql_error(s, err, "marking an event evaluated");
    }
    if (ins)
        store_release(ins);
    if (set)
        store_release(set);
    if (clear)
        store_release(clear);
    if (done)
        store_release(done);
    return rc;
}

int store_add_forced_move(store *s, const char *ocid, int64_t event_id, ocds_stage from,
                          ocds_stage to, const char *by, const char *reason, const char *rules,
                          anbud_err *err)
{
    char now[21];
    time_now_iso(now);
    sqlite3_stmt *st;
    static const char sql[] = "INSERT INTO forced_moves (ocid, event_id, from_stage, "
                              "to_stage, forced_by, reason, rules, at) VALUES (?,?,?,?,?,?,?,?)";
    int rc = store_cached(s, &st, sql, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, ocid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, event_id);
    sqlite3_bind_text(st, 3, ocds_stage_name(from), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ocds_stage_name(to), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, by, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, rules, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT);
    return step_done(s, st, "recording a forced move", err);
}

/* ---- evaluation ---------------------------------------------------------------------- */

int store_load_event(store *s, int64_t event_id, stored_event *ev, anbud_err *err)
{
    sqlite3_stmt *st;
    /* cached: the service evaluates one event at a time */
    static const char bodies_sql[] = "SELECT body FROM events WHERE ocid = ? AND id <= ? AND "
                                     "body IS NOT NULL ORDER BY id";
    int rc = store_load_event_head(s, event_id, ev, err);
    if (rc)
        return rc;
    /* the compiled release as it stood after this event: its releases up to it, applied as
     * accepting them did (ocds_apply: tagged compiled, the newest date kept), so it equals
     * what the service kept from accepting them (lifecycle_evaluate_event_as) */
    if ((rc = store_cached(s, &st, bodies_sql, err)))
        return rc;
    sqlite3_bind_text(st, 1, ev->ocid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, event_id);
    ev->compiled = json_object();
    int step = SQLITE_DONE;
    while (!rc && ev->compiled && (step = sqlite3_step(st)) == SQLITE_ROW) {
        ocds_release r = {.stage = STAGE_NONE};
        ocds_stage unchanged = STAGE_NONE;
        r.json = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
        if (r.json && date_parse(json_string_value(json_object_get(r.json, "date")), NULL,
                                 &r.secs) != 0)
            r.secs = 0;
        rc = r.json ? ocds_apply(ev->compiled, &unchanged, &r, err)
                    : err_set(err, ANBUD_EINTERNAL, "%s: a stored release is not JSON", s->path);
        json_decref(r.json);
    }
    if (!rc && !ev->compiled)
        rc = err_set(err, ANBUD_EINTERNAL, "out of memory");
    else if (!rc && step != SQLITE_DONE)
        rc = store_sql_error(s, err, "reading releases");
    store_release(st);
    if (rc) {
        json_decref(ev->compiled);
        ev->compiled = NULL;
    }
    return rc;
}

int store_pending(store *s, size_t max, int64_t *ids, size_t *n, anbud_err *err)
{
    sqlite3_stmt *st;
    *n = 0;
    int rc = store_prepare(s, &st, "SELECT id FROM events WHERE evaluated_at IS NULL "
                                   "ORDER BY id LIMIT ?", err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && *n < max)
        ids[(*n)++] = sqlite3_column_int64(st, 0);
    if (step != SQLITE_DONE && step != SQLITE_ROW)
        rc = store_sql_error(s, err, "listing pending events");
    sqlite3_finalize(st);
    return rc;
}
