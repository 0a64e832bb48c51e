/*
 * store_tokens: the service's API tokens and whose process is whose. A token is 32 random
 * bytes in hex, shown once; the store keeps a random salt per token and SHA-256(salt ||
 * token) (core/sha256.c), never the token. A token belongs to one kommunenummer.
 */
#include <stdio.h>
#include <string.h>

#include "sha256.h"
#include "store_internal.h"

/* Fills buf with n bytes from /dev/urandom. */
static int random_bytes(unsigned char *buf, size_t n, anbud_err *err)
{
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f)
        return err_set(err, ANBUD_EINTERNAL, "/dev/urandom: cannot open it");
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    return got == n ? 0 : err_set(err, ANBUD_EINTERNAL, "/dev/urandom: short read");
}

static void to_hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = 0;
}

/* SHA-256 of salt || token as 64 hex digits. */
static void token_hash(const char *salt, const char *token, char out[65])
{
    unsigned char md[32];
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, salt, strlen(salt));
    sha256_update(&ctx, token, strlen(token));
    sha256_final(&ctx, md);
    to_hex(md, 32, out);
}

int store_token_create(store *s, const char *municipality, char token[STORE_TOKEN_SIZE],
                       anbud_err *err)
{
    unsigned char raw[32], salt_raw[16];
    char salt[33], hash[65], now[21];
    token[0] = 0;
    if (!kommunenr_valid(municipality))
        return err_set(err, ANBUD_EINPUT, "municipality '%s' is not a kommunenummer (4 digits)",
                       municipality);
    int rc = random_bytes(raw, sizeof raw, err);
    if (!rc)
        rc = random_bytes(salt_raw, sizeof salt_raw, err);
    if (rc)
        return rc;
    to_hex(raw, sizeof raw, token);
    to_hex(salt_raw, sizeof salt_raw, salt);
    secret_wipe(raw, sizeof raw);
    token_hash(salt, token, hash);
    time_now_iso(now);
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = store_prepare(s, &st,
                           "INSERT INTO tokens (municipality, salt, hash, created_at) "
                           "VALUES (?, ?, ?, ?)",
                           err);
    if (!rc) {
        sqlite3_bind_text(st, 1, municipality, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, salt, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = store_sql_error(s, err, "storing a token");
        sqlite3_finalize(st);
    }
    if (rc) {
        secret_wipe(token, STORE_TOKEN_SIZE);
        token[0] = 0;
    }
    return rc;
}

/* True when t is exactly 64 lower- or upper-case hex digits. */
static int token_well_formed(const char *t)
{
    size_t n = 0;
    for (; t[n]; n++)
        if (!((t[n] >= '0' && t[n] <= '9') || (t[n] >= 'a' && t[n] <= 'f') ||
              (t[n] >= 'A' && t[n] <= 'F')))
            return 0;
    return n == 64;
}

int store_token_check(store *s, const char *token, char municipality[8], anbud_err *err)
{
    municipality[0] = 0;
    if (!token_well_formed(token))
        return 1;
    char lower[STORE_TOKEN_SIZE];
    for (size_t i = 0; i < 65; i++)
        lower[i] = (char)(token[i] >= 'A' && token[i] <= 'F' ? token[i] - 'A' + 'a' : token[i]);
    sqlite3_stmt *st;
    static const char sql[] = "SELECT municipality, salt, hash FROM tokens "
                              "WHERE revoked_at IS NULL ORDER BY id";
    int rc = store_cached(s, &st, sql, err); /* the service asks on every request */
    if (rc)
        return rc;
    int found = 0, step = SQLITE_DONE;
    /* every live token is hashed and compared in constant time, found or not */
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *salt = (const char *)sqlite3_column_text(st, 1);
        const char *want = (const char *)sqlite3_column_text(st, 2);
        char got[65];
        token_hash(salt ? salt : "", lower, got);
        if (want && strlen(want) == 64 && secret_equal(got, want, 64) && !found) {
            found = 1;
            snprintf(municipality, 8, "%s", (const char *)sqlite3_column_text(st, 0));
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_sql_error(s, err, "reading tokens");
    store_release(st);
    secret_wipe(lower, sizeof lower);
    if (rc)
        return rc;
    return found ? 0 : 1;
}

int store_process_municipality(store *s, const char *ocid, char out[8], anbud_err *err)
{
    out[0] = 0;
    sqlite3_stmt *st;
    int rc = store_prepare(s, &st, "SELECT municipality FROM processes WHERE ocid = ?", err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, ocid, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        snprintf(out, 8, "%s",
                 sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
    else if (step == SQLITE_DONE)
        rc = 1;
    else
        rc = store_sql_error(s, err, "reading a process");
    sqlite3_finalize(st);
    return rc;
}
