/*
 * store_read: the read-only documents built from the store for show, history, list and
 * the protocol. Each is one JSON value the commands print or render.
 */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* A column as JSON: text, a number, or null. */
static json_t *col_json(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        return json_integer(sqlite3_column_int64(st, i));
    case SQLITE_FLOAT:
        return json_real(sqlite3_column_double(st, i));
    case SQLITE_NULL:
        return json_null();
    default:
        return json_string(col(st, i));
    }
}

/* Stored JSON text as a value (null when absent). */
static json_t *col_parsed(sqlite3_stmt *st, int i)
{
    const char *text = col(st, i);
    json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    return v ? v : json_null();
}

/* Runs st (bound), turning each row into an object with the given keys, one per column;
 * `parsed` marks columns holding JSON text. Returns a new array or NULL. */
static json_t *rows(store *s, sqlite3_stmt *st, const char *const *keys, unsigned parsed,
                    anbud_err *err)
{
    json_t *arr = json_array();
    int step;
    while (arr && (step = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = json_object();
        for (int i = 0; row && keys[i]; i++) {
            json_t *v = (parsed >> i) & 1 ? col_parsed(st, i) : col_json(st, i);
            if (!v || json_object_set_new(row, keys[i], v)) {
                json_decref(row);
                row = NULL;
            }
        }
        if (!row || json_array_append_new(arr, row)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    if (!arr)
        err_set(err, ANBUD_EINTERNAL, "out of memory");
    else if (step != SQLITE_DONE) {
        store_sql_error(s, err, "reading");
        json_decref(arr);
        arr = NULL;
    }
    sqlite3_finalize(st);
    return arr;
}

/* Prepares sql with ocid bound as parameter 1 (and 2 when the query has two). */
static sqlite3_stmt *query_ocid(store *s, const char *sql, const char *ocid, anbud_err *err)
{
    sqlite3_stmt *st;
    if (store_prepare(s, &st, sql, err))
        return NULL;
    for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++)
        sqlite3_bind_text(st, i, ocid, -1, SQLITE_TRANSIENT);
    return st;
}

static json_t *query_rows(store *s, const char *sql, const char *ocid, const char *const *keys,
                          unsigned parsed, anbud_err *err)
{
    sqlite3_stmt *st = query_ocid(s, sql, ocid, err);
    return st ? rows(s, st, keys, parsed, err) : NULL;
}

/* The process row: {"ocid","stage","ruleset"} or NULL (ANBUD_EINPUT when unknown). */
static json_t *process_head(store *s, const char *ocid, anbud_err *err)
{
    static const char *const keys[] = {"ocid", "stage", "ruleset", NULL};
    json_t *r = query_rows(s, "SELECT ocid, stage, ruleset FROM processes WHERE ocid = ?", ocid,
                           keys, 0, err);
    if (r && json_array_size(r) == 0) {
        json_decref(r);
        err_set(err, ANBUD_EINPUT, "%s: no process '%s'", s->path, ocid);
        return NULL;
    }
    json_t *head = r ? json_incref(json_array_get(r, 0)) : NULL;
    json_decref(r);
    return head;
}

static const char LATEST_VERDICTS[] =
    "SELECT v.rule, v.stage, v.outcome, v.severity, v.message, "
    "(SELECT r.text FROM rule_sources r WHERE r.id = v.source_id), v.evidence, "
    "v.evaluated_at, v.ruleset_version FROM verdicts v WHERE v.id IN "
    "(SELECT max(id) FROM verdicts WHERE ocid = ? GROUP BY rule, stage) ORDER BY v.id";

json_t *store_show(store *s, const char *ocid, anbud_err *err)
{
    static const char *const keys[] = {"rule",    "stage",  "outcome",  "severity",
                                       "message", "source", "evidence", NULL};
    json_t *head = process_head(s, ocid, err);
    if (!head)
        return NULL;
    json_t *results = query_rows(s, LATEST_VERDICTS, ocid, keys, 1u << 6, err);
    if (!results || json_object_set_new(head, "results", results)) {
        json_decref(head);
        return NULL;
    }
    json_t *doc = json_pack("{s:[o]}", "processes", head);
    if (!doc)
        err_set(err, ANBUD_EINTERNAL, "out of memory");
    return doc;
}

static const char *const FORCED_KEYS[] = {"from", "to", "by", "reason", "rules", "at",
                                          "event_id", NULL};
static const char FORCED_MOVES[] =
    "SELECT from_stage, to_stage, forced_by, reason, rules, at, event_id FROM forced_moves "
    "WHERE ocid = ? ORDER BY id";

json_t *store_history(store *s, const char *ocid, anbud_err *err)
{
    static const char *const event_keys[] = {"id",   "kind",        "release_id", "stage",
                                             "date", "received_at", NULL};
    static const char *const verdict_keys[] = {"event_id", "rule",    "stage", "outcome",
                                               "severity", "message", NULL};
    json_t *head = process_head(s, ocid, err);
    if (!head)
        return NULL;
    json_decref(head);
    json_t *events = query_rows(s, "SELECT id, kind, release_id, stage, release_date, "
                                   "received_at FROM events WHERE ocid = ? ORDER BY id",
                                ocid, event_keys, 0, err);
    json_t *verdicts = events ? query_rows(s, "SELECT event_id, rule, stage, outcome, severity, "
                                              "message FROM verdicts WHERE ocid = ? ORDER BY id",
                                           ocid, verdict_keys, 0, err)
                              : NULL;
    json_t *forced = verdicts ? query_rows(s, FORCED_MOVES, ocid, FORCED_KEYS, 1u << 4, err) : NULL;
    json_t *doc = forced ? json_pack("{s:s, s:O, s:O}", "ocid", ocid, "events", events,
                                     "forced_moves", forced)
                         : NULL;
    /* hang each verdict under its event; both lists are in id order */
    size_t e = 0, i;
    json_t *v;
    json_array_foreach(doc ? verdicts : NULL, i, v)
    {
        json_int_t id = json_integer_value(json_object_get(v, "event_id"));
        while (e < json_array_size(events) &&
               json_integer_value(json_object_get(json_array_get(events, e), "id")) != id)
            e++;
        json_t *event = json_array_get(events, e);
        if (!event)
            break;
        json_t *list = json_object_get(event, "verdicts");
        if (!list) {
            list = json_array();
            if (json_object_set_new(event, "verdicts", list))
                list = NULL;
        }
        json_object_del(v, "event_id");
        if (!list || json_array_append(list, v)) {
            json_decref(doc);
            doc = NULL;
            break;
        }
    }
    json_array_foreach(doc ? events : NULL, i, v)
    {
        if (!json_object_get(v, "verdicts") && json_object_set_new(v, "verdicts", json_array())) {
            json_decref(doc);
            doc = NULL;
            break;
        }
    }
    if (!doc && forced)
        err_set(err, ANBUD_EINTERNAL, "out of memory");
    json_decref(events);
    json_decref(verdicts);
    json_decref(forced);
    return doc;
}

json_t *store_list(store *s, const char *municipality, const char *stage, const char *with_outcome,
                   anbud_err *err)
{
    static const char *const keys[] = {"ocid",  "title",   "buyer",    "municipality",
                                       "stage", "value",   "ruleset",  "outcomes", NULL};
    sqlite3_stmt *st;
    if (store_prepare(s, &st,
                      "WITH latest AS (SELECT v.ocid, v.outcome FROM verdicts v WHERE v.id IN "
                      "  (SELECT max(id) FROM verdicts GROUP BY ocid, rule, stage)) "
                      "SELECT p.ocid, p.title, p.buyer_name, p.municipality, p.stage, p.value, "
                      "  p.ruleset, (SELECT json_group_object(outcome, n) FROM (SELECT outcome, "
                      "  count(*) AS n FROM latest WHERE latest.ocid = p.ocid GROUP BY outcome)) "
                      "FROM processes p "
                      "WHERE (?1 IS NULL OR p.municipality = ?1) AND (?2 IS NULL OR p.stage = ?2) "
                      "  AND (?3 IS NULL OR EXISTS (SELECT 1 FROM latest "
                      "       WHERE latest.ocid = p.ocid AND latest.outcome = ?3)) "
                      "ORDER BY p.municipality, p.ocid",
                      err))
        return NULL;
    const char *binds[] = {municipality, stage, with_outcome};
    for (int i = 0; i < 3; i++)
        if (binds[i])
            sqlite3_bind_text(st, i + 1, binds[i], -1, SQLITE_TRANSIENT);
    json_t *list = rows(s, st, keys, 1u << 7, err);
    json_t *doc = list ? json_pack("{s:o}", "processes", list) : NULL;
    if (list && !doc)
        err_set(err, ANBUD_EINTERNAL, "out of memory");
    return doc;
}

/* The title of a rule in the process's set, or "". */
static const char *title_of(const ruleset *set, const char *id)
{
    for (size_t i = 0; set && i < ruleset_rule_count(set); i++)
        if (strcmp(rule_id(ruleset_rule_at(set, i)), id) == 0)
            return rule_title(ruleset_rule_at(set, i));
    return "";
}

json_t *store_protocol_doc(store *s, const engine *e, const char *ocid, anbud_err *err)
{
    static const char *const verdict_keys[] = {"rule",     "stage",    "outcome",
                                               "severity", "message",  "source",
                                               "evidence", "evaluated_at", "ruleset_version",
                                               NULL};
    static const char *const event_keys[] = {"id",   "kind",        "release_id", "stage",
                                             "date", "received_at", NULL};
    static const char *const compiled_keys[] = {"compiled", NULL};
    json_t *doc = process_head(s, ocid, err);
    if (!doc)
        return NULL;
    const char *set_id = json_string_value(json_object_get(doc, "ruleset"));
    const ruleset *set = set_id ? engine_ruleset_by_id(e, set_id) : NULL;
    char now[21];
    time_now_iso(now);
    json_t *compiled = query_rows(s, "SELECT compiled FROM processes WHERE ocid = ?", ocid,
                                  compiled_keys, 1u, err);
    json_t *events = compiled ? query_rows(s, "SELECT id, kind, release_id, stage, release_date, "
                                              "received_at FROM events WHERE ocid = ? ORDER BY id",
                                           ocid, event_keys, 0, err)
                              : NULL;
    json_t *verdicts =
        events ? query_rows(s, LATEST_VERDICTS, ocid, verdict_keys, 1u << 6, err) : NULL;
    json_t *forced = verdicts ? query_rows(s, FORCED_MOVES, ocid, FORCED_KEYS, 1u << 4, err) : NULL;
    int bad = !forced;
    size_t i;
    json_t *v;
    json_array_foreach(verdicts, i, v)
    {
        bad |= json_object_set_new(v, "title",
                                   json_string(title_of(set, json_string_value(
                                                                 json_object_get(v, "rule")))));
    }
    if (!bad)
        bad |= json_object_set_new(doc, "ruleset_name",
                                   json_string(set ? ruleset_name(set) : (set_id ? set_id : "")));
    if (!bad)
        bad |= json_object_set_new(doc, "language", json_string(set ? ruleset_language(set) : "nb"));
    if (!bad)
        bad |= json_object_set_new(doc, "generated_at", json_string(now));
    if (!bad)
        bad |= json_object_set(doc, "compiled",
                               json_object_get(json_array_get(compiled, 0), "compiled"));
    if (!bad)
        bad |= json_object_set(doc, "events", events) ||
               json_object_set(doc, "verdicts", verdicts) ||
               json_object_set(doc, "forced_moves", forced);
    json_decref(compiled);
    json_decref(events);
    json_decref(verdicts);
    json_decref(forced);
    if (bad) {
        if (forced)
            err_set(err, ANBUD_EINTERNAL, "out of memory");
        json_decref(doc);
        return NULL;
    }
    return doc;
}
