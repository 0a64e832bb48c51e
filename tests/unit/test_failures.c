/*
 * test_failures: out-of-memory and I/O failure paths (issue 6). A failing allocator for
 * jansson (json_set_alloc_funcs) fails the Nth allocation, alone or with every one after
 * it, walked over N for reading, grouping, merging, the report and the engine; each call
 * must either succeed or return ANBUD_EINTERNAL with nothing half done, never crash, and
 * (under `make asan`, whose leak checker runs at exit) never leak. Then SQLite: a full
 * database (PRAGMA max_page_count on the store's own connection, which binds root too), a
 * read-only one (PRAGMA query_only) and a disk that fails every write (a VFS that wraps
 * the default one): lifecycle_import returns an error naming the problem and leaves the
 * counts of events, verdicts and processes as they were. Each walk stops after a time
 * limit, so the suite stays bounded under sanitizers and valgrind.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "lifecycle.h"
#include "report.h"
#include "store.h"
#include "store_internal.h"
#include "test.h"

/* ---- the failing allocator ------------------------------------------------------------ */

static long alloc_count;   /* allocations since the last arm() */
static long fail_at;       /* the allocation to fail (1-based); 0: none */
static int fail_after_too; /* fail every allocation from fail_at on */
static long failed;        /* allocations refused since the last arm() */

static void *failing_malloc(size_t n)
{
    alloc_count++;
    if (fail_at && (alloc_count == fail_at || (fail_after_too && alloc_count > fail_at))) {
        failed++;
        return NULL;
    }
    return malloc(n);
}

static void failing_free(void *p)
{
    free(p);
}

/* Counts jansson's allocations from now on; fails the nth (and, sticky, all after it). */
static void arm(long n, int sticky)
{
    alloc_count = 0;
    failed = 0;
    fail_at = n;
    fail_after_too = sticky;
}

static void disarm(void)
{
    fail_at = 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs f(arg) once to count its allocations, then once per N (a stride keeps the walk to
 * about 400 points a mode, and a time limit bounds it) failing the Nth, alone and sticky.
 * f returns 0 when what it saw was allowed. Returns the number of bad runs. */
static int walk(int (*f)(void *arg), void *arg, const char *what)
{
    arm(0, 0);
    if (f(arg) != 0) {
        fprintf(stderr, "  %s: fails even without failing allocations\n", what);
        return 1;
    }
    long total = alloc_count, stride = total / 400 + 1;
    double start = now_seconds();
    int bad = 0;
    for (int sticky = 0; sticky <= 1; sticky++)
        for (long n = 1; n <= total && now_seconds() - start < 20; n += stride) {
            arm(n, sticky);
            int rc = f(arg);
            disarm();
            if (rc != 0) {
                fprintf(stderr, "  %s: wrong result failing allocation %ld of %ld%s\n", what, n,
                        total, sticky ? " and every one after it" : "");
                bad++;
                if (bad > 3)
                    return bad;
            }
        }
    return bad;
}

/* ---- what is walked ------------------------------------------------------------------- */

static const char PACKAGE[] =
    "{\"releases\":["
    "{\"ocid\":\"ocds-f-1\",\"id\":\"p\",\"date\":\"2024-01-10T09:00:00Z\",\"tag\":[\"planning\"],"
    "\"buyer\":{\"id\":\"b\",\"name\":\"Alver kommune\"},"
    "\"parties\":[{\"id\":\"b\",\"name\":\"Alver kommune\",\"roles\":[\"buyer\"],"
    "\"identifier\":{\"scheme\":\"NO-BRC\",\"id\":\"964338531\"},"
    "\"details\":{\"municipalityCode\":\"4631\"}}],"
    "\"tender\":{\"id\":\"t\",\"title\":\"Reinhald\",\"value\":{\"amount\":900000,\"currency\":"
    "\"NOK\"},\"items\":[{\"id\":\"1\",\"classification\":{\"scheme\":\"CPV\",\"id\":"
    "\"90910000-9\"}}]}},"
    "{\"ocid\":\"ocds-f-1\",\"id\":\"t\",\"date\":\"2024-02-01T09:00:00Z\",\"tag\":[\"tender\"],"
    "\"tender\":{\"id\":\"t\",\"status\":\"active\",\"procedureType\":\"open\","
    "\"value\":{\"amount\":1500000,\"currency\":\"NOK\"},"
    "\"tenderPeriod\":{\"startDate\":\"2024-02-01\",\"endDate\":\"2024-03-01\"},"
    "\"notices\":[{\"platform\":\"doffin\",\"id\":\"n1\",\"datePublished\":\"2024-02-01\"}],"
    "\"reservedAssessment\":{\"suitable\":false,\"justification\":\"Ingen egna leverandørar "
    "finst i marknaden\"},\"items\":[{\"id\":\"1\",\"quantity\":3}]}},"
    "{\"ocid\":\"ocds-f-2\",\"id\":\"a\",\"date\":\"2024-03-01T09:00:00Z\",\"tag\":[\"award\"],"
    "\"buyer\":{\"id\":\"b\",\"name\":\"Alver kommune\"},"
    "\"parties\":[{\"id\":\"b\",\"name\":\"Alver kommune\",\"details\":{\"municipalityCode\":"
    "\"4631\"}},{\"id\":\"s\",\"name\":\"Snekker AS\",\"identifier\":{\"scheme\":\"NO-BRC\","
    "\"id\":\"974760673\"}}],"
    "\"awards\":[{\"id\":\"a1\",\"status\":\"active\",\"suppliers\":[{\"id\":\"s\"}],"
    "\"value\":{\"amount\":80000,\"currency\":\"NOK\"}}]}"
    "]}";

/*
 * ocds_read: OK with every release appended, or EINTERNAL with nothing appended. One
 * failure alone (not sticky) may also give EINPUT with nothing appended: jansson's lexer
 * drops a character when it cannot grow its buffer and goes on, so the text it returns
 * may differ from the input (validation then refuses "09:0:00Z", say). anbud cannot see
 * that; memory that has run out stays out (the sticky walk), and there the answer is exact.
 */
static int try_read(void *arg)
{
    (void)arg;
    ocds_batch b = {0};
    anbud_err err = {0};
    int rc = ocds_read(&b, "package.json", PACKAGE, sizeof PACKAGE - 1, &err);
    int ok = (rc == ANBUD_OK && b.n == 3) ||
             (rc == ANBUD_EINTERNAL && b.n == 0 && strstr(err.msg, "memory")) ||
             (rc == ANBUD_EINPUT && b.n == 0 && !fail_after_too);
    if (!ok)
        fprintf(stderr, "  ocds_read: rc %d, %zu releases: %s\n", rc, b.n, err.msg);
    ocds_batch_free(&b);
    return !ok;
}

static ocds_batch shared_batch;

/* ocds_group: OK with two merged processes, or EINTERNAL with an empty set. */
static int try_group(void *arg)
{
    (void)arg;
    ocds_set set;
    anbud_err err = {0};
    int rc = ocds_group(&shared_batch, &set, &err);
    int ok = (rc == ANBUD_OK && set.n == 2 &&
              json_is_object(json_object_get(set.items[0].compiled, "tender"))) ||
             (rc == ANBUD_EINTERNAL && set.n == 0 && set.items == NULL);
    if (!ok)
        fprintf(stderr, "  ocds_group: rc %d, %zu processes: %s\n", rc, set.n, err.msg);
    ocds_set_free(&set);
    return !ok;
}

/* ocds_merge: OK, or EINTERNAL; the compiled release stays an object either way. */
static int try_merge(void *arg)
{
    (void)arg;
    json_t *compiled = json_object();
    if (!compiled)
        return 0; /* the very first allocation failed: nothing to merge into */
    anbud_err err = {0};
    int rc = 0;
    for (size_t i = 0; i < shared_batch.n && !rc; i++)
        rc = ocds_merge(compiled, shared_batch.items[i].json, &err);
    int ok = rc == ANBUD_OK || rc == ANBUD_EINTERNAL;
    ok = ok && json_is_object(compiled);
    json_decref(compiled);
    return !ok;
}

/* report_process_json: a whole document, or NULL. */
static verdict_list shared_verdicts;

static int try_report(void *arg)
{
    (void)arg;
    json_t *doc = report_process_json("ocds-f-1", "tender", "alver", &shared_verdicts);
    int ok = !doc || json_array_size(json_object_get(doc, "results")) == shared_verdicts.n;
    json_decref(doc);
    return !ok;
}

/* engine_evaluate: 0 with one verdict per rule that runs, or EINTERNAL. */
typedef struct eval_case {
    engine *e;
    const ruleset *set;
    const ocds_process *p;
    size_t expect;
} eval_case;

static int try_evaluate(void *arg)
{
    eval_case *c = arg;
    engine_process ep = {c->p->ocid, c->p->compiled, c->p->stage, c->p->first_days};
    verdict_list out = {0};
    anbud_err err = {0};
    int rc = engine_evaluate(c->e, c->set, &ep, c->p->stage, 19900, NULL, &out, &err);
    int ok = (rc == 0 && out.n == c->expect) || rc == ANBUD_EINTERNAL;
    if (!ok)
        fprintf(stderr, "  engine_evaluate: rc %d, %zu verdicts of %zu: %s\n", rc, out.n, c->expect,
                err.msg);
    verdict_list_free(&out);
    return !ok;
}

static void test_read_when_allocations_fail(void)
{
    json_set_alloc_funcs(failing_malloc, failing_free);
    int bad = walk(try_read, NULL, "ocds_read");
    json_set_alloc_funcs(malloc, free);
    CHECK_INT(bad, 0);
}

static void test_group_and_merge_when_allocations_fail(void)
{
    anbud_err err;
    CHECK_INT(ocds_read(&shared_batch, "package.json", PACKAGE, sizeof PACKAGE - 1, &err), 0);
    json_set_alloc_funcs(failing_malloc, failing_free);
    int bad = walk(try_group, NULL, "ocds_group") + walk(try_merge, NULL, "ocds_merge");
    json_set_alloc_funcs(malloc, free);
    ocds_batch_free(&shared_batch);
    CHECK_INT(bad, 0);
}

static engine *real_engine(void)
{
    int code;
    anbud_err err;
    engine *e = engine_new(ANBUD_LUA_DIR, ANBUD_RULES_DIR, NULL, &code, &err);
    if (!e)
        fprintf(stderr, "  engine_new: %s\n", err.msg);
    return e;
}

static void test_engine_and_report_when_allocations_fail(void)
{
    anbud_err err;
    ocds_batch b = {0};
    ocds_set set = {0};
    engine *e = real_engine();
    CHECK(e);
    int bad = 0;
    if (ocds_read(&b, "package.json", PACKAGE, sizeof PACKAGE - 1, &err) == 0 &&
        ocds_group(&b, &set, &err) == 0) {
        for (size_t i = 0; i < set.n; i++) {
            eval_case c = {e, engine_ruleset_for_process(e, set.items[i].compiled), &set.items[i],
                           0};
            engine_process ep = {c.p->ocid, c.p->compiled, c.p->stage, c.p->first_days};
            verdict_list out = {0};
            if (engine_evaluate(e, c.set, &ep, c.p->stage, 19900, NULL, &out, &err) != 0)
                bad++;
            c.expect = out.n;
            if (i == 0) {
                shared_verdicts = out;
                memset(&out, 0, sizeof out);
            }
            verdict_list_free(&out);
            json_set_alloc_funcs(failing_malloc, failing_free);
            bad += walk(try_evaluate, &c, "engine_evaluate");
            json_set_alloc_funcs(malloc, free);
        }
        json_set_alloc_funcs(failing_malloc, failing_free);
        bad += walk(try_report, NULL, "report_process_json");
        json_set_alloc_funcs(malloc, free);
    } else {
        bad++;
    }
    CHECK(shared_verdicts.n > 0);
    verdict_list_free(&shared_verdicts);
    ocds_set_free(&set);
    ocds_batch_free(&b);
    engine_free(e);
    CHECK_INT(bad, 0);
}

/* ---- the store -------------------------------------------------------------------------- */

static char dir[64];

static void fresh_dir(void)
{
    if (dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "  could not remove %s\n", dir);
    }
    strcpy(dir, "/tmp/anbud-failures-XXXXXX");
    if (!mkdtemp(dir))
        dir[0] = 0;
}

static long long count(store *s, const char *table)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *st;
    long long n = -1;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* "events verdicts processes" as one string, for comparing before and after. */
static void counts(store *s, char out[96])
{
    snprintf(out, 96, "%lld %lld %lld", count(s, "events"), count(s, "verdicts"),
             count(s, "processes"));
}

/* A store with one process imported, and a batch of another that import is to refuse. */
typedef struct store_case {
    store *s;
    engine *e;
    ocds_batch first, second;
} store_case;

static const char SECOND[] =
    "{\"ocid\":\"ocds-f-3\",\"id\":\"1\",\"date\":\"2024-04-01T09:00:00Z\",\"tag\":[\"tender\"],"
    "\"buyer\":{\"id\":\"b\",\"name\":\"Alver kommune\"},"
    "\"parties\":[{\"id\":\"b\",\"name\":\"Alver kommune\",\"details\":{\"municipalityCode\":"
    "\"4631\"}}],\"tender\":{\"id\":\"t\",\"title\":\"Stor tekst\",\"description\":\"%s\","
    "\"value\":{\"amount\":2500000,\"currency\":\"NOK\"}}}";

static int open_case(store_case *c)
{
    memset(c, 0, sizeof *c);
    fresh_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/anbud.db", dir);
    anbud_err err;
    import_stats st;
    /* a description of 200 kB makes the second import need many pages */
    size_t big = 200000;
    char *desc = malloc(big + 1), *text = malloc(big + sizeof SECOND);
    if (!desc || !text) {
        free(desc);
        free(text);
        return -1;
    }
    memset(desc, 'x', big);
    desc[big] = 0;
    int n = snprintf(text, big + sizeof SECOND, SECOND, desc);
    int rc = store_open(path, &c->s, &err);
    if (!rc)
        rc = (c->e = real_engine()) ? 0 : -1;
    if (!rc)
        rc = ocds_read(&c->first, "package.json", PACKAGE, sizeof PACKAGE - 1, &err);
    if (!rc)
        rc = ocds_read(&c->second, "second.json", text, (size_t)n, &err);
    if (!rc)
        rc = lifecycle_import(c->s, c->e, &c->first, NULL, 19900, &st, &err);
    if (rc)
        fprintf(stderr, "  setting up the store: %s\n", err.msg);
    free(desc);
    free(text);
    return rc;
}

static void close_case(store_case *c)
{
    ocds_batch_free(&c->first);
    ocds_batch_free(&c->second);
    engine_free(c->e);
    store_close(c->s);
}

/* Imports the second batch, which must fail with `want` in the message and change nothing. */
static int refused_cleanly(store_case *c, const char *want)
{
    char before[96], after[96];
    counts(c->s, before);
    anbud_err err = {0};
    import_stats st;
    int rc = lifecycle_import(c->s, c->e, &c->second, NULL, 19900, &st, &err);
    counts(c->s, after);
    int ok = rc != 0 && strstr(err.msg, want) && strstr(err.msg, "anbud.db") &&
             strcmp(before, after) == 0 && strcmp(before, "0 0 0") != 0;
    if (!ok)
        fprintf(stderr, "  import: rc %d, counts %s -> %s, message: %s\n  wanted: %s\n", rc, before,
                after, err.msg, want);
    return ok;
}

static void test_import_into_a_full_database(void)
{
    store_case c;
    CHECK_INT(open_case(&c), 0);
    /* no more pages than the file has now: the next insert finds the database full */
    long long pages = -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c.s->db, "PRAGMA page_count", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        pages = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", pages);
    int set_ok = pages > 0 && sqlite3_exec(c.s->db, sql, NULL, NULL, NULL) == SQLITE_OK;
    int ok = set_ok && refused_cleanly(&c, "full");
    /* with room again, the same import goes through: nothing was left half written */
    sqlite3_exec(c.s->db, "PRAGMA max_page_count = 1073741823", NULL, NULL, NULL);
    anbud_err err;
    import_stats stats;
    int again = lifecycle_import(c.s, c.e, &c.second, NULL, 19900, &stats, &err);
    close_case(&c);
    CHECK(set_ok);
    CHECK(ok);
    CHECK_INT(again, 0);
    CHECK_INT(stats.stored, 1);
}

static void test_import_into_a_read_only_database(void)
{
    store_case c;
    CHECK_INT(open_case(&c), 0);
    int set_ok = sqlite3_exec(c.s->db, "PRAGMA query_only = ON", NULL, NULL, NULL) == SQLITE_OK;
    int ok = set_ok && refused_cleanly(&c, "readonly");
    close_case(&c);
    CHECK(set_ok);
    CHECK(ok);
}

/* ---- a disk that fails writes: a VFS forwarding to the default one ------------------------ */

static sqlite3_vfs *real_vfs;
static sqlite3_vfs failing_vfs;
static int fail_writes; /* while set, every write and sync reports an I/O error */

typedef struct shim_file {
    sqlite3_file base;
    sqlite3_file *real; /* follows this struct in the same allocation */
} shim_file;

#define REAL(f) (((shim_file *)(f))->real)

static int s_close(sqlite3_file *f)
{
    int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
    return rc;
}
static int s_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}
static int s_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    return fail_writes ? SQLITE_IOERR_WRITE : REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}
static int s_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return fail_writes ? SQLITE_IOERR_TRUNCATE : REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int s_sync(sqlite3_file *f, int flags)
{
    return fail_writes ? SQLITE_IOERR_FSYNC : REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int s_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int s_lock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int s_unlock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int s_check_lock(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int s_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int s_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int s_caps(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int s_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, out);
}
static int s_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}
static void s_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int s_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static const sqlite3_io_methods shim_methods = {
    2,          s_close,       s_read,       s_write,   s_truncate, s_sync, s_size,
    s_lock,     s_unlock,      s_check_lock, s_control, s_sector,   s_caps, s_shm_map,
    s_shm_lock, s_shm_barrier, s_shm_unmap,  NULL,      NULL,
};

static int s_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    shim_file *sf = (shim_file *)f;
    sf->real = (sqlite3_file *)(sf + 1);
    int rc = real_vfs->xOpen(real_vfs, name, sf->real, flags, out_flags);
    /* the shim's methods only when the real file opened: SQLite closes nothing else */
    f->pMethods = rc == SQLITE_OK ? &shim_methods : NULL;
    return rc;
}

/* Registers the failing VFS as the default, for stores opened from now on. */
static int install_failing_vfs(void)
{
    if (!real_vfs) {
        real_vfs = sqlite3_vfs_find(NULL);
        if (!real_vfs)
            return -1;
        failing_vfs = *real_vfs;
        failing_vfs.zName = "anbud-failing";
        failing_vfs.szOsFile = (int)sizeof(shim_file) + real_vfs->szOsFile;
        failing_vfs.xOpen = s_open;
        failing_vfs.pNext = NULL;
    }
    return sqlite3_vfs_register(&failing_vfs, 1) == SQLITE_OK ? 0 : -1;
}

static void test_import_when_the_disk_fails(void)
{
    fail_writes = 0;
    CHECK_INT(install_failing_vfs(), 0);
    store_case c;
    int opened = open_case(&c);
    int ok = 0;
    char before[96] = "", after[96] = "";
    if (opened == 0) {
        counts(c.s, before);
        anbud_err err = {0};
        import_stats st;
        fail_writes = 1;
        int rc = lifecycle_import(c.s, c.e, &c.second, NULL, 19900, &st, &err);
        fail_writes = 0;
        ok = rc != 0 && strstr(err.msg, "anbud.db") && strstr(err.msg, "I/O");
        if (!ok)
            fprintf(stderr, "  import on a failing disk: rc %d: %s\n", rc, err.msg);
    }
    if (opened == 0)
        close_case(&c);
    sqlite3_vfs_unregister(&failing_vfs);
    CHECK_INT(opened, 0);
    CHECK(ok);
    /* opened afresh on the real disk: nothing of the failed import is there */
    char path[128];
    snprintf(path, sizeof path, "%s/anbud.db", dir);
    store *s;
    anbud_err err;
    CHECK_INT(store_open(path, &s, &err), 0);
    counts(s, after);
    long long third = -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM processes WHERE ocid = 'ocds-f-3'", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        third = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    store_close(s);
    CHECK_STR(after, before);
    CHECK_INT(third, 0);
}

static void test_cleanup(void)
{
    fresh_dir();
    if (dir[0])
        rmdir(dir);
}

static const test_case tests[] = {
    {"read_when_allocations_fail", test_read_when_allocations_fail},
    {"group_and_merge_when_allocations_fail", test_group_and_merge_when_allocations_fail},
    {"engine_and_report_when_allocations_fail", test_engine_and_report_when_allocations_fail},
    {"import_into_a_full_database", test_import_into_a_full_database},
    {"import_into_a_read_only_database", test_import_into_a_read_only_database},
    {"import_when_the_disk_fails", test_import_when_the_disk_fails},
    {"cleanup", test_cleanup},
};

TEST_MAIN(tests)
