/*
 * service: `anbud serve`. One libuv loop drives HTTP (libh2o), the evaluation of stored
 * events, the timer of timed re-checks, the watching of rule set folders and signals.
 * Events are stored (lifecycle_accept) before a request is answered 202, and evaluated
 * afterwards on the loop, in small batches, oldest first; on start, events a crash left
 * unevaluated are evaluated first. Knows lifecycle, store, engine, ocds; writes its log
 * lines to the FILE the caller gives, nothing else.
 */
#ifndef ANBUD_SERVICE_H
#define ANBUD_SERVICE_H

#include <stdint.h>
#include <stdio.h>

#include "util.h"

typedef struct service_options {
    const char *listen;     /* "127.0.0.1:8473", "[::1]:8473" */
    const char *db;         /* the SQLite store */
    const char *rules_dir;  /* rule sets, watched for changes */
    const char *lua_dir;    /* the rule library */
    const char *forced_set; /* check every process with this set; NULL: its buyer's */
    int64_t now_days;       /* "today" for the rules and re-checks, when fixed_day */
    int fixed_day;          /* 1: today is now_days (tests); 0: the real UTC date */
    size_t max_body;        /* largest request body in bytes; larger answers 413 */
    FILE *log;              /* one line per request, evaluation batch, reload, re-check */
} service_options;

/* The default of --listen and of the body limit. */
#define SERVICE_DEFAULT_LISTEN "127.0.0.1:8473"
#define SERVICE_DEFAULT_MAX_BODY ((size_t)16 << 20)

/*
 * Runs the service until SIGTERM or SIGINT: then it stops accepting, evaluates every event
 * stored, closes the store and returns 0. Fails before serving with ANBUD_EINPUT (a bad
 * --listen, an address in use, a store or rule sets that do not open) or ANBUD_EINTERNAL.
 */
int service_run(const service_options *o, anbud_err *err);

#endif
