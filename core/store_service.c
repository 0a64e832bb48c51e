/*
 * store_service: the queries the service needs beyond import: durability of each commit,
 * the queue of events not yet evaluated, and the timed re-checks rules ask for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

int store_set_durable(store *s, anbud_err *err)
{
    return store_exec(s, "PRAGMA synchronous = FULL", err);
}

int store_checkpoints_manual(store *s, anbud_err *err)
{
    return store_exec(s, "PRAGMA wal_autocheckpoint = 0", err);
}

int store_checkpoint(store *s, int *wal_frames, int *copied_frames, anbud_err *err)
{
    *wal_frames = *copied_frames = 0;
    int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, wal_frames,
                                       copied_frames);
    return rc == SQLITE_OK ? 0 : store_sql_error(s, err, "checkpointing the WAL");
}

/* Steps a cached query that returns one integer (NULL reads as 0). */
static int one_integer(store *s, sqlite3_stmt *st, int64_t *out, const char *what, anbud_err *err)
{
    int rc = 0;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        rc = store_sql_error(s, err, what);
    store_release(st);
    return rc;
}

/* The service asks these on every slice of evaluation: prepared once (store_cached). */
static const char SQL_PENDING_COUNT[] = "SELECT count(*) FROM events WHERE evaluated_at IS NULL";
static const char SQL_PENDING_UPTO[] =
    "SELECT count(*) FROM (SELECT 1 FROM events WHERE evaluated_at IS NULL LIMIT ?)";
static const char SQL_PENDING_AFTER[] =
    "SELECT id FROM events WHERE evaluated_at IS NULL AND id > ? ORDER BY id LIMIT ?";
static const char SQL_EVENT_PENDING[] =
    "SELECT count(*) FROM events WHERE id = ? AND evaluated_at IS NULL";
static const char SQL_RECHECK_NEXT[] = "SELECT min(due) FROM rechecks";

int store_pending_count(store *s, int64_t *n, anbud_err *err)
{
    sqlite3_stmt *st;
    int rc = store_cached(s, &st, SQL_PENDING_COUNT, err);
    return rc ? rc : one_integer(s, st, n, "counting pending events", err);
}

int store_pending_count_upto(store *s, int64_t max, int64_t *n, anbud_err *err)
{
    sqlite3_stmt *st;
    int rc = store_cached(s, &st, SQL_PENDING_UPTO, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, max);
    return one_integer(s, st, n, "counting pending events", err);
}

int store_pending_after(store *s, int64_t after, size_t max, int64_t *ids, size_t *n,
                        anbud_err *err)
{
    sqlite3_stmt *st;
    *n = 0;
    int rc = store_cached(s, &st, SQL_PENDING_AFTER, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    int step = SQLITE_DONE;
    while (*n < max && (step = sqlite3_step(st)) == SQLITE_ROW)
        ids[(*n)++] = sqlite3_column_int64(st, 0);
    if (*n < max && step != SQLITE_DONE)
        rc = store_sql_error(s, err, "listing pending events");
    store_release(st);
    return rc;
}

int store_event_pending(store *s, int64_t event_id, int *pending, anbud_err *err)
{
    sqlite3_stmt *st;
    int64_t n = 0;
    int rc = store_cached(s, &st, SQL_EVENT_PENDING, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, event_id);
    rc = one_integer(s, st, &n, "reading an event", err);
    *pending = n > 0;
    return rc;
}

/* ---- timed re-checks --------------------------------------------------------------- */

int store_recheck_next(store *s, int64_t *due_days, anbud_err *err)
{
    sqlite3_stmt *st;
    int rc = store_cached(s, &st, SQL_RECHECK_NEXT, err);
    if (rc)
        return rc;
    int step = sqlite3_step(st);
    if (step != SQLITE_ROW)
        rc = store_sql_error(s, err, "reading re-checks");
    else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
        rc = 1;
    else if (date_parse((const char *)sqlite3_column_text(st, 0), due_days, NULL) != 0)
        rc = err_set(err, ANBUD_EINTERNAL, "%s: a re-check is due on '%s', not a date", s->path,
                     (const char *)sqlite3_column_text(st, 0));
    store_release(st);
    return rc;
}

int store_rechecks_due(store *s, int64_t day, store_recheck **rows, size_t *n, anbud_err *err)
{
    char when[11];
    date_format(day, when);
    *rows = NULL;
    *n = 0;
    sqlite3_stmt *st;
    int rc = store_prepare(s, &st,
                           "SELECT r.ocid, r.rule, r.stage, r.due, p.stage FROM rechecks r "
                           "JOIN processes p ON p.ocid = r.ocid WHERE r.due <= ? "
                           "ORDER BY r.ocid, r.stage, r.rule",
                           err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, when, -1, SQLITE_TRANSIENT);
    size_t cap = 0;
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t grown_cap = cap ? cap * 2 : 8;
            store_recheck *grown = realloc(*rows, grown_cap * sizeof *grown);
            if (!grown) {
                rc = err_set(err, ANBUD_EINTERNAL, "out of memory");
                break;
            }
            *rows = grown;
            cap = grown_cap;
        }
        store_recheck *r = &(*rows)[*n];
        snprintf(r->ocid, sizeof r->ocid, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(r->rule, sizeof r->rule, "%s", (const char *)sqlite3_column_text(st, 1));
        r->stage = ocds_stage_parse((const char *)sqlite3_column_text(st, 2));
        if (date_parse((const char *)sqlite3_column_text(st, 3), &r->due_days, NULL) != 0)
            r->due_days = day;
        r->current = ocds_stage_parse((const char *)sqlite3_column_text(st, 4));
        (*n)++;
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_sql_error(s, err, "reading due re-checks");
    sqlite3_finalize(st);
    if (rc) {
        free(*rows);
        *rows = NULL;
        *n = 0;
    }
    return rc;
}

/* Runs one statement over the re-checks of (ocid, stage) due on or before day; `to` binds
 * parameter 4 when the statement has one. */
static int recheck_update(store *s, const char *sql, const char *ocid, ocds_stage stage,
                          int64_t day, int64_t to, anbud_err *err)
{
    char when[11], later[11];
    date_format(day, when);
    date_format(to, later);
    sqlite3_stmt *st;
    int rc = store_prepare(s, &st, sql, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, ocid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, ocds_stage_name(stage), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, when, -1, SQLITE_TRANSIENT);
    if (sqlite3_bind_parameter_count(st) >= 4)
        sqlite3_bind_text(st, 4, later, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_sql_error(s, err, "updating re-checks");
    sqlite3_finalize(st);
    return rc;
}

int store_recheck_clear(store *s, const char *ocid, ocds_stage stage, int64_t day, anbud_err *err)
{
    return recheck_update(s, "DELETE FROM rechecks WHERE ocid = ?1 AND stage = ?2 AND due <= ?3",
                          ocid, stage, day, day, err);
}

int store_recheck_postpone(store *s, const char *ocid, ocds_stage stage, int64_t day, int64_t to,
                           anbud_err *err)
{
    return recheck_update(s,
                          "UPDATE rechecks SET due = ?4 WHERE ocid = ?1 AND stage = ?2 AND "
                          "due <= ?3",
                          ocid, stage, day, to, err);
}

int store_load_event_head(store *s, int64_t event_id, stored_event *ev, anbud_err *err)
{
    memset(ev, 0, sizeof *ev);
    sqlite3_stmt *st;
    static const char sql[] = "SELECT e.ocid, e.stage, p.ruleset, p.first_date FROM events e "
                              "JOIN processes p ON p.ocid = e.ocid WHERE e.id = ?";
    int rc = store_cached(s, &st, sql, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, event_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        snprintf(ev->ocid, sizeof ev->ocid, "%s", (const char *)sqlite3_column_text(st, 0));
        ev->stage = ocds_stage_parse((const char *)sqlite3_column_text(st, 1));
        snprintf(ev->ruleset, sizeof ev->ruleset, "%s",
                 sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "");
        const char *first = (const char *)sqlite3_column_text(st, 3);
        if (!first || date_parse(first, &ev->first_days, NULL) != 0)
            ev->first_days = 0;
    } else {
        rc = step == SQLITE_DONE ? err_set(err, ANBUD_EINPUT, "%s: no event %lld", s->path,
                                           (long long)event_id)
                                 : store_sql_error(s, err, "reading an event");
    }
    store_release(st);
    return rc;
}
