/*
 * lifecycle: moving stored processes through their stages. `import` stores releases,
 * advances each process in date order and records the verdicts of every stage it enters;
 * `advance` moves one process, refused when a gate rule fails unless forced with a
 * reason. Each runs in one transaction: on any error nothing of it is stored. Knows store,
 * engine and ocds.
 */
#ifndef ANBUD_LIFECYCLE_H
#define ANBUD_LIFECYCLE_H

#include "engine.h"
#include "store.h"

typedef struct import_stats {
    size_t releases;   /* read from the input */
    size_t stored;     /* new events */
    size_t duplicates; /* already stored with the same content */
    size_t verdicts;
    size_t findings;   /* fail or error verdicts */
} import_stats;

/*
 * Imports the releases of one input. A release already stored with the same content is
 * skipped; one stored with the same id but other content, one dated before what the
 * process already holds, or one that moves its process backward is ANBUD_EINPUT, and the
 * whole input is rolled back. forced_set may name a set (else the buyer's).
 */
int lifecycle_import(store *s, engine *e, const ocds_batch *batch, const char *forced_set,
                     int64_t now_days, import_stats *stats, anbud_err *err);

/*
 * Imports several inputs, each all or nothing: every input is stored before any release
 * is evaluated, so a rule looking at the buyer's other processes sees them all (a purchase
 * given before its framework agreement finds it). stats has one entry per input. When an
 * input is refused, the inputs before it are still imported (evaluated and committed),
 * *imported says how many, and the refusal is returned with err; on an internal error
 * nothing is stored and *imported is 0.
 */
int lifecycle_import_inputs(store *s, engine *e, const ocds_batch *batches, size_t n,
                            const char *forced_set, int64_t now_days, import_stats *stats,
                            size_t *imported, anbud_err *err);

/*
 * As lifecycle_import_inputs, over inputs read one process at a time (ocds_source): memory
 * holds one process, the sources' indexes and, per new process, a few numbers until it is
 * evaluated. Processes are evaluated input by input, buyer by buyer.
 */
int lifecycle_import_sources(store *s, engine *e, ocds_source *const *srcs, size_t n,
                             const char *forced_set, int64_t now_days, import_stats *stats,
                             size_t *imported, anbud_err *err);

/* Ids of the events an input added. */
typedef struct accepted_events {
    int64_t *ids;
    size_t n, cap;
} accepted_events;

/*
 * The service's first step: stores the releases of one input as events not yet evaluated
 * (with the same checks as import), in one transaction, and appends the new event ids.
 * When it returns 0 the events are durable. stats->verdicts stays 0.
 */
int lifecycle_accept(store *s, const engine *e, const ocds_batch *batch, const char *forced_set,
                     accepted_events *ids, import_stats *stats, anbud_err *err);

/*
 * Decides whether an input may store a process. Asked first, for a process already
 * stored, with merged = 0 and the kommunenummer of its stored buyer ("" when it has
 * none), before any release of the input is checked against what is stored; then, once
 * the input's releases are merged, with merged = 1 and the buyer's kommunenummer after
 * them (NULL when the buyer has none). Returns 0 to allow; else fills err.
 */
typedef int (*lifecycle_allow_fn)(void *arg, const char *ocid, int merged,
                                  const char *municipality, anbud_err *err);

/*
 * As lifecycle_accept, asking `allow` about each process of the input once its releases
 * are merged: when it refuses one, nothing of the input is stored and the return is 1
 * (err says why). Called with a transaction open (the service's), the input is a
 * savepoint within it instead of a transaction of its own: all or nothing as well, and
 * durable only once the caller commits.
 */
int lifecycle_accept_checked(store *s, const engine *e, const ocds_batch *batch,
                             const char *forced_set, lifecycle_allow_fn allow, void *arg,
                             accepted_events *ids, import_stats *stats, anbud_err *err);

/* A process as it stands after the last new event an input stored of it. */
typedef struct accepted_state {
    int64_t event_id;
    json_t *compiled; /* a reference (json_decref); nobody changes it */
} accepted_state;

typedef struct accepted_states {
    accepted_state *items;
    size_t n, cap;
} accepted_states;

void accepted_states_free(accepted_states *a);

/*
 * As lifecycle_accept_checked, and appends to kept, for each process the input stored
 * events of, its compiled release after the last of them: what evaluating that event
 * would merge again from the stored releases (lifecycle_evaluate_event_as). Nothing is
 * appended when it fails.
 */
int lifecycle_accept_kept(store *s, const engine *e, const ocds_batch *batch,
                          const char *forced_set, lifecycle_allow_fn allow, void *arg,
                          accepted_events *ids, accepted_states *kept, import_stats *stats,
                          anbud_err *err);

/*
 * Evaluates one stored event in its own transaction, when it is still unevaluated (else
 * does nothing): the check and the verdicts with the done-mark are one transaction, so no
 * event is evaluated twice. *evaluated says whether it ran.
 */
int lifecycle_evaluate_one(store *s, engine *e, int64_t event_id, int64_t now_days,
                           verdict_list *out, int *evaluated, anbud_err *err);

/*
 * Timed re-checks: for each process with a re-check due on or before `today` at the stage
 * it is still at, adds one event of kind "recheck" at that stage (evaluated like any event:
 * every rule of the stage runs again) and deletes those re-checks, in one transaction.
 * Re-checks of a stage the process has left are deleted (*dropped counts them); a process
 * re-checked at a stage once today already has its due re-checks moved to tomorrow. The
 * new event ids are appended to ids.
 */
int lifecycle_schedule_rechecks(store *s, int64_t today, accepted_events *ids, size_t *dropped,
                                anbud_err *err);

/*
 * Evaluates one stored event: the rules of its stage against its process as it stood
 * after it; writes the verdicts and marks it evaluated (inside the caller's transaction).
 * The verdicts are appended to out.
 */
int lifecycle_evaluate_event(store *s, engine *e, int64_t event_id, int64_t now_days,
                             verdict_list *out, anbud_err *err);

/*
 * As lifecycle_evaluate_event; compiled, when not NULL, is the process as it stood after
 * the event (kept from accepting it: lifecycle_accept_kept), used instead of merging its
 * stored releases again.
 */
int lifecycle_evaluate_event_as(store *s, engine *e, int64_t event_id, const json_t *compiled,
                                int64_t now_days, verdict_list *out, anbud_err *err);

/*
 * Evaluates up to max events stored but not yet evaluated, oldest first, each in its own
 * transaction (after a crash, this finishes what was accepted). *done counts them.
 */
int lifecycle_evaluate_pending(store *s, engine *e, int64_t now_days, size_t max, size_t *done,
                               anbud_err *err);

/* What a recheck asks for. */
typedef struct recheck_request {
    const char *ruleset;      /* only processes whose set is this one or extends it; or NULL */
    const char *municipality; /* only processes of this buyer kommunenummer; or NULL */
    int64_t now_days;
    size_t batch;             /* processes per transaction (0: 2 000) */
} recheck_request;

typedef struct recheck_stats {
    size_t processes; /* re-checked */
    size_t verdicts;
    size_t findings;  /* fail or error verdicts */
} recheck_stats;

/*
 * After a rule change: evaluates every stored process selected by req at its current stage
 * with the rule set it is checked with as now loaded, and records the verdicts under a new
 * event of kind "recheck" ("recheck-<stage>-<time>"). Before anything is stored, every rule
 * set the selected processes use must be loaded (else ANBUD_EINPUT). The processes are read
 * and written in batches of req->batch, one transaction each, so memory stays bounded; an
 * error stops at the batch it happens in, leaving the batches before it recorded.
 */
int lifecycle_recheck(store *s, engine *e, const recheck_request *req, recheck_stats *stats,
                      anbud_err *err);

/* What an advance asks for. */
typedef struct advance_request {
    const char *ocid;
    ocds_stage to;
    const ocds_batch *release; /* NULL, or one release of this process at stage `to` */
    const char *force_reason;  /* non-NULL: move even when gates fail, and record why */
    const char *by;            /* who forces it */
    int64_t now_days;
} advance_request;

/*
 * Moves a stored process to a stage (the same stage: an update). Runs the rules of that
 * stage. When a gate rule of that stage gives fail or error, the move is refused
 * (returns 1, nothing stored, the failing gates in *refusals) unless force_reason is set,
 * in which case it is made and recorded with the reason. Returns 0 when moved.
 */
int lifecycle_advance(store *s, engine *e, const advance_request *req, verdict_list *refusals,
                      anbud_err *err);

#endif
