/* Unit tests of store and lifecycle on a real SQLite file. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lifecycle.h"
#include "store.h"
#include "store_internal.h"
#include "test.h"

#define RULES "tests/e2e/rules"

static char path[64];

static void fresh_path(void)
{
    test_db_path(path, "store");
}

/* Runs one SQL query returning one integer, on its own connection. */
static long long scalar(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

/* Runs one SQL query returning one text, on its own connection; "" when none (malloc'd). */
static char *text_of(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    char *v = NULL;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            v = xstrdup((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v ? v : xstrdup("");
}

static const char PROCESS[] =
    "{\"releases\":[{\"ocid\":\"ocds-s1\",\"id\":\"a\",\"date\":\"2024-01-01T00:00:00Z\","
    "\"tag\":[\"planning\"],\"buyer\":{\"id\":\"b\",\"name\":\"Alver kommune\"},"
    "\"parties\":[{\"id\":\"b\",\"identifier\":{\"scheme\":\"NO-BRC\",\"id\":\"920290922\"},"
    "\"details\":{\"municipalityCode\":\"4631\"}}],\"tender\":{\"id\":\"t\",\"title\":\"Ved\","
    "\"value\":{\"amount\":500,\"currency\":\"NOK\"},\"items\":[{\"id\":\"1\","
    "\"classification\":{\"scheme\":\"CPV\",\"id\":\"03413000-8\"}}]}},"
    "{\"ocid\":\"ocds-s1\",\"id\":\"b\",\"date\":\"2024-02-01T00:00:00Z\",\"tag\":[\"tender\"],"
    "\"tender\":{\"id\":\"t\",\"status\":\"active\"}}]}";

/* A buyer in Alver (4631), whom the e2e rule set `demo` serves. */
#define BUYER "\"buyer\":{\"id\":\"b\"},\"parties\":[{\"id\":\"b\",\"details\":" \
              "{\"municipalityCode\":\"4631\"}}],"

static engine *open_engine(void)
{
    anbud_err err;
    int code;
    engine *e = engine_new(ANBUD_LUA_DIR, RULES, NULL, &code, &err);
    if (!e)
        fprintf(stderr, "  %s\n", err.msg);
    return e;
}

/* Imports text into the store at path, at schema `version` (0: the current one);
 * returns the lifecycle's code. */
static int import_text_at(const char *text, int version, import_stats *stats)
{
    anbud_err err;
    store *s = NULL;
    engine *e = open_engine();
    ocds_batch b = {0};
    int rc = version ? store_open_at(path, version, &s, &err) : store_open(path, &s, &err);
    if (!rc)
        rc = ocds_read(&b, "input", text, strlen(text), &err);
    if (!rc)
        rc = e ? lifecycle_import(s, e, &b, NULL, 0, stats, &err) : ANBUD_EINTERNAL;
    if (rc)
        fprintf(stderr, "  import: %s\n", err.msg);
    ocds_batch_free(&b);
    engine_free(e);
    store_close(s);
    return rc;
}

static int import_text(const char *text, import_stats *stats)
{
    return import_text_at(text, 0, stats);
}

static void migrates_an_empty_file(void)
{
    fresh_path();
    anbud_err err;
    store *s;
    CHECK_INT(store_open(path, &s, &err), 0);
    CHECK_INT(store_version(s), STORE_SCHEMA_VERSION);
    store_close(s);
    CHECK_INT(scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('processes','events',"
                     "'verdicts','rechecks','forced_moves')"), 5);
}

static void migrates_from_the_previous_version_keeping_data(void)
{
    fresh_path();
    anbud_err err;
    store *s;
    CHECK_INT(store_open_at(path, 1, &s, &err), 0);
    CHECK_INT(store_version(s), 1);
    json_t *old = json_pack("{s:s}", "ocid", "ocds-old");
    int rc = store_save_process(s, "ocds-old", old, STAGE_PLANNING, 19000, "demo", &err);
    json_decref(old);
    CHECK_INT(rc, 0);
    store_close(s);
    CHECK_INT(scalar("SELECT count(*) FROM sqlite_master WHERE name = 'rechecks'"), 0);
    CHECK_INT(store_open(path, &s, &err), 0);
    CHECK_INT(store_version(s), STORE_SCHEMA_VERSION);
    store_close(s);
    CHECK_INT(scalar("SELECT count(*) FROM processes WHERE ocid = 'ocds-old'"), 1);
    CHECK_INT(scalar("SELECT count(*) FROM sqlite_master WHERE name = 'rechecks'"), 1);
}

static void refuses_a_newer_schema_and_a_non_database(void)
{
    fresh_path();
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("this is not a database, but it is long enough to look like a file header", f);
    fclose(f);
    anbud_err err;
    store *s = NULL;
    CHECK_INT(store_open(path, &s, &err), ANBUD_EINPUT);
    CHECK(strstr(err.msg, path) != NULL);
    fresh_path();
    CHECK_INT(scalar("PRAGMA user_version = 7"), -1);
    CHECK_INT(store_open(path, &s, &err), ANBUD_EINPUT);
    CHECK(strstr(err.msg, "newer") != NULL);
}

/* Every verdict's columns with its source text, in order, as one text. */
#define VERDICT_ROWS(source)                                                                 \
    "SELECT group_concat(x, char(10)) FROM (SELECT json_array(v.id, v.event_id, v.ocid, "     \
    "v.rule, v.ruleset, v.ruleset_version, v.stage, v.outcome, v.severity, v.gate, "          \
    "v.message, " source ", v.evidence, v.evaluated_at) AS x FROM verdicts v ORDER BY v.id)"

static void migration_5_keeps_each_source_once(void)
{
    fresh_path();
    anbud_err err;
    store *s;
    CHECK_INT(store_open_at(path, 4, &s, &err), 0);
    store_close(s);
    import_stats st;
    /* at version 4 every verdict holds its rule's text */
    engine *e = open_engine();
    ocds_batch b = {0};
    CHECK_INT(store_open_at(path, 4, &s, &err), 0);
    CHECK_INT(ocds_read(&b, "input", PROCESS, strlen(PROCESS), &err), 0);
    CHECK_INT(e ? lifecycle_import(s, e, &b, NULL, 0, &st, &err) : -1, 0);
    ocds_batch_free(&b);
    engine_free(e);
    store_close(s);
    long long verdicts = scalar("SELECT count(*) FROM verdicts");
    long long distinct = scalar("SELECT count(DISTINCT source) FROM verdicts");
    CHECK(verdicts > distinct && distinct > 0);
    char *before = text_of(VERDICT_ROWS("v.source"));
    CHECK_INT(store_open(path, &s, &err), 0);
    CHECK_INT(store_version(s), STORE_SCHEMA_VERSION);
    json_t *shown = store_show(s, "ocds-s1", &err);
    store_close(s);
    char *after = text_of(VERDICT_ROWS("(SELECT r.text FROM rule_sources r WHERE r.id = "
                                       "v.source_id)"));
    CHECK(strlen(before) > 0);
    CHECK_STR(after, before);
    CHECK_INT(scalar("SELECT count(*) FROM rule_sources"), distinct);
    CHECK_INT(scalar("SELECT count(*) FROM pragma_table_info('verdicts') WHERE name = 'source'"),
              0);
    CHECK_INT(scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('verdicts_ocid', "
                     "'verdicts_event')"), 2);
    CHECK_INT(scalar("SELECT count(*) FROM pragma_foreign_key_check"), 0);
    /* show reads the text through the reference */
    json_t *results = json_object_get(json_array_get(json_object_get(shown, "processes"), 0),
                                      "results");
    CHECK(json_array_size(results) > 0);
    const char *first = json_string_value(json_object_get(json_array_get(results, 0), "source"));
    CHECK(first && first[0] && strstr(before, first + 1) != NULL);
    json_decref(shown);
    free(before);
    free(after);
}

static void a_source_is_stored_once(void)
{
    fresh_path();
    import_stats st;
    CHECK_INT(import_text(PROCESS, &st), 0);
    long long sources = scalar("SELECT count(*) FROM rule_sources");
    CHECK(sources > 0);
    CHECK(scalar("SELECT count(*) FROM verdicts") > sources);
    CHECK_INT(scalar("SELECT count(DISTINCT source_id) FROM verdicts"), sources);
    CHECK_INT(scalar("SELECT count(DISTINCT text) FROM rule_sources"), sources);
    /* another process checked by the same rules adds verdicts, no source */
    char *other = xstrdup(PROCESS);
    for (char *p = strstr(other, "ocds-s1"); p; p = strstr(p, "ocds-s1"))
        p[6] = '2';
    CHECK_INT(import_text(other, &st), 0);
    free(other);
    CHECK_INT(scalar("SELECT count(DISTINCT ocid) FROM verdicts"), 2);
    CHECK_INT(scalar("SELECT count(*) FROM rule_sources"), sources);
}

/* A verdict of rule id whose source is text. */
static verdict hand_verdict(char *id, char *text)
{
    return (verdict){id, STAGE_PLANNING, OUTCOME_PASS, SEVERITY_INFO, 0, "ok", text, NULL,
                     -1};
}

static void a_rollback_forgets_the_source_ids(void)
{
    fresh_path();
    anbud_err err;
    store *s;
    CHECK_INT(store_open(path, &s, &err), 0);
    json_t *p = json_pack("{s:s}", "ocid", "ocds-r");
    verdict v[2] = {hand_verdict("r.a", "Source A"), hand_verdict("r.b", "Source B")};
    verdict_list l = {v, 2, 2};
    for (int round = 0; round < 2; round++) {
        int64_t id = 0;
        int rc = store_begin(s, &err);
        if (!rc)
            rc = store_save_process(s, "ocds-r", p, STAGE_PLANNING, 19000, "demo", &err);
        if (!rc)
            rc = store_add_event(s, "ocds-r", "release", "a", "2024-01-01", STAGE_PLANNING, "h",
                                 NULL, &id, &err);
        if (!rc)
            rc = store_add_verdicts(s, id, "ocds-r", "demo", "1", &l, &err);
        CHECK_INT(rc, 0);
        if (round == 0)
            store_rollback(s); /* the ids learnt in it name nothing now */
        else
            CHECK_INT(store_commit(s, &err), 0);
    }
    json_decref(p);
    store_close(s);
    CHECK_INT(scalar("SELECT count(*) FROM rule_sources"), 2);
    CHECK_INT(scalar("SELECT count(*) FROM verdicts v JOIN rule_sources r ON r.id = v.source_id "
                     "WHERE (v.rule = 'r.a' AND r.text = 'Source A') OR "
                     "(v.rule = 'r.b' AND r.text = 'Source B')"), 2);
}

static void import_is_idempotent(void)
{
    fresh_path();
    import_stats st;
    CHECK_INT(import_text(PROCESS, &st), 0);
    CHECK_INT(st.stored, 2);
    long long verdicts = scalar("SELECT count(*) FROM verdicts");
    CHECK(verdicts > 0);
    CHECK_INT(import_text(PROCESS, &st), 0);
    CHECK_INT(st.stored, 0);
    CHECK_INT(st.duplicates, 2);
    CHECK_INT(scalar("SELECT count(*) FROM events"), 2);
    CHECK_INT(scalar("SELECT count(*) FROM verdicts"), verdicts);
    CHECK_INT(scalar("SELECT count(*) FROM events WHERE evaluated_at IS NULL"), 0);
}

static void process_columns_are_derived(void)
{
    fresh_path();
    import_stats st;
    CHECK_INT(import_text(PROCESS, &st), 0);
    CHECK_INT(scalar("SELECT count(*) FROM processes WHERE ocid = 'ocds-s1' AND stage = 'tender' "
                     "AND municipality = '4631' AND value = 500 AND buyer_key = "
                     "'NO-BRC:920290922' AND relevant_date = '2024-01-01' AND title = 'Ved'"),
              1);
    CHECK_INT(scalar("SELECT count(*) FROM process_cpv WHERE ocid = 'ocds-s1' AND "
                     "cpv_group = '034'"), 1);
}

static void a_bad_release_rolls_back_the_whole_input(void)
{
    fresh_path();
    import_stats st;
    CHECK_INT(import_text(PROCESS, &st), 0);
    const char *bad = "{\"releases\":[{\"ocid\":\"ocds-s2\",\"id\":\"x\",\"date\":\"2024-01-01\","
                      BUYER "\"tag\":[\"planning\"]},{\"ocid\":\"ocds-s1\",\"id\":\"c\",\"date\":"
                      "\"2024-03-01\",\"tag\":[\"planning\"]}]}";
    CHECK_INT(import_text(bad, &st), ANBUD_EINPUT);
    CHECK_INT(scalar("SELECT count(*) FROM processes"), 1);
    CHECK_INT(scalar("SELECT count(*) FROM events"), 2);
    const char *older = "{\"ocid\":\"ocds-s1\",\"id\":\"d\",\"date\":\"2023-12-01\","
                        "\"tag\":[\"tender\"]}";
    CHECK_INT(import_text(older, &st), ANBUD_EINPUT);
    CHECK_INT(scalar("SELECT count(*) FROM events"), 2);
}

static void the_store_answers_others(void)
{
    fresh_path();
    import_stats st;
    CHECK_INT(import_text(PROCESS, &st), 0);
    const char *second = "{\"ocid\":\"ocds-s3\",\"id\":\"z\",\"date\":\"2024-04-01\","
                         "\"tag\":[\"planning\"],\"buyer\":{\"id\":\"b\"},\"parties\":[{\"id\":"
                         "\"b\",\"identifier\":{\"scheme\":\"NO-BRC\",\"id\":\"920290922\"},"
                         "\"details\":{\"municipalityCode\":\"4631\"}}]}";
    CHECK_INT(import_text(second, &st), 0);
    /* demo.others reports the other processes of the same buyer it saw */
    sqlite3 *db;
    sqlite3_stmt *q;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT message FROM verdicts WHERE ocid = 'ocds-s3' AND "
                                     "rule = 'demo.others'", -1, &q, NULL), SQLITE_OK);
    int row = sqlite3_step(q) == SQLITE_ROW;
    char message[200] = "";
    if (row)
        snprintf(message, sizeof message, "%s", sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
    CHECK(row);
    CHECK_STR(message, "1 andre: ocds-s1@tender");
}

/* Counts the processes the engine's view hands out, and remembers the last stage. */
static int count_each(void *arg, const engine_process *p)
{
    int *n = arg;
    (*n)++;
    n[1] = p->stage;
    return 0;
}

static int others_in(store *s, const char *municipality)
{
    engine_store v = store_engine_view(s);
    engine_query q = {.municipality = municipality};
    int n[2] = {0, 0};
    return v.each_process(v.ctx, &q, count_each, n) ? -1 : n[0];
}

/* The view p:others() reads keeps parsed processes, yet follows every write: this
 * connection's, another connection's commit, and forgets what a rollback undid. */
static void the_view_follows_writes(void)
{
    fresh_path();
    import_stats st;
    anbud_err err;
    store *s = NULL;
    CHECK_INT(import_text(PROCESS, &st), 0);
    CHECK_INT(store_open(path, &s, &err), 0);
    CHECK_INT(others_in(s, "4631"), 1);
    CHECK_INT(others_in(s, "4601"), 0);
    /* another connection adds a process of the same municipality */
    const char *second = "{\"ocid\":\"ocds-s4\",\"id\":\"z\",\"date\":\"2024-04-01\","
                         "\"tag\":[\"planning\"]," BUYER "\"tender\":{\"id\":\"t\"}}";
    CHECK_INT(import_text(second, &st), 0);
    CHECK_INT(others_in(s, "4631"), 2);
    /* this connection moves a process on: the view hands out the new stage */
    stored_process sp;
    CHECK_INT(store_load_process(s, "ocds-s4", &sp, &err), 0);
    CHECK_INT(store_begin(s, &err), 0);
    CHECK_INT(store_save_process(s, "ocds-s4", sp.compiled, STAGE_AWARD, sp.first_days,
                                 sp.ruleset, &err), 0);
    engine_store v = store_engine_view(s);
    engine_query q = {.municipality = "4631", .except_ocid = "ocds-s1"};
    int n[2] = {0, 0};
    CHECK_INT(v.each_process(v.ctx, &q, count_each, n), 0);
    CHECK_INT(n[0], 1);
    CHECK_INT(n[1], STAGE_AWARD);
    /* rolled back: the stored stage again */
    store_rollback(s);
    n[0] = n[1] = 0;
    CHECK_INT(v.each_process(v.ctx, &q, count_each, n), 0);
    CHECK_INT(n[1], STAGE_PLANNING);
    json_decref(sp.compiled);
    store_close(s);
}

/* How many processes of 4631 the view hands out for q's narrower filters. */
static int narrowed_in(store *s, engine_query q)
{
    engine_store v = store_engine_view(s);
    q.municipality = "4631";
    q.from_days = INT64_MIN;
    q.to_days = INT64_MAX;
    int n[2] = {0, 0};
    return v.each_process(v.ctx, &q, count_each, n) ? -1 : n[0];
}

/* The view applies p:others()'s narrower filters: CPV groups, stages, framework, first day. */
static void the_view_applies_the_narrower_filters(void)
{
    fresh_path();
    import_stats st;
    anbud_err err;
    store *s = NULL;
    CHECK_INT(import_text(PROCESS, &st), 0); /* ocds-s1: tender, CPV group 034, 2024-01-01 */
    const char *second = "{\"ocid\":\"ocds-s4\",\"id\":\"z\",\"date\":\"2024-04-01\","
                         "\"tag\":[\"planning\"]," BUYER "\"tender\":{\"id\":\"t\","
                         "\"techniques\":{\"hasFrameworkAgreement\":true}}}";
    CHECK_INT(import_text(second, &st), 0);
    CHECK_INT(store_open(path, &s, &err), 0);
    const char groups[2][4] = {"301", "034"};
    CHECK_INT(narrowed_in(s, (engine_query){.has_cpv_groups = 1, .cpv_groups = groups,
                                            .n_cpv_groups = 2}), 1);
    CHECK_INT(narrowed_in(s, (engine_query){.has_cpv_groups = 1, .cpv_groups = groups,
                                            .n_cpv_groups = 1}), 0);
    CHECK_INT(narrowed_in(s, (engine_query){.stages = 1u << STAGE_PLANNING}), 1);
    CHECK_INT(narrowed_in(s, (engine_query){.stages = 1u << STAGE_AWARD}), 0);
    CHECK_INT(narrowed_in(s, (engine_query){.framework = 1}), 1);
    CHECK_INT(narrowed_in(s, (engine_query){.framework = -1}), 1);
    int64_t day;
    CHECK_INT(date_parse("2024-02-01", &day, NULL), 0);
    CHECK_INT(narrowed_in(s, (engine_query){.has_first = 1, .first_from = day,
                                            .first_to = INT64_MAX}), 1);
    CHECK_INT(narrowed_in(s, (engine_query){.has_first = 1, .first_from = INT64_MIN,
                                            .first_to = day}), 1);
    CHECK_INT(narrowed_in(s, (engine_query){.has_first = 1, .first_from = day, .first_to = day}),
              0);
    store_close(s);
}

/* Appends the ocid of each process handed out, comma-separated. */
static int list_each(void *arg, const engine_process *p)
{
    sbuf *b = arg;
    return sbuf_printf(b, "%s,", p->ocid) ? ANBUD_EINTERNAL : 0;
}

/* Keeps the processes handed out that match the narrower filters of q (checked here). */
typedef struct filtered {
    sbuf *b;
    const engine_query *q;
} filtered;

static int filter_each(void *arg, const engine_process *p)
{
    filtered *f = arg;
    if (!bind_query_matches(f->q, p, ocds_relevant_days(p->compiled, p->first_days)))
        return 0;
    return list_each(f->b, p);
}

/* Asks the view for q, and for every process of the group filtered here: the same answer
 * (copied to out). */
static int cpv_query_agrees(store *s, const engine_query *q, char *out, size_t n)
{
    engine_store v = store_engine_view(s);
    sbuf got = {0}, want = {0};
    engine_query all = *q;
    all.cpv_group = NULL;
    all.has_days = 0;
    filtered f = {&want, q};
    int rc = v.each_process(v.ctx, q, list_each, &got);
    if (!rc)
        rc = v.each_process(v.ctx, &all, filter_each, &f);
    const char *a = got.data ? got.data : "", *b = want.data ? want.data : "";
    snprintf(out, n, "%s", a);
    int same = rc == 0 && strcmp(a, b) == 0;
    sbuf_free(&got);
    sbuf_free(&want);
    return same;
}

/* A buyer with more processes than VIEW_INDEX_MIN: queries naming a CPV group are answered
 * from the index, in ocid order, and follow a process saved with another group. */
/* A fresh store of 90 processes of one buyer in 4631: ocds-cNN (NN = 89 - i) in CPV group
 * 452, 301 or 45 as i % 3 is 0, 1, 2, first (and relevant) day 2024-(1 + i % 12)-(1 + i % 28);
 * every fifth (i % 5 == 0) a framework agreement, every seventh (i % 7 == 0) still in
 * planning, the others in tender. */
static void import_portfolio_at(int version)
{
    fresh_path();
    sbuf text = {0};
    for (int i = 0; i < 90; i++) {
        CHECK_INT(sbuf_printf(&text,
                              "{\"ocid\":\"ocds-c%02d\",\"id\":\"a\",\"date\":\"2024-%02d-%02dT00:00:00Z\","
                              "\"tag\":[\"planning\"]," BUYER "\"tender\":{\"id\":\"t\",\"items\":[{\"id\":\"1\","
                              "\"classification\":{\"scheme\":\"CPV\",\"id\":\"%s\"}}]%s}}\n",
                              89 - i, 1 + i % 12, 1 + i % 28,
                              i % 3 == 0 ? "45210000" : i % 3 == 1 ? "30192000" : "45",
                              i % 5 == 0 ? ",\"techniques\":{\"hasFrameworkAgreement\":true}" : ""), 0);
        if (i % 7)
            CHECK_INT(sbuf_printf(&text,
                                  "{\"ocid\":\"ocds-c%02d\",\"id\":\"b\",\"date\":\"2024-%02d-%02dT01:00:00Z\","
                                  "\"tag\":[\"tender\"],\"tender\":{\"id\":\"t\",\"status\":\"active\"}}\n",
                                  89 - i, 1 + i % 12, 1 + i % 28), 0);
    }
    import_stats st;
    CHECK_INT(import_text_at(text.data, version, &st), 0);
    sbuf_free(&text);
}

static void import_portfolio(void)
{
    import_portfolio_at(0);
}

/* Before a process's rules run (outside their budgets), the engine has the view read the
 * buyer's processes: here no rule of the set asks p:others(), yet all 90 are held after
 * one evaluation, so the first rule that asks is not charged for reading them. */
static void the_view_reads_the_buyer_before_the_rules(void)
{
    fresh_path();
    sbuf text = {0};
    for (int i = 0; i < 90; i++)
        CHECK_INT(sbuf_printf(&text,
                              "{\"ocid\":\"ocds-c%02d\",\"id\":\"a\",\"date\":\"2024-01-%02d\","
                              "\"tag\":[\"planning\"],\"buyer\":{\"id\":\"b\",\"name\":"
                              "\"Alver kommune\"},\"parties\":[{\"id\":\"b\",\"details\":"
                              "{\"municipalityCode\":\"4631\"}}],\"tender\":{\"id\":\"t\"}}\n",
                              i, 1 + i % 28), 0);
    import_stats st;
    CHECK_INT(import_text(text.data, &st), 0);
    sbuf_free(&text);
    anbud_err err;
    store *s = NULL;
    engine *e = open_engine();
    CHECK(e != NULL);
    CHECK_INT(store_open(path, &s, &err), 0);
    stored_process sp;
    CHECK_INT(store_load_process(s, "ocds-c02", &sp, &err), 0);
    CHECK_INT((int)store_view_held(s), 0);
    engine_store v = store_engine_view(s);
    engine_process p = {"ocds-c02", sp.compiled, sp.stage, sp.first_days};
    verdict_list out = {0};
    const ruleset *base = e ? engine_ruleset_by_id(e, "base") : NULL;
    CHECK(base != NULL);
    if (base)
        CHECK_INT(engine_evaluate(e, base, &p, sp.stage, 0, &v, &out, &err), 0);
    CHECK(out.n > 0);
    CHECK_INT((int)store_view_held(s), 90);
    verdict_list_free(&out);
    json_decref(sp.compiled);
    store_close(s);
    engine_free(e);
}

/* The file's journal mode, read on a connection of its own. */
static void journal_mode_of(char *out, size_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    out[0] = 0;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* An import's one large transaction goes through a rollback journal when no other
 * connection has the file open, and the file is back in WAL afterwards; with another
 * connection open it stays in WAL. */
static void a_bulk_write_leaves_wal_only_alone(void)
{
    fresh_path();
    anbud_err err;
    store *s = NULL, *other = NULL;
    char mode[16];
    CHECK_INT(store_open(path, &s, &err), 0);
    CHECK_INT(store_open(path, &other, &err), 0);
    CHECK_INT(store_bulk(s, 1), 0); /* another connection: stays in WAL */
    store_close(other);
    CHECK_INT(store_bulk(s, 1), 1);
    CHECK_INT(store_begin(s, &err), 0);
    CHECK_INT(store_bulk(s, 1), 0); /* already on */
    CHECK_INT(store_commit(s, &err), 0);
    CHECK_INT(store_bulk(s, 0), 0);
    journal_mode_of(mode, sizeof mode);
    CHECK_STR(mode, "wal");
    CHECK_INT(store_bulk(s, 1), 1);
    store_close(s); /* switches back too */
    journal_mode_of(mode, sizeof mode);
    CHECK_STR(mode, "wal");
}

static void the_view_indexes_cpv_groups(void)
{
    import_portfolio();
    anbud_err err;
    store *s = NULL;
    CHECK_INT(store_open(path, &s, &err), 0);
    char got[2048];
    int64_t from, to;
    CHECK_INT(date_parse("2024-03-01", &from, NULL), 0);
    CHECK_INT(date_parse("2024-04-30", &to, NULL), 0);
    engine_query q = {.municipality = "4631", .cpv_group = "452", .has_days = 1,
                      .from_days = from, .to_days = to, .except_ocid = "ocds-c00"};
    CHECK(cpv_query_agrees(s, &q, got, sizeof got));
    /* i % 3 == 0 and month 3 or 4: i in {3, 15, 27, 39, 51, 63, 75, 87}... minus by month */
    CHECK_STR(got, "ocds-c02,ocds-c14,ocds-c26,ocds-c38,ocds-c50,ocds-c62,ocds-c74,ocds-c86,");
    q.cpv_group = "45";
    q.has_days = 0;
    CHECK(cpv_query_agrees(s, &q, got, sizeof got));
    CHECK_INT((int)strlen(got), 29 * 9); /* 30 in group 45, less ocds-c00 */
    q.cpv_group = "4521";
    CHECK(cpv_query_agrees(s, &q, got, sizeof got));
    CHECK_STR(got, "");
    const char groups[2][4] = {"301", "452"};
    q.cpv_group = NULL;
    q.has_cpv_groups = 1;
    q.cpv_groups = groups;
    q.n_cpv_groups = 2;
    CHECK(cpv_query_agrees(s, &q, got, sizeof got));
    CHECK_INT((int)strlen(got), 60 * 9);
    CHECK(strncmp(got, "ocds-c01,ocds-c02,ocds-c04,", 27) == 0);
    q.has_cpv_groups = 0;
    /* a process saved with another CPV group moves in the index */
    stored_process sp;
    CHECK_INT(store_load_process(s, "ocds-c02", &sp, &err), 0);
    json_t *id = json_object_get(json_object_get(json_array_get(json_object_get(
        json_object_get(sp.compiled, "tender"), "items"), 0), "classification"), "id");
    CHECK_INT(json_string_set(id, "30192000"), 0);
    CHECK_INT(store_begin(s, &err), 0);
    CHECK_INT(store_save_process(s, "ocds-c02", sp.compiled, sp.stage, sp.first_days,
                                 sp.ruleset, &err), 0);
    q.cpv_group = "301";
    CHECK(cpv_query_agrees(s, &q, got, sizeof got));
    CHECK(strstr(got, "ocds-c02,") != NULL);
    q.cpv_group = "452";
    CHECK(cpv_query_agrees(s, &q, got, sizeof got));
    CHECK(strstr(got, "ocds-c02,") == NULL);
    /* saved twice between two queries, and a new process of the buyer: the index (kept
     * current, not rebuilt) has each once, where it now belongs */
    CHECK_INT(json_string_set(id, "45210000"), 0);
    CHECK_INT(store_save_process(s, "ocds-c02", sp.compiled, sp.stage, sp.first_days,
                                 sp.ruleset, &err), 0);
    CHECK_INT(json_string_set(id, "30192000"), 0);
    CHECK_INT(store_save_process(s, "ocds-c02", sp.compiled, sp.stage, sp.first_days,
                                 sp.ruleset, &err), 0);
    json_t *fresh = json_deep_copy(sp.compiled);
    CHECK(fresh != NULL);
    CHECK_INT(json_object_set_new(fresh, "ocid", json_string("ocds-c99")), 0);
    CHECK_INT(store_save_process(s, "ocds-c99", fresh, sp.stage, sp.first_days, sp.ruleset,
                                 &err), 0);
    q.cpv_group = "301";
    CHECK(cpv_query_agrees(s, &q, got, sizeof got));
    CHECK(strstr(got, "ocds-c02,") != NULL && strstr(strstr(got, "ocds-c02,") + 1, "ocds-c02,") == NULL);
    CHECK(strstr(got, "ocds-c99,") != NULL);
    q.cpv_group = "452";
    CHECK(cpv_query_agrees(s, &q, got, sizeof got));
    CHECK(strstr(got, "ocds-c02,") == NULL && strstr(got, "ocds-c99,") == NULL);
    json_decref(fresh);
    store_rollback(s);
    CHECK(cpv_query_agrees(s, &q, got, sizeof got));
    CHECK(strstr(got, "ocds-c02,") != NULL);
    q.cpv_group = "301";
    CHECK(cpv_query_agrees(s, &q, got, sizeof got));
    CHECK(strstr(got, "ocds-c02,") == NULL);
    json_decref(sp.compiled);
    store_close(s);
}

/* Appends what a process handed out is, read from its compiled release (so a tree of
 * another process would show): "ocid/stage/cpv,"; "!" when its release is not its own. The
 * tree is held (a reference, as a rule holds it) until the caller drops `held`. */
typedef struct recorded {
    sbuf b;
    json_t *held; /* array of the trees handed out */
} recorded;

static int record_each(void *arg, const engine_process *p)
{
    recorded *r = arg;
    const char *ocid = json_string_value(json_object_get(p->compiled, "ocid"));
    const char *cpv = json_string_value(json_object_get(json_object_get(json_array_get(
        json_object_get(json_object_get(p->compiled, "tender"), "items"), 0), "classification"),
        "id"));
    if (json_array_append(r->held, (json_t *)p->compiled))
        return ANBUD_EINTERNAL;
    return sbuf_printf(&r->b, "%s%s/%s/%s,", ocid && strcmp(ocid, p->ocid) == 0 ? "" : "!",
                       p->ocid, ocds_stage_name(p->stage), cpv ? cpv : "-")
               ? ANBUD_EINTERNAL
               : 0;
}

/* The answer of s's view to q, as record_each writes it; the trees it handed out still read
 * as their processes after the walk (copied to out). */
static int answer(store *s, const engine_query *q, char *out, size_t n)
{
    engine_store v = store_engine_view(s);
    recorded r = {{0}, json_array()};
    int rc = r.held ? v.each_process(v.ctx, q, record_each, &r) : ANBUD_EINTERNAL;
    size_t i;
    json_t *t;
    json_array_foreach(r.held, i, t)
    {
        if (!json_is_string(json_object_get(t, "ocid")))
            rc = ANBUD_EINTERNAL;
    }
    snprintf(out, n, "%s", rc ? "(failed)" : r.b.data ? r.b.data : "");
    json_decref(r.held);
    sbuf_free(&r.b);
    return rc;
}

/* Schema 6 keeps what the view filters on in the summary column; a row written before it
 * has none and is parsed instead. The same portfolio, stored at schema 5 and migrated (no
 * summaries) and stored at schema 6 (summaries), gets the same answers. */
static void the_view_reads_summaries_and_parses_rows_without(void)
{
    anbud_err err;
    store *s = NULL;
    char want[8][2048], got[2048];
    int64_t from, to;
    CHECK_INT(date_parse("2024-03-01", &from, NULL), 0);
    CHECK_INT(date_parse("2024-06-30", &to, NULL), 0);
    const char groups[2][4] = {"301", "452"};
    engine_query qs[] = {
        {.municipality = "4631", .from_days = INT64_MIN, .to_days = INT64_MAX},
        {.municipality = "4631", .cpv_group = "452", .has_days = 1, .from_days = from,
         .to_days = to},
        {.municipality = "4631", .has_cpv_groups = 1, .cpv_groups = groups, .n_cpv_groups = 2,
         .framework = 1, .from_days = INT64_MIN, .to_days = INT64_MAX},
        {.municipality = "4631", .cpv_group = "45", .framework = -1, .from_days = INT64_MIN,
         .to_days = INT64_MAX},
        {.municipality = "4631", .stages = 1u << STAGE_TENDER, .has_days = 1, .from_days = from,
         .to_days = INT64_MAX},
    };
    size_t n_qs = sizeof qs / sizeof qs[0];
    for (int round = 0; round < 2; round++) {
        import_portfolio_at(round == 0 ? 6 : 5);
        /* at schema 5 there is no such column (scalar gives -1) */
        CHECK_INT(scalar("SELECT count(*) FROM processes WHERE summary IS NULL"),
                  round == 0 ? 0 : -1);
        CHECK_INT(store_open(path, &s, &err), 0);
        CHECK_INT(scalar("SELECT count(*) FROM processes WHERE summary IS NULL"),
                  round == 0 ? 0 : 90);
        for (size_t i = 0; i < n_qs; i++) {
            CHECK_INT(answer(s, &qs[i], round == 0 ? want[i] : got, sizeof got), 0);
            if (round == 1)
                CHECK_STR(got, want[i]);
        }
        CHECK(strlen(want[1]) > 0 && strlen(want[2]) > 0);
        store_close(s);
    }
}

/* A view allowed to hold almost nothing (5 summaries, 2 parsed trees: it forgets between
 * and during queries) answers every query as one that holds all: the same processes, each
 * with its own release, in the same order; also after writes of its own connection. */
static void the_view_answers_the_same_when_it_forgets(void)
{
    import_portfolio();
    anbud_err err;
    store *all = NULL, *small = NULL;
    CHECK_INT(store_open(path, &all, &err), 0);
    CHECK_INT(store_open(path, &small, &err), 0);
    store_view_limits(small, 5, 2);
    stored_process sp;
    CHECK_INT(store_load_process(all, "ocds-c02", &sp, &err), 0);
    char key[256];
    ocds_buyer_key(sp.compiled, key, sizeof key);
    int64_t from, to, first;
    CHECK_INT(date_parse("2024-03-01", &from, NULL), 0);
    CHECK_INT(date_parse("2024-06-30", &to, NULL), 0);
    CHECK_INT(date_parse("2024-05-01", &first, NULL), 0);
    const char groups[2][4] = {"301", "452"};
    engine_query qs[] = {
        {.municipality = "4631"},
        {.buyer_key = key, .except_ocid = "ocds-c10"},
        {.buyer_key = key, .municipality = "4631", .cpv_group = "452", .has_days = 1,
         .from_days = from, .to_days = to},
        {.municipality = "4631", .has_cpv_groups = 1, .cpv_groups = groups, .n_cpv_groups = 2,
         .framework = 1},
        {.buyer_key = key, .stages = 1u << STAGE_PLANNING, .has_first = 1,
         .first_from = first, .first_to = INT64_MAX},
        {.buyer_key = key, .cpv_group = "45", .framework = -1},
    };
    size_t n_qs = sizeof qs / sizeof qs[0];
    char want[4096], got[4096];
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < n_qs; i++) {
            if (!qs[i].has_days) {
                qs[i].from_days = INT64_MIN;
                qs[i].to_days = INT64_MAX;
            }
            if (!qs[i].has_first) {
                qs[i].first_from = INT64_MIN;
                qs[i].first_to = INT64_MAX;
            }
            CHECK_INT(answer(all, &qs[i], want, sizeof want), 0);
            CHECK_INT(answer(small, &qs[i], got, sizeof got), 0);
            CHECK_STR(got, want);
            CHECK(strchr(got, '!') == NULL);
        }
    /* the answers are not empty, and hold what the filters say */
    CHECK_INT(answer(small, &qs[0], got, sizeof got), 0);
    CHECK_INT((int)strlen(got), 90 * (int)strlen("ocds-c00/tender/45210000,") + 13 * 2 - 30 * 6);
    CHECK_INT(answer(small, &qs[2], got, sizeof got), 0);
    /* group 452 is i % 3 == 0, months 3 to 6 only i % 12 == 3; i = 63 is in planning */
    CHECK_STR(got, "ocds-c02/tender/45210000,ocds-c14/tender/45210000,ocds-c26/planning/45210000,"
                   "ocds-c38/tender/45210000,ocds-c50/tender/45210000,ocds-c62/tender/45210000,"
                   "ocds-c74/tender/45210000,ocds-c86/tender/45210000,");
    /* its own writes: a process saved with another group and stage, and a new one */
    CHECK_INT(store_begin(small, &err), 0);
    json_t *id = json_object_get(json_object_get(json_array_get(json_object_get(
        json_object_get(sp.compiled, "tender"), "items"), 0), "classification"), "id");
    CHECK_INT(json_string_set(id, "30192000"), 0);
    CHECK_INT(store_save_process(small, "ocds-c02", sp.compiled, STAGE_AWARD, sp.first_days,
                                 sp.ruleset, &err), 0);
    json_t *fresh = json_deep_copy(sp.compiled);
    CHECK(fresh != NULL);
    CHECK_INT(json_object_set_new(fresh, "ocid", json_string("ocds-c99")), 0);
    CHECK_INT(store_save_process(small, "ocds-c99", fresh, STAGE_PLANNING, sp.first_days,
                                 sp.ruleset, &err), 0);
    engine_query q = {.municipality = "4631", .cpv_group = "301", .from_days = INT64_MIN,
                      .to_days = INT64_MAX, .first_from = INT64_MIN, .first_to = INT64_MAX};
    CHECK_INT(answer(small, &q, got, sizeof got), 0);
    CHECK(strstr(got, "ocds-c02/award/30192000,") != NULL);
    CHECK(strstr(got, "ocds-c99/planning/30192000,") != NULL);
    CHECK(strchr(got, '!') == NULL);
    q.cpv_group = "452";
    CHECK_INT(answer(small, &q, got, sizeof got), 0);
    CHECK(strstr(got, "ocds-c02/") == NULL && strstr(got, "ocds-c99/") == NULL);
    store_rollback(small);
    q.cpv_group = "301";
    CHECK_INT(answer(small, &q, got, sizeof got), 0);
    CHECK(strstr(got, "ocds-c02/") == NULL && strstr(got, "ocds-c99/") == NULL);
    json_decref(fresh);
    json_decref(sp.compiled);
    store_close(small);
    store_close(all);
}

static void advance_refuses_a_failing_gate_and_records_a_forced_move(void)
{
    fresh_path();
    import_stats st;
    const char *planning = "{\"ocid\":\"ocds-g\",\"id\":\"a\",\"date\":\"2024-01-01\","
                           BUYER "\"tag\":[\"planning\"],\"tender\":{\"id\":\"t\",\"value\":"
                           "{\"amount\":5,\"currency\":\"NOK\"}}}";
    CHECK_INT(import_text(planning, &st), 0);
    anbud_err err;
    store *s;
    engine *e = open_engine();
    CHECK(e != NULL);
    CHECK_INT(store_open(path, &s, &err), 0);
    advance_request req = {"ocds-g", STAGE_TENDER, NULL, NULL, "test", 0};
    verdict_list refusals = {0};
    long long events = scalar("SELECT count(*) FROM events");
    CHECK_INT(lifecycle_advance(s, e, &req, &refusals, &err), 1);
    CHECK_INT(refusals.n, 1);
    CHECK_STR(refusals.items[0].rule, "demo.assessed");
    CHECK_INT(scalar("SELECT count(*) FROM events"), events);
    CHECK_INT(scalar("SELECT count(*) FROM processes WHERE stage = 'planning'"), 1);
    verdict_list_free(&refusals);
    req.force_reason = "Behovet er akutt.";
    CHECK_INT(lifecycle_advance(s, e, &req, &refusals, &err), 0);
    verdict_list_free(&refusals);
    req.to = STAGE_PLANNING;
    CHECK_INT(lifecycle_advance(s, e, &req, &refusals, &err), ANBUD_EINPUT);
    verdict_list_free(&refusals);
    store_close(s);
    engine_free(e);
    CHECK_INT(scalar("SELECT count(*) FROM processes WHERE stage = 'tender'"), 1);
    CHECK_INT(scalar("SELECT count(*) FROM forced_moves WHERE reason = 'Behovet er akutt.' AND "
                     "rules = '[\"demo.assessed\"]' AND forced_by = 'test'"), 1);
}

static void teardown(void)
{
    fresh_path();
}

static const test_case tests[] = {
    {"migrates_an_empty_file", migrates_an_empty_file},
    {"migrates_from_the_previous_version_keeping_data",
     migrates_from_the_previous_version_keeping_data},
    {"refuses_a_newer_schema_and_a_non_database", refuses_a_newer_schema_and_a_non_database},
    {"migration_5_keeps_each_source_once", migration_5_keeps_each_source_once},
    {"a_source_is_stored_once", a_source_is_stored_once},
    {"a_rollback_forgets_the_source_ids", a_rollback_forgets_the_source_ids},
    {"import_is_idempotent", import_is_idempotent},
    {"process_columns_are_derived", process_columns_are_derived},
    {"a_bad_release_rolls_back_the_whole_input", a_bad_release_rolls_back_the_whole_input},
    {"the_store_answers_others", the_store_answers_others},
    {"the_view_applies_the_narrower_filters", the_view_applies_the_narrower_filters},
    {"the_view_follows_writes", the_view_follows_writes},
    {"the_view_reads_the_buyer_before_the_rules", the_view_reads_the_buyer_before_the_rules},
    {"a_bulk_write_leaves_wal_only_alone", a_bulk_write_leaves_wal_only_alone},
    {"the_view_indexes_cpv_groups", the_view_indexes_cpv_groups},
    {"the_view_answers_the_same_when_it_forgets", the_view_answers_the_same_when_it_forgets},
    {"the_view_reads_summaries_and_parses_rows_without",
     the_view_reads_summaries_and_parses_rows_without},
    {"advance_refuses_a_failing_gate_and_records_a_forced_move",
     advance_refuses_a_failing_gate_and_records_a_forced_move},
    {"teardown", teardown},
};

TEST_MAIN(tests)
