/*
 * fuzz_http_body: what `POST /v1/releases` does with a body before it answers: ocds_read
 * under the name "body", then lifecycle_accept_checked into a store (one temporary SQLite
 * file, started afresh every 500 inputs so it stays small) with the shipped rule sets, a
 * tenant check that admits Alver's processes and new ones without a buyer. A finding is a
 * crash, a sanitizer report, a code outside the documented ones, or a refused input that
 * left events behind. If the service gains a parser of its own for bodies, call it here.
 */
#include <stdint.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "lifecycle.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static engine *eng;
static store *db;
static char db_path[300];
static unsigned uses;

static void open_store(void)
{
    anbud_err err;
    store_close(db);
    db = NULL;
    char wal[320], shm[320];
    snprintf(wal, sizeof wal, "%s-wal", db_path);
    snprintf(shm, sizeof shm, "%s-shm", db_path);
    unlink(db_path);
    unlink(wal);
    unlink(shm);
    if (store_open(db_path, &db, &err) != ANBUD_OK) {
        fprintf(stderr, "fuzz_http_body: %s\n", err.msg);
        abort();
    }
}

static void setup(void)
{
    snprintf(db_path, sizeof db_path, "%s/fuzz.db", fuzz_tmpdir());
    sandbox_limits limits = FUZZ_LIMITS;
    int code;
    anbud_err err;
    eng = engine_new(ANBUD_LUA_DIR, ANBUD_RULES_DIR, &limits, &code, &err);
    if (!eng) {
        fprintf(stderr, "fuzz_http_body: %s\n", err.msg);
        abort();
    }
    open_store();
}

/* The tenant check: Alver (4631) may store its own processes and ones with no buyer code. */
static int allow(void *arg, const char *ocid, int merged, const char *municipality, anbud_err *err)
{
    (void)arg;
    (void)merged;
    if (municipality && *municipality && strcmp(municipality, "4631") != 0)
        return err_set(err, ANBUD_EINPUT, "%s: not yours", ocid);
    return 0;
}

static long long count_processes(void)
{
    json_t *h = store_list(db, NULL, NULL, NULL, NULL);
    long long n = (long long)json_array_size(json_object_get(h, "processes"));
    json_decref(h);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!eng)
        setup();
    if (++uses % 500 == 0)
        open_store();
    ocds_batch b = {0};
    anbud_err err;
    int rc = ocds_read(&b, "body", (const char *)data, size, &err);
    if (rc == ANBUD_OK) {
        accepted_events ids = {0};
        import_stats st;
        long long before = count_processes();
        rc = lifecycle_accept_checked(db, eng, &b, NULL, allow, NULL, &ids, &st, &err);
        if (rc != ANBUD_OK && rc != 1 && rc != ANBUD_EINPUT) {
            fprintf(stderr, "fuzz_http_body: accept gave %d: %s\n", rc, err.msg);
            abort();
        }
        if (rc != ANBUD_OK && (ids.n != 0 || count_processes() != before)) {
            fprintf(stderr, "fuzz_http_body: a refused body left state behind: %s\n", err.msg);
            abort();
        }
        free(ids.ids);
    } else if (rc != ANBUD_EINPUT) {
        fprintf(stderr, "fuzz_http_body: read gave %d: %s\n", rc, err.msg);
        abort();
    }
    ocds_batch_free(&b);
    return 0;
}
