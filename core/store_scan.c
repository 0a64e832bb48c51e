/*
 * store_scan: reading the stored portfolio in batches for `recheck`, so a million
 * processes never sit in memory at once. Rows come in buyer order (the buyer_key index,
 * then rowid), so the processes p:others() asks about are read close together.
 */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

json_t *store_rulesets(store *s, const char *municipality, anbud_err *err)
{
    static const char sql[] = "SELECT DISTINCT ruleset FROM processes "
                              "WHERE ?1 IS NULL OR municipality = ?1";
    sqlite3_stmt *st;
    if (store_cached(s, &st, sql, err))
        return NULL;
    if (municipality)
        sqlite3_bind_text(st, 1, municipality, -1, SQLITE_TRANSIENT);
    json_t *sets = json_array();
    int step = SQLITE_DONE;
    while (sets && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        if (json_array_append_new(sets, json_string(id ? id : ""))) {
            json_decref(sets);
            sets = NULL;
        }
    }
    if (!sets)
        err_set(err, ANBUD_EINTERNAL, "out of memory");
    else if (step != SQLITE_DONE) {
        store_sql_error(s, err, "listing rule sets");
        json_decref(sets);
        sets = NULL;
    }
    store_release(st);
    return sets;
}

static int selected(const store_scan *scan, const char *set)
{
    if (!scan->rulesets)
        return 1;
    for (size_t i = 0; i < scan->n_rulesets; i++)
        if (set && strcmp(scan->rulesets[i], set) == 0)
            return 1;
    return 0;
}

/* Fills one row from the statement's columns 2..6; 0, or -1 when it cannot be read. */
static int read_row(sqlite3_stmt *st, scanned_process *row)
{
    const char *ocid = (const char *)sqlite3_column_text(st, 2);
    const char *first = (const char *)sqlite3_column_text(st, 5);
    const char *set = (const char *)sqlite3_column_text(st, 6);
    memset(row, 0, sizeof *row);
    if (!ocid || !first || date_parse(first, &row->p.first_days, NULL) != 0)
        return -1;
    snprintf(row->ocid, sizeof row->ocid, "%s", ocid);
    snprintf(row->p.ruleset, sizeof row->p.ruleset, "%s", set ? set : "");
    row->p.stage = ocds_stage_parse((const char *)sqlite3_column_text(st, 4));
    const char *text = (const char *)sqlite3_column_text(st, 3);
    row->p.compiled = text ? json_loads(text, 0, NULL) : NULL;
    return row->p.compiled ? 0 : -1;
}

int store_scan_next(store *s, store_scan *scan, scanned_process *rows, size_t max, size_t *n,
                    anbud_err *err)
{
    static const char sql[] =
        "SELECT rowid, buyer_key, ocid, compiled, stage, first_date, ruleset "
        "FROM processes INDEXED BY processes_buyer "
        "WHERE (?1 = 0 OR (buyer_key, rowid) > (?2, ?3)) AND (?4 IS NULL OR municipality = ?4) "
        "ORDER BY buyer_key, rowid LIMIT ?5";
    sqlite3_stmt *st;
    *n = 0;
    int rc = store_cached(s, &st, sql, err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, scan->started);
    sqlite3_bind_text(st, 2, scan->buyer_key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, scan->rowid);
    if (scan->municipality)
        sqlite3_bind_text(st, 4, scan->municipality, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)max);
    int step;
    size_t raw = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        raw++;
        const char *key = (const char *)sqlite3_column_text(st, 1);
        scan->started = 1;
        scan->rowid = sqlite3_column_int64(st, 0);
        snprintf(scan->buyer_key, sizeof scan->buyer_key, "%s", key ? key : "");
        if (!selected(scan, (const char *)sqlite3_column_text(st, 6)))
            continue;
        if (read_row(st, &rows[*n]) != 0) {
            rc = err_set(err, ANBUD_EINTERNAL, "%s: process %s: the stored row cannot be read",
                         s->path, rows[*n].ocid[0] ? rows[*n].ocid : "?");
            break;
        }
        (*n)++;
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_sql_error(s, err, "reading processes");
    scan->done = !rc && raw < max;
    store_release(st);
    if (rc) {
        for (size_t i = 0; i < *n; i++)
            json_decref(rows[i].p.compiled);
        *n = 0;
    }
    return rc;
}
