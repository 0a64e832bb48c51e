/*
 * service: the loop of `anbud serve`. Starting (store, engine, watchers, listener), the
 * evaluation pump (stored events oldest first, in slices so requests stay answered), the
 * timer of timed re-checks, signals (SIGTERM and SIGINT stop, SIGHUP reloads), stopping
 * (no new connections, everything stored evaluated, store closed) and the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "service_internal.h"

enum {
    PUMP_BATCH = 16,              /* events read from the queue at a time */
    PUMP_SLICE_MS = 2,
    PENDING_COUNTED = 1000,       /* the log of a slice counts the queue up to this */            /* evaluation time before the loop answers requests again */
    STOP_SLICE_MS = 50,           /* the same when stopping (no requests to answer) */
    CHECKPOINT_MS = 100,          /* how often the WAL is checkpointed when it was written */
    WAL_RESTART_FRAMES = 65536,   /* 256 MiB of 4 KiB pages: see checkpoint_on_loop */
    RETRY_MS = 30 * 1000,         /* an event that failed to evaluate is tried again after */
    RECHECK_MAX_MS = 3600 * 1000, /* the re-check timer looks again at least hourly */
    RECHECK_RETRY_MS = 60 * 1000,
    LINGER_MS = 3000, /* when stopping, how long open connections may finish */
    LOG_BUFFER = 64 * 1024, /* log lines kept before a write, within one turn of the loop */
    KEPT_MAX = 1024,        /* accepted processes kept for the pump (svc->kept) */
};

int64_t service_today(const service *svc)
{
    return svc->opt->fixed_day ? svc->opt->now_days : date_today();
}

void service_log_write(service *svc)
{
    if (svc->log && svc->logbuf.len) {
        fwrite(svc->logbuf.data, 1, svc->logbuf.len, svc->log);
        fflush(svc->log);
    }
    svc->logbuf.len = 0;
}

void service_log(service *svc, const char *fmt, ...)
{
    if (!svc->log)
        return;
    struct timespec ts;
    struct tm tm;
    char when[96] = "?", line[1024];
    if (clock_gettime(CLOCK_REALTIME, &ts) == 0 && gmtime_r(&ts.tv_sec, &tm))
        snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    char *text = n >= 0 && (size_t)n >= sizeof line ? malloc((size_t)n + 1) : NULL;
    if (text)
        vsnprintf(text, (size_t)n + 1, fmt, again);
    va_end(again);
    const char *msg = text ? text : line; /* cut at 1 KiB when memory is short */
    /* kept until the loop's turn ends (on_flush), written at once when memory is short */
    if (sbuf_printf(&svc->logbuf, "%s anbud: %s\n", when, msg)) {
        service_log_write(svc);
        fprintf(svc->log, "%s anbud: %s\n", when, msg);
        fflush(svc->log);
    } else if (svc->logbuf.len >= LOG_BUFFER) {
        service_log_write(svc);
    }
    free(text);
}

void service_timer(service *svc, uv_timer_t *t, uv_timer_cb cb, uint64_t ms, uint64_t repeat)
{
    int rc = uv_timer_start(t, cb, ms, repeat);
    if (rc) /* only a handle being closed refuses: the service is stopping */
        service_log(svc, "timer: %s", uv_strerror(rc));
}

static void on_retry(uv_timer_t *t);

/* ---- durability: group commit and checkpoints, off the loop ------------------------- */

/* On a thread: fdatasync of the -wal file, which holds every commit made so far. */
static void sync_run(uv_work_t *w)
{
    service *svc = w->data;
    struct stat st;
    svc->sync_errno = 0;
    if (svc->wal_fd >= 0 && fstat(svc->wal_fd, &st) == 0 && st.st_nlink == 0) {
        close(svc->wal_fd); /* the WAL was deleted and made anew: open the new one */
        svc->wal_fd = -1;
    }
    if (svc->wal_fd < 0) {
        sbuf path = {0};
        if (sbuf_printf(&path, "%s-wal", svc->opt->db) == 0)
            svc->wal_fd = open(path.data, O_RDONLY | O_CLOEXEC);
        sbuf_free(&path);
        if (svc->wal_fd < 0) /* not in WAL mode: commits with NORMAL synced the database */
            svc->wal_fd = open(svc->opt->db, O_RDONLY | O_CLOEXEC);
    }
    if (svc->wal_fd < 0 || fdatasync(svc->wal_fd) != 0)
        svc->sync_errno = errno ? errno : EIO;
}

static void sync_done(uv_work_t *w, int status)
{
    service *svc = w->data;
    int ok = status == 0 && svc->sync_errno == 0;
    svc->syncing = 0;
    if (!ok)
        service_log(svc, "sync of %s-wal: %s; %zu requests answered 503 (their events may "
                    "be stored; sending again is safe)",
                    svc->opt->db, status ? uv_strerror(status) : strerror(svc->sync_errno),
                    svc->sync_cover);
    service_http_durable(svc, svc->sync_cover, ok);
    service_sync(svc); /* replies that came while this one ran */
}

void service_sync(service *svc)
{
    if (svc->syncing)
        return;
    svc->sync_cover = service_http_waiting(svc);
    if (!svc->sync_cover)
        return;
    svc->sync_work.data = svc;
    int rc = uv_queue_work(&svc->loop, &svc->sync_work, sync_run, sync_done);
    if (rc) {
        service_log(svc, "sync: %s", uv_strerror(rc));
        service_http_durable(svc, svc->sync_cover, 0);
        return;
    }
    svc->syncing = 1;
}

/* ---- the loop's transaction --------------------------------------------------------- */

int service_txn(service *svc, anbud_err *err)
{
    if (svc->txn)
        return 0;
    int rc = store_begin(svc->db, err);
    svc->txn = rc == 0;
    return rc;
}

void service_txn_note(service *svc, int64_t id, uint64_t received)
{
    service_txn_event *grown =
        array_grow(svc->txn_events, &svc->cap_txn_events, svc->n_txn_events, sizeof *grown);
    if (!grown)
        return; /* memory running out loses a measurement */
    svc->txn_events = grown;
    svc->txn_events[svc->n_txn_events++] = (service_txn_event){id, received};
}

int service_flush(service *svc)
{
    if (!svc->txn)
        return 0;
    anbud_err err;
    svc->txn = 0;
    int ok = 1;
    if (!store_in_transaction(svc->db)) { /* SQLite rolled it back itself (disk full, I/O) */
        ok = 0;
        snprintf(err.msg, sizeof err.msg, "%s: the transaction was rolled back", svc->opt->db);
    } else if (store_commit(svc->db, &err)) {
        ok = 0;
        store_rollback(svc->db);
    }
    uint64_t at = uv_hrtime();
    size_t stored = 0, evaluated = 0;
    for (size_t i = 0; i < svc->n_txn_events; i++) {
        service_txn_event *e = &svc->txn_events[i];
        stored += e->received != 0;
        evaluated += e->received == 0;
        if (ok && e->received)
            service_metrics_stored(svc, &e->id, 1, e->received, at);
        else if (ok)
            service_metrics_committed(svc, e->id, at);
    }
    svc->n_txn_events = 0;
    if (!ok) /* the events of this transaction are gone: their ids may be used again */
        accepted_states_free(&svc->kept);
    if (ok) {
        svc->commits++;
    } else { /* its events are not stored; its evaluations are tried again */
        service_log(svc,
                    "commit: %s; %zu events not stored (their requests answered 503), %zu "
                    "evaluations undone (tried again in %d s)",
                    err.msg, stored, evaluated, RETRY_MS / 1000);
        svc->metrics.evaluation_failures += evaluated;
        svc->failed_in_pass += evaluated > 0;
        if (evaluated && !svc->pumping)
            service_timer(svc, &svc->retry, on_retry, RETRY_MS, 0);
    }
    service_http_committed(svc, ok);
    service_sync(svc);
    return ok ? 0 : -1;
}

/* Before the loop polls: commits what this turn did, writes its log lines. */
static void on_flush(uv_prepare_t *h)
{
    service *svc = h->data;
    service_flush(svc);
    service_log_write(svc);
}

static void checkpoint_run(uv_work_t *w)
{
    service *svc = w->data;
    svc->ckpt_rc = store_checkpoint(svc->ckpt_db, &svc->ckpt_frames, &svc->ckpt_copied,
                                    &svc->ckpt_err);
}

/*
 * The checkpoints on the thread copy the WAL while the loop keeps committing, so the WAL
 * is rarely copied whole at the moment a commit begins, and only then does it start again
 * from its beginning instead of growing. So when it holds more than WAL_RESTART_FRAMES (or
 * any frames while no commit came for a whole period), the loop checkpoints once itself,
 * between commits: it copies what came during the last checkpoint and syncs (two fsyncs,
 * which stall the loop), and the next commit starts the WAL over.
 */
static void checkpoint_on_loop(service *svc)
{
    int frames = 0, copied = 0;
    anbud_err err;
    uint64_t t0 = uv_hrtime();
    service_flush(svc); /* a checkpoint needs no transaction open on the connection */
    if (store_checkpoint(svc->db, &frames, &copied, &err))
        service_log(svc, "checkpoint: %s", err.msg);
    else
        service_log(svc, "checkpoint of %d WAL frames on the loop in %.1f ms; the WAL starts "
                    "over", frames, (double)(uv_hrtime() - t0) / 1e6);
    svc->ckpt_frames = 0;
}

static void checkpoint_done(uv_work_t *w, int status)
{
    service *svc = w->data;
    svc->checkpointing = 0;
    if (status || svc->ckpt_rc)
        service_log(svc, "checkpoint: %s", status ? uv_strerror(status) : svc->ckpt_err.msg);
    else if (svc->ckpt_frames >= WAL_RESTART_FRAMES && !svc->stopping)
        checkpoint_on_loop(svc);
}

static void on_checkpoint(uv_timer_t *t)
{
    service *svc = t->data;
    if (svc->checkpointing)
        return;
    if (svc->commits == 0) { /* quiet: start the WAL over if it holds anything */
        if (svc->ckpt_frames > 0)
            checkpoint_on_loop(svc);
        return;
    }
    svc->commits = 0;
    svc->ckpt_work.data = svc;
    int rc = uv_queue_work(&svc->loop, &svc->ckpt_work, checkpoint_run, checkpoint_done);
    if (rc)
        service_log(svc, "checkpoint: %s", uv_strerror(rc));
    else
        svc->checkpointing = 1;
}

/* ---- evaluation -------------------------------------------------------------------- */

accepted_states *service_kept(service *svc)
{
    return svc->kept.n < KEPT_MAX ? &svc->kept : NULL;
}

/* Takes the process kept for an event (a reference), or NULL; forgets any kept for older
 * events (evaluated already, or by another way). */
static json_t *take_kept(service *svc, int64_t id)
{
    accepted_states *k = &svc->kept;
    size_t i = 0;
    json_t *compiled = NULL;
    if (k->n == 0) /* (items may be NULL: no memmove from it) */
        return NULL;
    for (; i < k->n && k->items[i].event_id <= id; i++) {
        if (k->items[i].event_id == id)
            compiled = k->items[i].compiled;
        else
            json_decref(k->items[i].compiled);
    }
    memmove(k->items, k->items + i, (k->n - i) * sizeof *k->items);
    k->n -= i;
    return compiled;
}

static void recheck_arm(service *svc);

/* Evaluates one event inside the loop's transaction, under a savepoint so that a failure
 * undoes only this event (it stays pending, tried again later). 1 when it ran, 0 when it
 * was evaluated already, -1 on failure. */
static int evaluate_in_txn(service *svc, int64_t id, verdict_list *l, anbud_err *err)
{
    int pending = 0;
    json_t *kept = take_kept(svc, id);
    int rc = store_savepoint(svc->db, err);
    if (!rc) {
        rc = store_event_pending(svc->db, id, &pending, err);
        if (!rc && pending)
            rc = lifecycle_evaluate_event_as(svc->db, svc->eng, id, kept, service_today(svc), l,
                                             err);
        if (rc)
            store_rollback_savepoint(svc->db);
        else
            rc = store_release_savepoint(svc->db, err);
    }
    json_decref(kept);
    return rc ? -1 : pending;
}

/*
 * Evaluates pending events after the cursor for about slice_ms, in the loop's transaction
 * (committed before the loop polls again); *more when it found any (call again: there may
 * be others). Logs one line per slice that did something.
 */
static void pump_slice(service *svc, uint64_t slice_ms, int *more)
{
    int64_t ids[PUMP_BATCH];
    size_t n = 0, done = 0, verdicts = 0, findings = 0, failed = 0;
    anbud_err err;
    uint64_t start = uv_hrtime();
    *more = 0;
    if (store_pending_after(svc->db, svc->cursor, PUMP_BATCH, ids, &n, &err) ||
        (n > 0 && service_txn(svc, &err))) {
        service_log(svc, "evaluate: %s (tried again in %d s)", err.msg, RETRY_MS / 1000);
        svc->failed_in_pass++;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        verdict_list l = {0};
        uint64_t t0 = uv_hrtime();
        int rc = evaluate_in_txn(svc, ids[i], &l, &err);
        svc->cursor = ids[i];
        if (rc < 0) {
            failed++;
            svc->failed_in_pass++;
            svc->metrics.evaluation_failures++;
            service_log(svc, "evaluate: event %lld: %s (tried again in %d s)", (long long)ids[i],
                        err.msg, RETRY_MS / 1000);
        } else if (rc > 0) {
            done++;
            verdicts += l.n;
            for (size_t k = 0; k < l.n; k++)
                findings +=
                    l.items[k].outcome == OUTCOME_FAIL || l.items[k].outcome == OUTCOME_ERROR;
            service_metrics_evaluated(svc, &l, (double)(uv_hrtime() - t0) / 1e9);
            service_txn_note(svc, ids[i], 0);
        }
        verdict_list_free(&l);
        if ((uv_hrtime() - start) / 1000000 >= slice_ms)
            break;
    }
    *more = n > 0;
    if (done || failed) { /* a long queue is not counted whole on every slice */
        int64_t pending = -1;
        if (store_pending_count_upto(svc->db, PENDING_COUNTED + 1, &pending, &err))
            pending = -1;
        service_log(svc,
                    "evaluated %zu events (%zu verdicts, %zu fail or error%s) in %.1f ms; "
                    "%s%lld pending",
                    done, verdicts, findings, failed ? ", some events failed" : "",
                    (double)(uv_hrtime() - start) / 1e6, pending > PENDING_COUNTED ? "over " : "",
                    (long long)(pending > PENDING_COUNTED ? PENDING_COUNTED : pending));
    }
    if (done)
        recheck_arm(svc); /* the verdicts may have asked for re-checks */
}

static void on_retry(uv_timer_t *t)
{
    service *svc = t->data;
    svc->cursor = 0;
    service_wake(svc);
}

static void on_pump(uv_idle_t *h)
{
    service *svc = h->data;
    int more;
    pump_slice(svc, PUMP_SLICE_MS, &more);
    if (more)
        return;
    uv_idle_stop(&svc->pump);
    svc->pumping = 0;
    if (svc->failed_in_pass) { /* go round again later, from the oldest */
        svc->failed_in_pass = 0;
        service_timer(svc, &svc->retry, on_retry, RETRY_MS, 0);
    }
}

void service_wake(service *svc)
{
    if (svc->pumping || svc->stopping)
        return;
    int rc = uv_idle_start(&svc->pump, on_pump);
    if (rc)
        service_log(svc, "evaluate: %s", uv_strerror(rc));
    else
        svc->pumping = 1;
}

/* ---- timed re-checks --------------------------------------------------------------- */

static void on_recheck(uv_timer_t *t)
{
    service *svc = t->data;
    accepted_events ids = {0};
    size_t dropped = 0;
    anbud_err err;
    int64_t today = service_today(svc);
    service_flush(svc); /* the re-checks are a transaction of their own */
    if (lifecycle_schedule_rechecks(svc->db, today, &ids, &dropped, &err)) {
        service_log(svc, "re-check: %s (tried again in %d s)", err.msg, RECHECK_RETRY_MS / 1000);
        service_timer(svc, &svc->recheck, on_recheck, RECHECK_RETRY_MS, 0);
        free(ids.ids);
        return;
    }
    if (ids.n || dropped) {
        char day[11];
        date_format(today, day);
        service_log(svc,
                    "re-check %s: %zu processes re-run at their stage; %zu re-checks of "
                    "stages left behind dropped",
                    day, ids.n, dropped);
    }
    svc->metrics.rechecks_fired += ids.n;
    free(ids.ids);
    if (ids.n)
        service_wake(svc);
    recheck_arm(svc);
}

/* Sets the timer for the earliest due re-check (now, when one is already due). */
static void recheck_arm(service *svc)
{
    if (svc->stopping)
        return;
    int64_t due = 0;
    anbud_err err;
    int rc = store_recheck_next(svc->db, &due, &err);
    if (rc < 0) {
        service_log(svc, "re-check: %s (tried again in %d s)", err.msg, RECHECK_RETRY_MS / 1000);
        service_timer(svc, &svc->recheck, on_recheck, RECHECK_RETRY_MS, 0);
        return;
    }
    if (rc == 1) {
        uv_timer_stop(&svc->recheck);
        return;
    }
    uint64_t delay = 0;
    if (due > service_today(svc)) {
        if (svc->opt->fixed_day) { /* --now: that day never ends */
            uv_timer_stop(&svc->recheck);
            return;
        }
        struct timespec ts;
        int64_t ms = RECHECK_MAX_MS;
        if (clock_gettime(CLOCK_REALTIME, &ts) == 0) /* until 00:00 UTC of the due day */
            ms = (due * 86400 - (int64_t)ts.tv_sec) * 1000 - ts.tv_nsec / 1000000;
        delay = ms < 0 ? 0 : ms > RECHECK_MAX_MS ? RECHECK_MAX_MS : (uint64_t)ms;
    }
    service_timer(svc, &svc->recheck, on_recheck, delay, 0);
}

/* ---- stopping ---------------------------------------------------------------------- */

static void close_handle(uv_handle_t *h)
{
    if (h->loop && !uv_is_closing(h))
        uv_close(h, NULL);
}

/* Closes every handle of the loop the service owns (not HTTP's). */
static void close_own_handles(service *svc)
{
    service_reload_stop(svc);
    close_handle((uv_handle_t *)&svc->pump);
    close_handle((uv_handle_t *)&svc->retry);
    close_handle((uv_handle_t *)&svc->recheck);
    close_handle((uv_handle_t *)&svc->linger);
    close_handle((uv_handle_t *)&svc->ckpt_timer);
    close_handle((uv_handle_t *)&svc->flush);
    close_handle((uv_handle_t *)&svc->sig_term);
    close_handle((uv_handle_t *)&svc->sig_int);
    close_handle((uv_handle_t *)&svc->sig_hup);
}

static void finish_stop(service *svc)
{
    size_t open = service_http_connections(svc);
    close_own_handles(svc);
    if (service_http_close(svc) != 0) {
        service_log(svc, "stopping with %zu connections still open", open);
        uv_stop(&svc->loop);
    }
}

static void on_linger(uv_timer_t *t)
{
    service *svc = t->data;
    if (service_http_connections(svc) == 0 || uv_now(&svc->loop) - svc->stop_started >= LINGER_MS)
        finish_stop(svc);
}

static void begin_stop(service *svc, const char *why)
{
    if (svc->stopping)
        return;
    service_log(svc, "%s: stopping; no new connections, evaluating what is stored", why);
    svc->stopping = 1;
    service_http_stop_accepting(svc);
    service_reload_stop(svc);
    uv_idle_stop(&svc->pump);
    uv_timer_stop(&svc->retry);
    uv_timer_stop(&svc->recheck);
    svc->cursor = 0;
    int more = 1;
    while (more) {
        pump_slice(svc, STOP_SLICE_MS, &more);
        service_flush(svc);
    }
    int64_t pending = 0;
    anbud_err err;
    if (store_pending_count(svc->db, &pending, &err) == 0 && pending > 0)
        service_log(svc,
                    "%lld events could not be evaluated; they are evaluated at the next "
                    "start",
                    (long long)pending);
    close_handle((uv_handle_t *)&svc->sig_term);
    close_handle((uv_handle_t *)&svc->sig_int);
    close_handle((uv_handle_t *)&svc->sig_hup);
    uv_update_time(&svc->loop); /* the drain may have taken a while */
    svc->stop_started = uv_now(&svc->loop);
    service_timer(svc, &svc->linger, on_linger, 0, 50);
}

static void on_signal(uv_signal_t *h, int signum)
{
    service *svc = h->data;
    if (signum == SIGHUP)
        service_reload_now(svc, "SIGHUP");
    else
        begin_stop(svc, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* ---- start ------------------------------------------------------------------------- */

/* Initialises the service's own handles (none started). */
static int init_handles(service *svc, anbud_err *err)
{
    uv_handle_t *handles[] = {(uv_handle_t *)&svc->pump,     (uv_handle_t *)&svc->retry,
                              (uv_handle_t *)&svc->recheck,  (uv_handle_t *)&svc->linger,
                              (uv_handle_t *)&svc->sig_term, (uv_handle_t *)&svc->sig_int,
                              (uv_handle_t *)&svc->sig_hup,  (uv_handle_t *)&svc->debounce,
                              (uv_handle_t *)&svc->ckpt_timer, (uv_handle_t *)&svc->flush};
    int rc = uv_idle_init(&svc->loop, &svc->pump);
    rc = rc ? rc : uv_timer_init(&svc->loop, &svc->retry);
    rc = rc ? rc : uv_timer_init(&svc->loop, &svc->recheck);
    rc = rc ? rc : uv_timer_init(&svc->loop, &svc->linger);
    rc = rc ? rc : uv_signal_init(&svc->loop, &svc->sig_term);
    rc = rc ? rc : uv_signal_init(&svc->loop, &svc->sig_int);
    rc = rc ? rc : uv_signal_init(&svc->loop, &svc->sig_hup);
    rc = rc ? rc : uv_timer_init(&svc->loop, &svc->debounce);
    rc = rc ? rc : uv_timer_init(&svc->loop, &svc->ckpt_timer);
    rc = rc ? rc : uv_prepare_init(&svc->loop, &svc->flush);
    for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++)
        handles[i]->data = svc;
    rc = rc ? rc : uv_signal_start(&svc->sig_term, on_signal, SIGTERM);
    rc = rc ? rc : uv_signal_start(&svc->sig_int, on_signal, SIGINT);
    rc = rc ? rc : uv_signal_start(&svc->sig_hup, on_signal, SIGHUP);
    rc = rc ? rc : uv_prepare_start(&svc->flush, on_flush);
    return rc ? err_set(err, ANBUD_EINTERNAL, "libuv: %s", uv_strerror(rc)) : 0;
}

/* Opens the store and the rule sets. */
static int open_all(service *svc, anbud_err *err)
{
    const service_options *o = svc->opt;
    int rc = store_open(o->db, &svc->db, err);
    if (!rc) /* commits are synced by sync_run, checkpoints made by checkpoint_run */
        rc = store_checkpoints_manual(svc->db, err);
    if (!rc)
        rc = store_open(o->db, &svc->ckpt_db, err);
    if (rc)
        return rc;
    int code = 0;
    svc->eng = engine_new(o->lua_dir, o->rules_dir, NULL, &code, err);
    if (!svc->eng)
        return code ? code : ANBUD_EINTERNAL;
    if (o->forced_set && !engine_ruleset_by_id(svc->eng, o->forced_set))
        return err_set(err, ANBUD_EINPUT, "--ruleset: no rule set '%s' in %s", o->forced_set,
                       o->rules_dir);
    return 0;
}

/* Frees what the service holds once its loop has ended. */
static void free_all(service *svc, int started)
{
    int64_t pending = 0;
    anbud_err err;
    service_flush(svc);
    while (svc->syncing || svc->checkpointing) /* their threads use what is freed below */
        uv_run(&svc->loop, UV_RUN_ONCE);
    if (started && svc->db && store_pending_count(svc->db, &pending, &err) == 0)
        service_log(svc, "store closed; %lld events pending", (long long)pending);
    if (svc->wal_fd >= 0)
        close(svc->wal_fd);
    store_close(svc->ckpt_db);
    store_close(svc->db);
    engine_free(svc->eng);
    service_reload_free(svc);
    service_metrics_free(&svc->metrics);
    accepted_states_free(&svc->kept);
    free(svc->txn_events);
}

/* Kept when open connections prevented a full clean-up, so what they hold stays reachable. */
static service *leftover;

int service_run(const service_options *o, anbud_err *err)
{
    service *svc = calloc(1, sizeof *svc);
    if (!svc)
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    svc->opt = o;
    svc->log = o->log;
    svc->wal_fd = -1;
    signal(SIGPIPE, SIG_IGN);
    int rc = uv_loop_init(&svc->loop);
    if (rc) {
        free(svc);
        return err_set(err, ANBUD_EINTERNAL, "libuv: %s", uv_strerror(rc));
    }
    rc = init_handles(svc, err);
    if (!rc)
        rc = open_all(svc, err);
    if (!rc)
        rc = service_reload_start(svc, err);
    if (!rc)
        rc = service_http_start(svc, err);
    int64_t pending = 0;
    if (!rc)
        rc = store_pending_count(svc->db, &pending, err);
    if (rc) {
        close_own_handles(svc);
        if (service_http_close(svc) == 0)
            uv_run(&svc->loop, UV_RUN_DEFAULT);
        int clean = uv_loop_close(&svc->loop) == 0;
        free_all(svc, 0);
        service_log_write(svc);
        sbuf_free(&svc->logbuf);
        if (clean) {
            service_http_free(svc);
            free(svc);
        } else {
            leftover = svc;
        }
        return rc;
    }
    char today[11];
    date_format(service_today(svc), today);
    service_log(svc,
                "listening on http://%s (store %s, rules %s, today %s); %lld events "
                "pending from before",
                o->listen, o->db, o->rules_dir, today, (long long)pending);
    service_wake(svc);
    recheck_arm(svc);
    service_timer(svc, &svc->ckpt_timer, on_checkpoint, CHECKPOINT_MS, CHECKPOINT_MS);
    uv_run(&svc->loop, UV_RUN_DEFAULT);
    int clean = service_http_close(svc) == 0;
    if (clean) { /* let the last close callbacks run */
        uv_run(&svc->loop, UV_RUN_DEFAULT);
        clean = uv_loop_close(&svc->loop) == 0;
    }
    free_all(svc, 1);
    service_log(svc, "stopped");
    service_log_write(svc);
    sbuf_free(&svc->logbuf);
    if (clean) {
        service_http_free(svc);
        free(svc);
    } else {
        leftover = svc;
    }
    return 0;
}
