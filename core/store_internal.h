/*
 * store_internal: what store.c and store_read.c share; not for other modules.
 */
#ifndef ANBUD_STORE_INTERNAL_H
#define ANBUD_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

struct store {
    sqlite3 *db;
    char *path;
};

/* Fills err from the connection's last error: ANBUD_EINPUT when the file is the problem
 * (not a database, read-only, full, locked), else ANBUD_EINTERNAL. */
int store_sql_error(store *s, anbud_err *err, const char *what);
int store_prepare(store *s, sqlite3_stmt **st, const char *sql, anbud_err *err);
int store_exec(store *s, const char *sql, anbud_err *err);

#endif
