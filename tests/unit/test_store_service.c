/* Unit tests of what the service adds to store and lifecycle: migration 3, tokens,
 * accepting with an owner check, evaluating once, timed re-checks. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lifecycle.h"
#include "store.h"
#include "test.h"

#define RULES "tests/e2e/rules"

static char path[64];

static void fresh_path(void)
{
    test_db_path(path, "service");
}

/* Runs SQL on its own connection (foreign keys on); returns the integer of the first row's
 * first column, 0 when there is no row, -1 when the SQL fails. */
static long long sql(const char *text)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, text, -1, &st, NULL) == SQLITE_OK) {
        int step = sqlite3_step(st);
        v = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : step == SQLITE_DONE ? 0 : -1;
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

static const char PROCESS[] =
    "{\"releases\":[{\"ocid\":\"ocds-s1\",\"id\":\"a\",\"date\":\"2024-01-01T00:00:00Z\","
    "\"tag\":[\"planning\"],\"buyer\":{\"id\":\"b\",\"name\":\"Alver kommune\"},"
    "\"parties\":[{\"id\":\"b\",\"details\":{\"municipalityCode\":\"4631\"}}],"
    "\"tender\":{\"id\":\"t\",\"title\":\"Ved\",\"value\":{\"amount\":500,\"currency\":\"NOK\"}}},"
    "{\"ocid\":\"ocds-s1\",\"id\":\"b\",\"date\":\"2024-02-01T00:00:00Z\",\"tag\":[\"tender\"],"
    "\"tender\":{\"id\":\"t\",\"status\":\"active\"}}]}";

/* A planning release of ocds-s1 after the tender: a move back. */
static const char BACKWARD[] =
    "{\"ocid\":\"ocds-s1\",\"id\":\"c\",\"date\":\"2024-03-01T00:00:00Z\",\"tag\":[\"planning\"]}";

typedef struct fixture {
    store *s;
    engine *e;
    anbud_err err;
} fixture;

static int open_fixture(fixture *f, int version)
{
    int code;
    memset(f, 0, sizeof *f);
    f->e = engine_new(ANBUD_LUA_DIR, RULES, NULL, &code, &f->err);
    if (!f->e)
        return -1;
    return version ? store_open_at(path, version, &f->s, &f->err)
                   : store_open(path, &f->s, &f->err);
}

static void close_fixture(fixture *f)
{
    store_close(f->s);
    engine_free(f->e);
}

static int import_text(fixture *f, const char *text)
{
    ocds_batch b = {0};
    import_stats st;
    int rc = ocds_read(&b, "input", text, strlen(text), &f->err);
    if (!rc)
        rc = lifecycle_import(f->s, f->e, &b, NULL, date_days_from_civil(2024, 6, 1), &st, &f->err);
    ocds_batch_free(&b);
    return rc;
}

static void migration_3_keeps_events_and_verdicts(void)
{
    fresh_path();
    fixture f;
    CHECK_INT(open_fixture(&f, 2), 0);
    CHECK_INT(import_text(&f, PROCESS), 0);
    close_fixture(&f);
    long long events = sql("SELECT count(*) FROM events");
    long long verdicts = sql("SELECT count(*) FROM verdicts");
    CHECK_INT(events, 2);
    CHECK(verdicts > 0);
    CHECK_INT(sql("SELECT count(*) FROM sqlite_master WHERE name = 'tokens'"), 0);
    CHECK_INT(open_fixture(&f, 0), 0);
    CHECK_INT(store_version(f.s), STORE_SCHEMA_VERSION);
    int64_t id = 0;
    int rc = store_add_event(f.s, "ocds-s1", "recheck", "recheck-tender-2024-06-01", "2024-06-01",
                             STAGE_TENDER, "h", NULL, &id, &f.err);
    close_fixture(&f);
    CHECK_INT(rc, 0);
    CHECK_INT(id, 3);
    CHECK_INT(sql("SELECT count(*) FROM events"), 3);
    CHECK_INT(sql("SELECT count(*) FROM verdicts"), verdicts);
    CHECK_INT(sql("SELECT count(*) FROM verdicts v JOIN events e ON e.id = v.event_id"), verdicts);
    CHECK_INT(sql("SELECT count(*) FROM sqlite_master WHERE name IN ('tokens', "
                  "'events_ocid', 'events_unevaluated')"),
              3);
    CHECK_INT(sql("SELECT count(*) FROM sqlite_temp_master"), 0);
    /* foreign keys still hold, in both directions */
    CHECK_INT(sql("INSERT INTO verdicts (event_id, ocid, rule, ruleset, ruleset_version, stage, "
                  "outcome, severity, message, source_id, evaluated_at) VALUES (99, 'ocds-s1', 'r', "
                  "'s', 'v', 'tender', 'pass', 'info', 'm', "
                  "(SELECT min(id) FROM rule_sources), 't')"),
              -1);
    CHECK_INT(sql("DELETE FROM events WHERE id = 1"), -1);
    CHECK_INT(sql("INSERT INTO events (ocid, kind, release_id, release_date, stage, hash, "
                  "received_at) VALUES ('ocds-s1', 'other', 'x', 'd', 'tender', 'h', 'n')"),
              -1);
    CHECK_INT(sql("SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

static void tokens_are_random_hashed_and_checked(void)
{
    fresh_path();
    fixture f;
    char a[STORE_TOKEN_SIZE], b[STORE_TOKEN_SIZE], code[8];
    CHECK_INT(open_fixture(&f, 0), 0);
    int rc = store_token_create(f.s, "4631", a, &f.err);
    int rc2 = store_token_create(f.s, "4601", b, &f.err);
    close_fixture(&f);
    CHECK_INT(rc, 0);
    CHECK_INT(rc2, 0);
    CHECK_INT(strlen(a), 64);
    CHECK(strspn(a, "0123456789abcdef") == 64);
    CHECK(strcmp(a, b) != 0);
    CHECK_INT(open_fixture(&f, 0), 0);
    int found = store_token_check(f.s, a, code, &f.err);
    char upper[STORE_TOKEN_SIZE];
    for (size_t i = 0; i < sizeof upper; i++)
        upper[i] = (char)(a[i] >= 'a' && a[i] <= 'f' ? a[i] - 'a' + 'A' : a[i]);
    char code2[8];
    int found_upper = store_token_check(f.s, upper, code2, &f.err);
    char wrong[STORE_TOKEN_SIZE];
    memcpy(wrong, a, sizeof wrong);
    wrong[10] = wrong[10] == '0' ? '1' : '0';
    int not_found = store_token_check(f.s, wrong, code2, &f.err);
    int malformed = store_token_check(f.s, "abc", code2, &f.err);
    int bad_code = store_token_create(f.s, "46x1", wrong, &f.err);
    close_fixture(&f);
    CHECK_INT(found, 0);
    CHECK_STR(code, "4631");
    CHECK_INT(found_upper, 0);
    CHECK_INT(not_found, 1);
    CHECK_INT(malformed, 1);
    CHECK_INT(bad_code, ANBUD_EINPUT);
    CHECK_INT(sql("SELECT count(*) FROM tokens"), 2);
    CHECK_INT(sql("UPDATE tokens SET revoked_at = 'now' WHERE municipality = '4631'"), 0);
    CHECK_INT(open_fixture(&f, 0), 0);
    int revoked = store_token_check(f.s, a, code, &f.err);
    close_fixture(&f);
    CHECK_INT(revoked, 1);
}

/* The owner check of the tests: allows kommunenummer `want` only; counts its calls. */
typedef struct owner_probe {
    const char *want;
    int calls[2];
    char seen[2][16];
} owner_probe;

static int only(void *arg, const char *ocid, int merged, const char *municipality, anbud_err *err)
{
    owner_probe *o = arg;
    o->calls[merged ? 1 : 0]++;
    snprintf(o->seen[merged ? 1 : 0], sizeof o->seen[0], "%s", municipality ? municipality : "-");
    if (municipality && strcmp(municipality, o->want) == 0)
        return 0;
    return err_set(err, ANBUD_EINPUT, "%s is not yours", ocid);
}

static int accept_text(fixture *f, const char *text, owner_probe *o, accepted_events *ids)
{
    ocds_batch b = {0};
    import_stats st;
    int rc = ocds_read(&b, "input", text, strlen(text), &f->err);
    if (!rc)
        rc = lifecycle_accept_checked(f->s, f->e, &b, NULL, only, o, ids, &st, &f->err);
    ocds_batch_free(&b);
    return rc;
}

static void accept_checked_asks_whose_it_is_first(void)
{
    fresh_path();
    fixture f;
    accepted_events ids = {0};
    owner_probe bergen = {"4601", {0, 0}, {"", ""}};
    CHECK_INT(open_fixture(&f, 0), 0);
    int refused = accept_text(&f, PROCESS, &bergen, &ids);
    size_t n_refused = ids.n;
    owner_probe alver = {"4631", {0, 0}, {"", ""}};
    int accepted = accept_text(&f, PROCESS, &alver, &ids);
    size_t n_accepted = ids.n;
    owner_probe bergen2 = {"4601", {0, 0}, {"", ""}};
    int foreign = accept_text(&f, BACKWARD, &bergen2, &ids);
    char why[sizeof f.err.msg];
    snprintf(why, sizeof why, "%s", f.err.msg);
    close_fixture(&f);
    free(ids.ids);
    CHECK_INT(refused, 1);
    CHECK_INT(n_refused, 0);
    CHECK_INT(bergen.calls[0], 0); /* a new process: asked once, merged */
    CHECK_STR(bergen.seen[1], "4631");
    CHECK_INT(accepted, 0);
    CHECK_INT(n_accepted, 2);
    /* a stored process of another: refused before the backward move shows */
    CHECK_INT(foreign, 1);
    CHECK_INT(bergen2.calls[0], 1);
    CHECK_STR(bergen2.seen[0], "4631");
    CHECK(strstr(why, "not yours") != NULL);
    CHECK_INT(sql("SELECT count(*) FROM events"), 2);
    CHECK_INT(sql("SELECT count(*) FROM events WHERE evaluated_at IS NULL"), 2);
}

/* In a transaction of the caller (the service's loop), an input is a savepoint: a refused
 * one leaves what came before it, and nothing is stored until the caller commits. */
static void accept_in_an_open_transaction_is_a_savepoint(void)
{
    fresh_path();
    fixture f;
    accepted_events ids = {0};
    owner_probe alver = {"4631", {0, 0}, {"", ""}};
    owner_probe bergen = {"4601", {0, 0}, {"", ""}};
    CHECK_INT(open_fixture(&f, 0), 0);
    int rc = store_begin(f.s, &f.err);
    int accepted = rc ? -1 : accept_text(&f, PROCESS, &alver, &ids);
    size_t n_accepted = ids.n;
    int refused = accept_text(&f, BACKWARD, &bergen, &ids);
    int still_open = store_in_transaction(f.s);
    long long before_commit = sql("SELECT count(*) FROM events");
    int committed = store_commit(f.s, &f.err);
    close_fixture(&f);
    free(ids.ids);
    CHECK_INT(rc, 0);
    CHECK_INT(accepted, 0);
    CHECK_INT(n_accepted, 2);
    CHECK_INT(refused, 1);
    CHECK_INT(still_open, 1);
    CHECK_INT(before_commit, 0); /* another connection sees nothing yet */
    CHECK_INT(committed, 0);
    CHECK_INT(sql("SELECT count(*) FROM events"), 2);
    CHECK_INT(sql("SELECT count(*) FROM events WHERE release_id = 'c'"), 0);
}

/* A newer release of ocds-s1 (the tender amended): the stored process merged with it. */
static const char AMENDED[] =
    "{\"ocid\":\"ocds-s1\",\"id\":\"d\",\"date\":\"2024-04-01T00:00:00Z\","
    "\"tag\":[\"tenderAmendment\"],\"tender\":{\"id\":\"t\",\"title\":\"Ved og flis\"}}";

/* Verdicts as text (rule, outcome, message, evidence), to compare two evaluations. */
static void verdicts_text(const verdict_list *l, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = 0;
    for (size_t i = 0; i < l->n && o < cap; i++) {
        const char *ev = l->items[i].evidence;
        int n = snprintf(out + o, cap - o, "%s %s %s %s\n", l->items[i].rule,
                         outcome_name(l->items[i].outcome), l->items[i].message, ev ? ev : "-");
        o += n > 0 ? (size_t)n : 0;
    }
}

/* Evaluates an event under a savepoint that is then undone (so it can be evaluated again). */
static int evaluate_undone(fixture *f, int64_t id, const json_t *compiled, char *out, size_t cap)
{
    verdict_list l = {0};
    int rc = store_savepoint(f->s, &f->err);
    if (!rc)
        rc = lifecycle_evaluate_event_as(f->s, f->e, id, compiled, 19875, &l, &f->err);
    store_rollback_savepoint(f->s);
    verdicts_text(&l, out, cap);
    verdict_list_free(&l);
    return rc;
}

/* Accepting keeps each process as it stands after its last new event: the same process
 * evaluating that event merges from the stored releases, and the same verdicts; a refused
 * input keeps nothing. */
static void accept_keeps_the_process_for_its_last_event(void)
{
    fresh_path();
    fixture f;
    accepted_events ids = {0};
    accepted_states kept = {0};
    owner_probe alver = {"4631", {0, 0}, {"", ""}}, bergen = {"4601", {0, 0}, {"", ""}};
    const char *inputs[] = {PROCESS, AMENDED, BACKWARD};
    owner_probe *who[] = {&alver, &alver, &bergen};
    int rc[3], same_compiled[2] = {0, 0}, same_verdicts[2] = {0, 0}, evaluated[2] = {-1, -1};
    size_t n_kept[3], n_verdicts[2] = {0, 0};
    int64_t kept_id[2] = {0, 0}, last_id[2] = {0, 0};
    static char merged[2][8192], from_kept[2][8192];
    CHECK_INT(open_fixture(&f, 0), 0);
    int began = store_begin(f.s, &f.err);
    for (int i = 0; i < 3; i++) {
        ocds_batch b = {0};
        import_stats st;
        rc[i] = ocds_read(&b, "input", inputs[i], strlen(inputs[i]), &f.err);
        if (!rc[i])
            rc[i] = lifecycle_accept_kept(f.s, f.e, &b, NULL, only, who[i], &ids, &kept, &st,
                                          &f.err);
        ocds_batch_free(&b);
        n_kept[i] = kept.n;
        if (i == 2 || rc[i] || kept.n != (size_t)i + 1)
            continue;
        stored_event ev;
        const accepted_state *k = &kept.items[i];
        kept_id[i] = k->event_id;
        last_id[i] = ids.ids[ids.n - 1];
        if (store_load_event(f.s, k->event_id, &ev, &f.err) == 0) {
            same_compiled[i] = json_equal(ev.compiled, k->compiled);
            json_decref(ev.compiled);
        }
        evaluated[i] = evaluate_undone(&f, k->event_id, NULL, merged[i], sizeof merged[i]) ||
                       evaluate_undone(&f, k->event_id, k->compiled, from_kept[i],
                                       sizeof from_kept[i]);
        n_verdicts[i] = strlen(merged[i]);
        same_verdicts[i] = strcmp(merged[i], from_kept[i]) == 0;
    }
    if (!began)
        store_commit(f.s, &f.err);
    close_fixture(&f);
    accepted_states_free(&kept);
    free(ids.ids);
    CHECK_INT(began, 0);
    CHECK_INT(rc[0], 0);
    CHECK_INT(rc[1], 0);
    CHECK_INT(rc[2], 1); /* not Bergen's */
    CHECK_INT(n_kept[0], 1); /* two releases of one process: kept after the second */
    CHECK_INT(n_kept[1], 2);
    CHECK_INT(n_kept[2], 2); /* refused: nothing kept */
    for (int i = 0; i < 2; i++) {
        CHECK_INT(kept_id[i], last_id[i]);
        CHECK_INT(same_compiled[i], 1);
        CHECK_INT(evaluated[i], 0);
        CHECK(n_verdicts[i] > 0);
        CHECK_INT(same_verdicts[i], 1);
    }
}

static void an_event_is_evaluated_once(void)
{
    fresh_path();
    fixture f;
    accepted_events ids = {0};
    owner_probe alver = {"4631", {0, 0}, {"", ""}};
    CHECK_INT(open_fixture(&f, 0), 0);
    int rc = accept_text(&f, PROCESS, &alver, &ids);
    int64_t upto_one = -1, upto_ten = -1;
    if (!rc)
        rc = store_pending_count_upto(f.s, 1, &upto_one, &f.err);
    if (!rc)
        rc = store_pending_count_upto(f.s, 10, &upto_ten, &f.err);
    int ran[3] = {0, 0, 0};
    size_t n[3] = {0, 0, 0};
    int64_t pending = -1, after[2] = {0, 0};
    size_t n_after = 0;
    for (int i = 0; !rc && i < 3; i++) {
        verdict_list l = {0};
        rc = lifecycle_evaluate_one(f.s, f.e, ids.ids[i == 2 ? 0 : i], 19875, &l, &ran[i], &f.err);
        n[i] = l.n;
        verdict_list_free(&l);
    }
    if (!rc)
        rc = store_pending_count(f.s, &pending, &f.err);
    if (!rc)
        rc = store_pending_after(f.s, 0, 2, after, &n_after, &f.err);
    close_fixture(&f);
    free(ids.ids);
    CHECK_INT(rc, 0);
    CHECK_INT(upto_one, 1); /* two pending, counted up to one */
    CHECK_INT(upto_ten, 2);
    CHECK_INT(ran[0], 1);
    CHECK_INT(ran[1], 1);
    CHECK(n[0] > 0);
    CHECK_INT(ran[2], 0); /* the first again: already evaluated */
    CHECK_INT(n[2], 0);
    CHECK_INT(pending, 0);
    CHECK_INT(n_after, 0);
    CHECK_INT(sql("SELECT count(*) FROM (SELECT event_id, rule, stage FROM verdicts GROUP BY 1, "
                  "2, 3 HAVING count(*) > 1)"),
              0);
}

static void due_rechecks_become_events(void)
{
    fresh_path();
    fixture f;
    CHECK_INT(open_fixture(&f, 0), 0);
    CHECK_INT(import_text(&f, PROCESS), 0);
    close_fixture(&f);
    CHECK_INT(sql("DELETE FROM rechecks"), 0);
    CHECK_INT(sql("INSERT INTO rechecks VALUES ('ocds-s1', 'demo.a', 'tender', '2024-05-30'),"
                  "('ocds-s1', 'demo.b', 'tender', '2024-06-01'),"
                  "('ocds-s1', 'demo.a', 'planning', '2024-05-01'),"
                  "('ocds-s1', 'demo.c', 'tender', '2024-07-01')"),
              0);
    int64_t today = date_days_from_civil(2024, 6, 1), next = 0, next2 = 0, next3 = 0;
    accepted_events ids = {0};
    size_t dropped = 0, dropped2 = 0;
    CHECK_INT(open_fixture(&f, 0), 0);
    int rc = store_recheck_next(f.s, &next, &f.err);
    if (!rc)
        rc = lifecycle_schedule_rechecks(f.s, today, &ids, &dropped, &f.err);
    size_t first = ids.n;
    if (!rc)
        rc = store_recheck_next(f.s, &next2, &f.err);
    close_fixture(&f);
    CHECK_INT(rc, 0);
    CHECK_INT(next, date_days_from_civil(2024, 5, 1));
    CHECK_INT(first, 1);   /* one event for the tender stage, whichever rules asked */
    CHECK_INT(dropped, 1); /* the process left planning */
    CHECK_INT(next2, date_days_from_civil(2024, 7, 1));
    CHECK_INT(sql("SELECT count(*) FROM events WHERE kind = 'recheck' AND stage = 'tender' AND "
                  "release_id = 'recheck-tender-2024-06-01' AND body IS NULL AND "
                  "evaluated_at IS NULL"),
              1);
    CHECK_INT(sql("SELECT count(*) FROM rechecks"), 1);
    /* asked again the same day: no second event, it waits until tomorrow */
    CHECK_INT(sql("INSERT INTO rechecks VALUES ('ocds-s1', 'demo.a', 'tender', '2024-06-01')"), 0);
    CHECK_INT(open_fixture(&f, 0), 0);
    rc = lifecycle_schedule_rechecks(f.s, today, &ids, &dropped2, &f.err);
    if (!rc)
        rc = store_recheck_next(f.s, &next3, &f.err);
    close_fixture(&f);
    free(ids.ids);
    CHECK_INT(rc, 0);
    CHECK_INT(ids.n, 1);
    CHECK_INT(next3, today + 1);
    CHECK_INT(sql("SELECT count(*) FROM events WHERE kind = 'recheck'"), 1);
}

static void teardown(void)
{
    fresh_path();
}

static const test_case tests[] = {
    {"migration_3_keeps_events_and_verdicts", migration_3_keeps_events_and_verdicts},
    {"tokens_are_random_hashed_and_checked", tokens_are_random_hashed_and_checked},
    {"accept_checked_asks_whose_it_is_first", accept_checked_asks_whose_it_is_first},
    {"accept_in_an_open_transaction_is_a_savepoint", accept_in_an_open_transaction_is_a_savepoint},
    {"accept_keeps_the_process_for_its_last_event", accept_keeps_the_process_for_its_last_event},
    {"an_event_is_evaluated_once", an_event_is_evaluated_once},
    {"due_rechecks_become_events", due_rechecks_become_events},
    {"teardown", teardown},
};

TEST_MAIN(tests)
