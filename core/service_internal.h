/*
 * service_internal: what the service's files share; not for other modules.
 *   service.c          the loop: start, signals, stop, the evaluation pump, re-check timer
 *   service_http.c     libh2o: listening, routing, tokens, the endpoints
 *   service_reload.c   watching rule set folders, reloading, rule sets as JSON
 *   service_metrics.c  counters and the Prometheus text
 */
#ifndef ANBUD_SERVICE_INTERNAL_H
#define ANBUD_SERVICE_INTERNAL_H

#include <jansson.h>
#include <uv.h>

#include "engine.h"
#include "lifecycle.h"
#include "service.h"
#include "store.h"

/* ---- metrics ----------------------------------------------------------------------- */

#define SERVICE_HIST_BUCKETS 10

typedef struct service_counter {
    char *labels; /* the label text inside {}, already escaped */
    uint64_t value;
} service_counter;

typedef struct service_counters {
    service_counter *items;
    size_t n, cap;
} service_counters;

/* Latency of one event, from the request that brought it to the commit of its verdicts
 * (monotonic clock, uv_hrtime): a fine histogram, exposed as anbud_event_latency_seconds. */
#define SERVICE_LAT_BUCKETS 51

typedef struct service_latency {
    uint64_t buckets[SERVICE_LAT_BUCKETS + 1]; /* the last is +Inf */
    double sum, max;
    uint64_t count;
} service_latency;

/* An event stored and not yet evaluated: when its request arrived and when it was stored. */
typedef struct service_waiting {
    int64_t id; /* 0 once evaluated */
    uint64_t received, stored;
} service_waiting;

typedef struct service_metrics {
    service_counters requests;    /* endpoint, status */
    service_counters rule_runs;   /* rule */
    service_counters rule_errors; /* rule */
    uint64_t events_accepted, releases_duplicate, events_evaluated, evaluation_failures;
    uint64_t rechecks_fired, reloads_ok, reloads_failed;
    uint64_t eval_buckets[SERVICE_HIST_BUCKETS + 1]; /* the last is +Inf */
    double eval_seconds;
    uint64_t eval_count;
    service_latency from_received, from_stored;
    service_waiting *waiting; /* by id, oldest first, from head */
    size_t head, n_waiting, cap_waiting;
} service_metrics;

/* ---- reload status ----------------------------------------------------------------- */

/* What the service knows of one rule set's loading, kept across reloads. */
typedef struct service_set_status {
    char *id;
    char version[33];
    char loaded_at[21];
    char *error; /* the last reload that touched this set failed: why; else NULL */
    char error_at[21];
    int dirty; /* its files changed since the engine in force was loaded */
} service_set_status;

/* What the loop's open transaction did, noted in the metrics once it commits: an event
 * stored (received: when its request arrived) or evaluated (received 0). */
typedef struct service_txn_event {
    int64_t id;
    uint64_t received;
} service_txn_event;

typedef struct service_watch service_watch;
typedef struct service_http service_http;

typedef struct service {
    const service_options *opt;
    uv_loop_t loop;
    store *db;
    engine *eng;
    FILE *log;
    sbuf logbuf; /* lines of this turn of the loop, written before it polls */

    service_http *http;

    /* durability: events are committed without a sync; a thread fdatasyncs the -wal file
     * and the 202s of every commit before that sync go out after it (group commit). Another
     * connection checkpoints the WAL on a thread, so no commit on the loop does. */
    uv_work_t sync_work, ckpt_work;
    int syncing, checkpointing;
    int wal_fd;        /* the -wal file (the database when there is none); -1 until needed */
    int sync_errno;    /* of the fdatasync in flight */
    size_t sync_cover; /* replies waiting that the sync in flight makes durable */
    store *ckpt_db;
    /* one transaction per turn of the loop: the requests of the turn store their events
     * and the evaluation pump its verdicts in it (each a savepoint), and the prepare handle
     * commits it before the loop polls again, so one commit (and one WAL append) carries
     * everything of a turn, and an event accepted and evaluated in one turn is one commit */
    int txn;
    uv_prepare_t flush;
    service_txn_event *txn_events;
    size_t n_txn_events, cap_txn_events;
    int ckpt_rc, ckpt_frames, ckpt_copied;
    anbud_err ckpt_err;
    uint64_t commits; /* since the last checkpoint began */
    uv_timer_t ckpt_timer;

    /* evaluation */
    /* the processes as accepted after their last new event, by event id (ascending): the
     * pump evaluates from them instead of merging the stored releases again; at most
     * SERVICE_KEPT_MAX, forgotten when a commit fails (the ids may be used again) */
    accepted_states kept;
    uv_idle_t pump;
    int pumping;
    int64_t cursor; /* last event id tried in this pass */
    size_t failed_in_pass;
    uv_timer_t retry;   /* retries events that failed, later */
    uv_timer_t recheck; /* the earliest due timed re-check */

    /* reload */
    service_watch *watches;
    uv_timer_t debounce;
    char trigger[512]; /* what the pending reload is for */
    service_set_status *sets;
    size_t n_sets;
    char reload_at[21];
    char *reload_error; /* the last reload failed: why; NULL when it loaded */
    char reload_trigger[512];

    uv_signal_t sig_term, sig_int, sig_hup;
    uv_timer_t linger; /* waits for open connections when stopping */
    uint64_t stop_started;
    int stopping;
    int failed; /* a fatal error stopped the loop */

    service_metrics metrics;
} service;

/* service.c */
/* "Today" for the rules and the re-checks: --now when given, else the real UTC date. */
int64_t service_today(const service *svc);
/* Writes one log line: the time, then the message (kept until the turn of the loop ends,
 * or service_log_write). */
void service_log(service *svc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes the log lines kept so far. */
void service_log_write(service *svc);
/* Starts a timer; a failure (only when the service is stopping) is logged. */
void service_timer(service *svc, uv_timer_t *t, uv_timer_cb cb, uint64_t ms, uint64_t repeat);
/* Starts evaluating stored events on the loop (after an accept, a reload, a re-check). */
void service_wake(service *svc);
/* Where an accepting request keeps the processes it stored for the pump; NULL when
 * enough are kept (they are then merged again from the store). */
accepted_states *service_kept(service *svc);
/* Asks for the WAL to be synced (a reply waits for it); service_http_durable follows. */
void service_sync(service *svc);
/* Opens the loop's transaction unless it is open; 0 or an error code (err). */
int service_txn(service *svc, anbud_err *err);
/* Notes in the loop's transaction an event stored (received: its request's time) or
 * evaluated (received 0), for the metrics once it commits. */
void service_txn_note(service *svc, int64_t id, uint64_t received);
/* Commits the loop's transaction when one is open (its 202s then wait for the sync, or
 * answer 503 when the commit fails). Anything else that uses the store calls it first. */
int service_flush(service *svc); /* -1 when the commit failed */

/* service_api.c: what one request answers. */
typedef struct service_reply {
    int status;
    const char *endpoint; /* the route, for metrics: "/v1/processes/{ocid}" */
    const char *type;     /* NULL: JSON */
    const char *allow;    /* for 405 */
    sbuf body;
    char tenant[8]; /* the token's kommunenummer, once checked */
    char note[96];  /* for the log line */
} service_reply;

/* A request as the endpoints see it (service_http.c fills it from libh2o's). */
typedef struct service_request {
    const char *method; /* "GET", "POST" ... */
    const char *path;   /* the raw path, without the query */
    size_t path_len;
    const char *query; /* after '?', "" when none */
    size_t query_len;
    const char *body; /* NULL when none */
    size_t body_len;
    const char *authorization; /* the header's value, NULL when absent */
    size_t authorization_len;
    uint64_t received; /* uv_hrtime() when the handler got the request, body read */
} service_request;

void service_api_route(service *svc, const service_request *rq, service_reply *r);
/* "OK", "Accepted" ... for a status. */
const char *service_reason(int status);

/* service_http.c */
int service_http_start(service *svc, anbud_err *err);
void service_http_stop_accepting(service *svc);
size_t service_http_connections(const service *svc);
/* Disposes of the HTTP context once no connection is open; returns 0 when it did. */
int service_http_close(service *svc);
/* Frees the HTTP side once the loop has run every close callback. */
void service_http_free(service *svc);
/* Replies waiting for the WAL to be synced. */
size_t service_http_waiting(const service *svc);
/* Sends the first n replies waiting (their commits are synced; ok = 0: the sync failed,
 * they answer 503 instead). */
void service_http_durable(service *svc, size_t n, int ok);
/* The loop's transaction ended: its 202s wait for the sync (ok), or answer 503 (its
 * commit failed, nothing of it is stored). */
void service_http_committed(service *svc, int ok);

/* service_reload.c */
int service_reload_start(service *svc, anbud_err *err);
void service_reload_now(service *svc, const char *trigger);
void service_reload_stop(service *svc);
void service_reload_free(service *svc);
/* The rule sets in force, as JSON: every set (summary), one set (full), NULL when unknown. */
json_t *service_rulesets_json(service *svc);
json_t *service_ruleset_json(service *svc, const char *id);
/* Kommunenummer whose processes a token for `code` sees: its own, and the members of each
 * cooperation it hosts. Sorted, unique; *n of them written to out (at most max). */
size_t service_visible_codes(const service *svc, const char *code, char (*out)[8], size_t max);

/* service_metrics.c */
void service_metrics_request(service *svc, const char *endpoint, int status);
void service_metrics_evaluated(service *svc, const verdict_list *l, double seconds);
/* Notes events just stored (ids ascending) with the times of their request and commit. */
void service_metrics_stored(service *svc, const int64_t *ids, size_t n, uint64_t received,
                            uint64_t stored);
/* Notes that an event's verdicts were committed at `at` (uv_hrtime). */
void service_metrics_committed(service *svc, int64_t id, uint64_t at);
int service_metrics_render(service *svc, sbuf *out);
void service_metrics_free(service_metrics *m);

#endif
