/*
 * anbud.h: the library for embedding anbud in another program.
 *
 * anbud checks Norwegian public procurements, given as OCDS documents, against rule sets
 * written in Lua (the law, procurement cooperations, each municipality). An embedder
 * opens an engine over a rules folder once, then checks documents as often as it likes.
 * Handles are opaque; every function that can fail returns a status and fills a message
 * buffer the caller owns. Nothing prints. One engine must be used by one thread at a time.
 *
 * What the library takes from the process: each open engine has one watchdog thread
 * (joined by anbud_close), and the first anbud_open installs a handler for SIGRTMIN+2,
 * which the watchdog sends to a thread whose rule call has run for 5-10 ms, to start
 * counting that call's instructions. Do not use that signal for anything else, do not
 * block it in a thread that calls anbud_check, and close an engine before the threads
 * that used it exit.
 *
 *     char err[512], *json;
 *     anbud *a = anbud_open("/usr/share/anbud/lua", "/etc/anbud/rules", err, sizeof err);
 *     if (!a) { fprintf(stderr, "%s\n", err); exit(2); }
 *     int st = anbud_check(a, text, len, "2025-06-01", NULL, &json, err, sizeof err);
 *     if (st <= ANBUD_FINDINGS) { puts(json); anbud_free(json); }
 *     anbud_close(a);
 */
#ifndef ANBUD_H
#define ANBUD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Statuses: the same numbers as the exit statuses of the `anbud` command. */
enum {
    ANBUD_CLEAN = 0,    /* no rule gave fail or error */
    ANBUD_FINDINGS = 1, /* some rule gave fail or error */
    ANBUD_BAD_INPUT = 2, /* the input or an argument is wrong; err says which and where */
    ANBUD_INTERNAL = 3  /* out of memory, or a bug */
};

typedef struct anbud anbud;

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *anbud_version(void);

/*
 * Opens an engine: lua_dir holds the rule author library (anbud/init.lua), rules_dir one
 * folder per rule set. Returns NULL with a message in err when a manifest does not load
 * or the folders are missing. A rule file that does not load does not stop it: that rule
 * gives `error` in every check.
 */
anbud *anbud_open(const char *lua_dir, const char *rules_dir, char *err, size_t err_size);
void anbud_close(anbud *a);

/*
 * Checks the OCDS document in text (a release, release package, record package or JSON
 * Lines), replaying each process stage by stage as `anbud check` does. `today` is the
 * date rules see as today ("YYYY-MM-DD"; NULL for the real date); `ruleset_id` names a set
 * to use for every process (NULL: the set serving each buyer's kommunenummer, else `no`).
 * On ANBUD_CLEAN or ANBUD_FINDINGS, *json_out is the `check --json` document
 * ({"processes":[{"ocid","stage","ruleset","results":[...]}]}), to be released with
 * anbud_free. On any other status *json_out is NULL and err says why.
 */
int anbud_check(anbud *a, const char *text, size_t len, const char *today, const char *ruleset_id,
                char **json_out, char *err, size_t err_size);

/* Releases memory the library handed out. */
void anbud_free(void *p);

#ifdef __cplusplus
}
#endif

#endif
