/*
 * store: anbud's memory in one SQLite file. Owns the schema and its migrations
 * (PRAGMA user_version), transactions, and every query: events as received, processes
 * (the compiled release and the columns rules and lists ask for), verdicts, timed
 * re-checks and forced moves. Knows ocds, bind (the engine_store interface) and SQLite;
 * never prints, never evaluates.
 */
#ifndef ANBUD_STORE_H
#define ANBUD_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "bind.h"
#include "engine.h"
#include "ocds.h"
#include "util.h"

typedef struct store store;

/* The schema version this build writes. */
#define STORE_SCHEMA_VERSION 6

/*
 * Opens (creating it when absent) the database at path, in WAL mode with foreign keys on,
 * and migrates it to STORE_SCHEMA_VERSION. A file that is not a database, or one made by a
 * newer anbud: ANBUD_EINPUT with err naming the path.
 */
int store_open(const char *path, store **out, anbud_err *err);
/* As store_open, migrating only up to `version` (for tests of the migrations). */
int store_open_at(const char *path, int version, store **out, anbud_err *err);
void store_close(store *s);
int store_version(store *s);

/* One transaction at a time; rollback is always safe to call. */
int store_begin(store *s, anbud_err *err);
int store_commit(store *s, anbud_err *err);
void store_rollback(store *s);
/* Whether a transaction is open (SQLite ends one itself on some errors, a full disk). */
int store_in_transaction(store *s);
/* A savepoint inside the transaction: rolled back alone, or released into it. */
int store_savepoint(store *s, anbud_err *err);
int store_release_savepoint(store *s, anbud_err *err);
void store_rollback_savepoint(store *s);

/*
 * The engine's read-only view of other processes, backed by SQL. The store keeps the
 * processes it has parsed for it, current with this connection's writes; a commit of
 * another connection or a rollback makes it read them again.
 */
engine_store store_engine_view(store *s);
/*
 * Hands the view the parsed compiled release just saved for ocid (a reference is taken),
 * so it need not parse the stored text again. The caller must not change it afterwards.
 */
void store_view_put(store *s, const char *ocid, json_t *compiled);

/* A stored process. compiled is owned by the caller (json_decref). */
typedef struct stored_process {
    json_t *compiled;
    ocds_stage stage;
    int64_t first_days;
    char ruleset[128];
} stored_process;

/* ---- re-checking the stored portfolio (store_scan.c) ------------------------------ */

/* The distinct rule sets of the stored processes (of one kommunenummer when municipality
 * is not NULL), as a new JSON array of strings, or NULL with err. */
json_t *store_rulesets(store *s, const char *municipality, anbud_err *err);

/* A stored process read by a scan; compiled owned by the scan's caller (json_decref). */
typedef struct scanned_process {
    char ocid[256];
    stored_process p;
} scanned_process;

/* Where a scan of the stored processes stands: in buyer order, so the processes a rule
 * asks p:others() about are read together. Zero-initialise, then set the filters. */
typedef struct store_scan {
    const char *municipality;       /* NULL: any */
    const char *const *rulesets;    /* only these sets (n_rulesets of them), or NULL: any */
    size_t n_rulesets;
    char buyer_key[256];            /* the last row read */
    int64_t rowid;
    int started;
    int done; /* every row has been read */
} store_scan;

/* Reads the next max rows of the scan, keeping in rows those selected (parsed): *n of them,
 * perhaps 0 when none of these was; scan->done tells the end. */
int store_scan_next(store *s, store_scan *scan, scanned_process *rows, size_t max, size_t *n,
                    anbud_err *err);

/* Loads a process: 0 and *p filled, 1 when there is none, or a negative error. */
int store_load_process(store *s, const char *ocid, stored_process *p, anbud_err *err);

/*
 * Writes a process's compiled release and the columns derived from it (buyer, kommunenummer,
 * stage, value, category, CPV groups, relevant date), creating or replacing the row.
 */
int store_save_process(store *s, const char *ocid, const json_t *compiled, ocds_stage stage,
                       int64_t first_days, const char *ruleset_id, anbud_err *err);

/*
 * What the store knows of a release: STORE_NEW, STORE_SAME (stored with this hash) or
 * STORE_CONFLICT (stored with the same ocid and id but other content).
 */
enum { STORE_NEW = 0, STORE_SAME = 1, STORE_CONFLICT = 2 };
int store_release_state(store *s, const char *ocid, const char *release_id, const char *hash,
                        int *state, anbud_err *err);

/* Appends an event; kind is "release", "advance" or "recheck"; body may be NULL. */
int store_add_event(store *s, const char *ocid, const char *kind, const char *release_id,
                    const char *date, ocds_stage stage, const char *hash, const char *body,
                    int64_t *event_id, anbud_err *err);

/*
 * Writes the verdicts of one evaluation of an event, records or clears each rule's timed
 * re-check, and marks the event evaluated: the caller does this inside the transaction
 * that stored the event, so an event is never half evaluated.
 */
int store_add_verdicts(store *s, int64_t event_id, const char *ocid, const char *ruleset_id,
                       const char *ruleset_version, const verdict_list *l, anbud_err *err);

/* What an event needs to be evaluated: its process, stage, rule set, and the compiled
 * release as it stood after the event (its process's releases up to it, merged). */
typedef struct stored_event {
    char ocid[256];
    ocds_stage stage;
    char ruleset[128];
    int64_t first_days;
    json_t *compiled; /* owned by the caller */
} stored_event;

/* Loads an event for evaluation; ANBUD_EINPUT when there is no such event. */
int store_load_event(store *s, int64_t event_id, stored_event *ev, anbud_err *err);

/* Up to max ids of events stored but not yet evaluated, oldest first. */
int store_pending(store *s, size_t max, int64_t *ids, size_t *n, anbud_err *err);

/* Records a move made against failing gate rules (rules: JSON array text). */
int store_add_forced_move(store *s, const char *ocid, int64_t event_id, ocds_stage from,
                          ocds_stage to, const char *by, const char *reason, const char *rules,
                          anbud_err *err);

/*
 * Read-only documents for the commands (NULL with err when the process does not exist:
 * ANBUD_EINPUT, or when reading fails):
 * show:     {"processes":[{"ocid","stage","ruleset","results":[latest verdict per rule
 *            and stage, in order]}]}
 * history:  {"ocid","events":[{"id","kind","release_id","stage","date","received_at",
 *            "verdicts":[{"rule","outcome","severity","message"}]}],"forced_moves":[...]}
 * protocol: the document protocol_render reads.
 */
json_t *store_show(store *s, const char *ocid, anbud_err *err);
json_t *store_history(store *s, const char *ocid, anbud_err *err);
json_t *store_protocol_doc(store *s, const engine *e, const char *ocid, anbud_err *err);

/* ---- the service (store_service.c) ------------------------------------------------- */

/*
 * Makes every commit durable against a power cut as well as a crash (synchronous = FULL):
 * the service answers 202 only after the commit that stored the events.
 */
int store_set_durable(store *s, anbud_err *err);
/*
 * One large write ahead (an import: every release and verdict in one transaction). In
 * WAL mode such a transaction grows the -wal file to the size of everything it writes,
 * and every page read that misses the cache looks the page up in the WAL's index, which
 * grows with it: midway through a 300 000-process import, sqlite3WalFindFrame was the
 * function with the most perf samples (8 %). on = 1 switches the file to a rollback journal (TRUNCATE, synchronous FULL)
 * when this is the only connection to it (else it stays in WAL: returns 0); on = 0, and
 * store_close, switch back to WAL (synchronous NORMAL). Returns 1 when switched on, 0
 * when nothing changed, -1 when WAL could not be restored (the next store_open does).
 * While it is on, another program opening the file waits for the transaction to end.
 */
int store_bulk(store *s, int on);
/*
 * For a caller that makes commits durable itself (the service fsyncs the -wal file off its
 * loop and answers 202 after that): commits of this connection no longer checkpoint the
 * WAL into the database (each would write and fsync both, blocking the caller);
 * store_checkpoint, on another connection to the same file, does it instead.
 */
int store_checkpoints_manual(store *s, anbud_err *err);
/*
 * Copies what the WAL holds into the database as far as readers allow (PASSIVE), syncing
 * both; never blocks writers of other connections. *wal_frames: frames in the WAL,
 * *copied_frames: how many of them are now in the database. The WAL starts again from its
 * beginning (instead of growing) at the first commit that begins after a checkpoint that
 * copied every frame.
 */
int store_checkpoint(store *s, int *wal_frames, int *copied_frames, anbud_err *err);
/* How many events are stored but not yet evaluated. */
int store_pending_count(store *s, int64_t *n, anbud_err *err);
/* The same, counting at most max (cheap while a long queue waits). */
int store_pending_count_upto(store *s, int64_t max, int64_t *n, anbud_err *err);
/* As store_pending, for events with an id above `after` (a cursor past events that failed). */
int store_pending_after(store *s, int64_t after, size_t max, int64_t *ids, size_t *n,
                        anbud_err *err);
/* Whether an event is stored and not yet evaluated (read it inside the transaction that
 * evaluates it, so no event is evaluated twice). */
int store_event_pending(store *s, int64_t event_id, int *pending, anbud_err *err);
/* As store_load_event without the compiled release (ev->compiled stays NULL): for an
 * event whose process the caller holds as it stood after it. */
int store_load_event_head(store *s, int64_t event_id, stored_event *ev, anbud_err *err);

/* A timed re-check that is due: a rule asked to run again at a stage on a day. */
typedef struct store_recheck {
    char ocid[256];
    char rule[256];
    ocds_stage stage;   /* the stage the rule ran at */
    ocds_stage current; /* the process's stage now */
    int64_t due_days;
} store_recheck;

/* The earliest due day of any re-check: 0 and *due_days set, 1 when there is none. */
int store_recheck_next(store *s, int64_t *due_days, anbud_err *err);
/* The re-checks due on or before `day`, by ocid, stage and rule; *rows is the caller's
 * to free. */
int store_rechecks_due(store *s, int64_t day, store_recheck **rows, size_t *n, anbud_err *err);
/* Deletes the re-checks of a process at a stage due on or before `day`. */
int store_recheck_clear(store *s, const char *ocid, ocds_stage stage, int64_t day,
                        anbud_err *err);
/* Moves the re-checks of a process at a stage due on or before `day` to `to`. */
int store_recheck_postpone(store *s, const char *ocid, ocds_stage stage, int64_t day, int64_t to,
                           anbud_err *err);

/* ---- API tokens and tenancy (store_tokens.c) ------------------------------------------ */

/* The text of a token: 64 hex digits (32 random bytes) and the NUL. */
#define STORE_TOKEN_SIZE 65

/*
 * Creates a token for a kommunenummer: 32 bytes from /dev/urandom, in hex. Only a salted
 * SHA-256 of it is stored; the token itself is written to `token` and never again
 * available.
 */
int store_token_create(store *s, const char *municipality, char token[STORE_TOKEN_SIZE],
                       anbud_err *err);
/* Looks a presented token up: 0 and its kommunenummer in municipality, 1 when it is no
 * live token (malformed, unknown or revoked). */
int store_token_check(store *s, const char *token, char municipality[8], anbud_err *err);
/* The kommunenummer a stored process is filed under (its buyer's): 0 and out filled ("" when
 * the buyer has none), 1 when there is no such process. */
int store_process_municipality(store *s, const char *ocid, char out[8], anbud_err *err);

/*
 * Processes filtered by kommunenummer, stage and the outcome of a latest verdict (each
 * filter NULL for any): {"processes":[{"ocid","title","buyer","municipality","stage",
 * "value","ruleset","outcomes":{"fail":n,...}}]}.
 */
json_t *store_list(store *s, const char *municipality, const char *stage, const char *with_outcome,
                   anbud_err *err);

#endif
