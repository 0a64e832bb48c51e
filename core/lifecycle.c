/*
 * lifecycle: import, accept, evaluate and advance over the store. Two steps underlie all
 * of them: accepting a release (validate its place in the process, store the event and
 * the compiled process) and evaluating an event (the rules of its stage against the
 * process as it stood after it; verdicts and the done-mark written together).
 */
#include "lifecycle.h"

#include <stdlib.h>
#include <string.h>

/* A process during a transaction: what is stored, plus what this input added. */
typedef struct process_state {
    const char *ocid;
    json_t *compiled;
    ocds_stage stage;
    int64_t first_days;
    int exists;
    char ruleset[128]; /* the set it is checked with ("" for a new process) */
} process_state;

static int load_state(store *s, const char *ocid, int64_t first_days, process_state *ps,
                      anbud_err *err)
{
    stored_process sp;
    int rc = store_load_process(s, ocid, &sp, err);
    if (rc < 0)
        return rc;
    ps->ocid = ocid;
    ps->exists = rc == 0;
    ps->compiled = ps->exists ? sp.compiled : json_object();
    ps->stage = ps->exists ? sp.stage : STAGE_NONE;
    ps->first_days = ps->exists ? sp.first_days : first_days;
    snprintf(ps->ruleset, sizeof ps->ruleset, "%s", ps->exists ? sp.ruleset : "");
    return ps->compiled ? 0 : err_set(err, ANBUD_EINTERNAL, "out of memory");
}

/* The set a process is checked with: the one forced, else its buyer's (else `no`). */
static const ruleset *pick_set(const engine *e, const char *forced_set, const char *ocid,
                               const json_t *compiled, anbud_err *err)
{
    const ruleset *set = forced_set && forced_set[0] ? engine_ruleset_by_id(e, forced_set)
                                                     : engine_ruleset_for_process(e, compiled);
    if (!set)
        err_set(err, ANBUD_EINPUT, "%s: %s", ocid,
                forced_set && forced_set[0]
                    ? "its rule set is not loaded"
                    : "no rule set serves the buyer's kommunenummer and there is no 'no'");
    return set;
}

/* Stores one event of ps (already merged) and the process itself. */
static int store_step(store *s, const engine *e, const char *forced_set, process_state *ps,
                      const char *kind, const char *release_id, const char *date,
                      const char *hash, const char *body, int64_t *event_id, anbud_err *err)
{
    const ruleset *set = pick_set(e, forced_set, ps->ocid, ps->compiled, err);
    if (!set)
        return ANBUD_EINPUT;
    snprintf(ps->ruleset, sizeof ps->ruleset, "%s", ruleset_id(set));
    int rc = store_save_process(s, ps->ocid, ps->compiled, ps->stage, ps->first_days,
                                ps->ruleset, err);
    if (!rc)
        rc = store_add_event(s, ps->ocid, kind, release_id, date, ps->stage, hash, body,
                             event_id, err);
    ps->exists = 1;
    return rc;
}

/* Counts an evaluation's verdicts, and those that fail or error. */
static void count_verdicts(const verdict_list *l, size_t *verdicts, size_t *findings)
{
    *verdicts += l->n;
    for (size_t k = 0; k < l->n; k++)
        *findings += l->items[k].outcome == OUTCOME_FAIL || l->items[k].outcome == OUTCOME_ERROR;
}

/* Evaluates an event against its process as it stood after it; writes the verdicts. */
static int evaluate_at(store *s, engine *e, int64_t event_id, const char *ocid,
                       const json_t *compiled, ocds_stage stage, const char *set_id,
                       int64_t first_days, int64_t now_days, verdict_list *out, anbud_err *err)
{
    const ruleset *set = pick_set(e, set_id, ocid, compiled, err);
    engine_store view = store_engine_view(s);
    engine_process ep = {ocid, compiled, stage, first_days};
    int rc = set ? engine_evaluate(e, set, &ep, stage, now_days, &view, out, err) : ANBUD_EINPUT;
    if (!rc)
        rc = store_add_verdicts(s, event_id, ocid, ruleset_id(set), ruleset_version(set), out,
                                err);
    return rc;
}

int lifecycle_evaluate_event(store *s, engine *e, int64_t event_id, int64_t now_days,
                             verdict_list *out, anbud_err *err)
{
    stored_event ev;
    int rc = store_load_event(s, event_id, &ev, err);
    if (rc)
        return rc;
    rc = evaluate_at(s, e, event_id, ev.ocid, ev.compiled, ev.stage, ev.ruleset, ev.first_days,
                     now_days, out, err);
    json_decref(ev.compiled);
    return rc;
}

/* Canonical text of a release and its fingerprint. */
static char *canonical(const json_t *release, char hash[33])
{
    char *text = json_dumps(release, JSON_COMPACT | JSON_SORT_KEYS);
    if (text)
        hash_hex(text, strlen(text), hash);
    return text;
}

/* Refuses a release dated before the newest one the process holds. */
static int check_date(const process_state *ps, const ocds_release *r, anbud_err *err)
{
    int64_t newest;
    const char *d = json_string_value(json_object_get(ps->compiled, "date"));
    if (ps->exists && d && date_parse(d, NULL, &newest) == 0 && r->secs < newest)
        return err_set(err, ANBUD_EINPUT,
                       "%s: release '%s' of %s is dated %s, before the newest stored release "
                       "(%s); anbud applies releases in date order",
                       r->where, r->id, ps->ocid,
                       json_string_value(json_object_get(r->json, "date")), d);
    return 0;
}

/* Appends an id to the list of new events. */
static int push_id(accepted_events *ids, int64_t id)
{
    if (ids->n == ids->cap) {
        size_t cap = ids->cap ? ids->cap * 2 : 16;
        int64_t *grown = realloc(ids->ids, cap * sizeof *grown);
        if (!grown)
            return ANBUD_EINTERNAL;
        ids->ids = grown;
        ids->cap = cap;
    }
    ids->ids[ids->n++] = id;
    return 0;
}

/* Who may store what: the callback of lifecycle_accept_checked and its argument. */
typedef struct accept_guard {
    lifecycle_allow_fn allow;
    void *arg;
} accept_guard;

/* A new release of a process: stored as an event, evaluated later by import. */
typedef struct new_event {
    const ocds_release *r;
    char *body;   /* canonical text, until stored */
    char hash[33];
    const char *id;
    ocds_stage stage; /* the process's stage after it */
    int64_t event_id;
} new_event;

/* What an input adds to one process, for import to evaluate once all is stored. */
typedef struct process_plan {
    const ocds_process *p;
    json_t *initial; /* the stored compiled release before the input; NULL for a new process */
    ocds_stage initial_stage;
    int64_t first_days;
    char ruleset[128];
    new_event *events;
    size_t n;
} process_plan;

static void plan_free(process_plan *plan)
{
    for (size_t i = 0; i < plan->n; i++)
        free(plan->events[i].body);
    free(plan->events);
    json_decref(plan->initial);
    memset(plan, 0, sizeof *plan);
}

/* Whether a release is new: not stored, and not earlier in this input (STORE_*). */
static int release_state(store *s, const process_plan *plan, const char *ocid, const char *id,
                         const char *hash, int *state, anbud_err *err)
{
    int rc = store_release_state(s, ocid, id, hash, state, err);
    for (size_t k = 0; !rc && *state == STORE_NEW && k < plan->n; k++)
        if (strcmp(plan->events[k].id, id) == 0)
            *state = strcmp(plan->events[k].hash, hash) == 0 ? STORE_SAME : STORE_CONFLICT;
    return rc;
}

/* Reads which releases of p are new (into plan->events), refusing a conflict. */
static int sort_releases(store *s, const ocds_process *p, process_plan *plan,
                         import_stats *stats, anbud_err *err)
{
    plan->events = calloc(p->n ? p->n : 1, sizeof *plan->events);
    if (!plan->events)
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < p->n && !rc; i++) {
        const ocds_release *r = p->releases[i];
        new_event *ev = &plan->events[plan->n];
        int state = STORE_NEW;
        stats->releases++;
        ev->body = canonical(r->json, ev->hash);
        if (!ev->body)
            return err_set(err, ANBUD_EINTERNAL, "out of memory");
        ev->id = r->id[0] ? r->id : ev->hash;
        ev->r = r;
        rc = release_state(s, plan, p->ocid, ev->id, ev->hash, &state, err);
        if (!rc && state == STORE_CONFLICT)
            rc = err_set(err, ANBUD_EINPUT, "%s: release '%s' of %s is already stored with "
                                            "other content; a release id names one release",
                         r->where, ev->id, p->ocid);
        if (!rc && state == STORE_NEW) {
            plan->n++;
            continue;
        }
        stats->duplicates += state == STORE_SAME;
        free(ev->body);
        memset(ev, 0, sizeof *ev);
    }
    return rc;
}

/*
 * Merges the new releases into ps. A new process whose every release is new compiles to
 * what ocds_group made of it (the same releases, the same order): that is taken instead of
 * merging again, and each release's stage follows its tags.
 */
static int merge_new(const engine *e, const char *forced_set, const ocds_process *p,
                     process_state *ps, process_plan *plan, anbud_err *err)
{
    if (!ps->exists && plan->n == p->n && p->n > 0) {
        /* the buyer as the first release names it, as when it is merged alone */
        const ruleset *set = pick_set(e, forced_set, p->ocid, p->releases[0]->json, err);
        if (!set)
            return ANBUD_EINPUT;
        snprintf(ps->ruleset, sizeof ps->ruleset, "%s", ruleset_id(set));
        for (size_t i = 0; i < plan->n; i++) {
            if (plan->events[i].r->stage != STAGE_NONE)
                ps->stage = plan->events[i].r->stage;
            plan->events[i].stage = ps->stage;
        }
        json_decref(ps->compiled);
        ps->compiled = json_incref(p->compiled);
        return 0;
    }
    int rc = 0;
    for (size_t i = 0; i < plan->n && !rc; i++) {
        rc = check_date(ps, plan->events[i].r, err);
        if (!rc)
            rc = ocds_apply(ps->compiled, &ps->stage, plan->events[i].r, err);
        plan->events[i].stage = ps->stage;
        if (!rc && (!ps->ruleset[0] || (forced_set && forced_set[0]))) {
            const ruleset *set = pick_set(e, forced_set ? forced_set : ps->ruleset, p->ocid,
                                          ps->compiled, err);
            if (!set)
                return ANBUD_EINPUT;
            snprintf(ps->ruleset, sizeof ps->ruleset, "%s", ruleset_id(set));
        }
    }
    return rc;
}

/* Stores the process and its new events (within the caller's transaction). */
static int store_new(store *s, const process_state *ps, process_plan *plan, accepted_events *ids,
                     import_stats *stats, anbud_err *err)
{
    int rc = store_save_process(s, ps->ocid, ps->compiled, ps->stage, ps->first_days, ps->ruleset,
                                err);
    if (!rc)
        store_view_put(s, ps->ocid, ps->compiled);
    for (size_t i = 0; i < plan->n && !rc; i++) {
        new_event *ev = &plan->events[i];
        rc = store_add_event(s, ps->ocid, "release", ev->id,
                             json_string_value(json_object_get(ev->r->json, "date")), ev->stage,
                             ev->hash, ev->body, &ev->event_id, err);
        free(ev->body);
        ev->body = NULL;
        if (!rc && push_id(ids, ev->event_id))
            rc = err_set(err, ANBUD_EINTERNAL, "out of memory");
        stats->stored += !rc;
    }
    return rc;
}

/* Accepts the releases of one process (within the caller's transaction); fills plan. */
static int accept_process(store *s, const engine *e, const ocds_process *p,
                          const char *forced_set, const accept_guard *guard, process_plan *plan,
                          accepted_events *ids, import_stats *stats, anbud_err *err)
{
    process_state ps;
    int rc = load_state(s, p->ocid, p->first_days, &ps, err);
    /* whose it is, before anything about the stored process shows in a message */
    if (!rc && ps.exists && guard && guard->allow) {
        const char *stored = ocds_buyer_municipality(ps.compiled);
        rc = guard->allow(guard->arg, p->ocid, 0, stored ? stored : "", err) ? 1 : 0;
    }
    plan->p = p;
    if (!rc)
        rc = sort_releases(s, p, plan, stats, err);
    if (!rc && ps.exists && plan->n > 0) {
        plan->initial = json_deep_copy(ps.compiled);
        plan->initial_stage = ps.stage;
        if (!plan->initial)
            rc = err_set(err, ANBUD_EINTERNAL, "out of memory");
    }
    if (!rc && plan->n > 0)
        rc = merge_new(e, forced_set, p, &ps, plan, err);
    if (!rc && guard && guard->allow)
        rc = guard->allow(guard->arg, p->ocid, 1, ocds_buyer_municipality(ps.compiled), err)
                 ? 1
                 : 0;
    if (!rc && plan->n > 0)
        rc = store_new(s, &ps, plan, ids, stats, err);
    plan->first_days = ps.first_days;
    snprintf(plan->ruleset, sizeof plan->ruleset, "%s", ps.ruleset);
    json_decref(ps.compiled);
    return rc;
}

/* Accepts every process of a batch; plans (one per process of the batch's set) are kept
 * in *plans when plans is not NULL. */
static int accept_all(store *s, const engine *e, const ocds_batch *batch, const char *forced_set,
                      const accept_guard *guard, ocds_set *set, process_plan **plans,
                      accepted_events *ids, import_stats *stats, anbud_err *err)
{
    int rc = ocds_group(batch, set, err);
    process_plan *all = rc ? NULL : calloc(set->n ? set->n : 1, sizeof *all);
    if (!rc && !all)
        rc = err_set(err, ANBUD_EINTERNAL, "out of memory");
    for (size_t i = 0; i < set->n && !rc; i++) {
        rc = accept_process(s, e, &set->items[i], forced_set, guard, &all[i], ids, stats, err);
        if (!plans)
            plan_free(&all[i]);
    }
    if (plans && !rc) {
        *plans = all;
        return 0;
    }
    for (size_t i = 0; all && i < set->n; i++)
        plan_free(&all[i]);
    free(all);
    return rc;
}

int lifecycle_accept_checked(store *s, const engine *e, const ocds_batch *batch,
                             const char *forced_set, lifecycle_allow_fn allow, void *arg,
                             accepted_events *ids, import_stats *stats, anbud_err *err)
{
    accept_guard guard = {allow, arg};
    memset(stats, 0, sizeof *stats);
    ocds_set set = {0};
    int rc = store_begin(s, err);
    if (!rc)
        rc = accept_all(s, e, batch, forced_set, &guard, &set, NULL, ids, stats, err);
    ocds_set_free(&set);
    if (!rc)
        rc = store_commit(s, err);
    if (rc) {
        store_rollback(s);
        ids->n = 0;
    }
    return rc;
}

int lifecycle_accept(store *s, const engine *e, const ocds_batch *batch, const char *forced_set,
                     accepted_events *ids, import_stats *stats, anbud_err *err)
{
    memset(stats, 0, sizeof *stats);
    ocds_set set = {0};
    int rc = store_begin(s, err);
    if (!rc)
        rc = accept_all(s, e, batch, forced_set, NULL, &set, NULL, ids, stats, err);
    ocds_set_free(&set);
    if (!rc)
        rc = store_commit(s, err);
    if (rc) {
        store_rollback(s);
        ids->n = 0;
    }
    return rc;
}


/*
 * Replays the new releases of one process in date order from what was stored before the
 * input: after each, the rules of the stage it leaves the process at, recorded as its
 * event's verdicts. Every process of the input is stored before any is evaluated, so a
 * rule looking at the buyer's other processes sees the whole input, in any order.
 */
static int evaluate_plan(store *s, engine *e, const process_plan *plan, int64_t now_days,
                         import_stats *stats, anbud_err *err)
{
    json_t *compiled = plan->initial ? json_incref(plan->initial) : json_object();
    ocds_stage stage = plan->initial ? plan->initial_stage : STAGE_NONE;
    int rc = compiled ? 0 : err_set(err, ANBUD_EINTERNAL, "out of memory");
    for (size_t i = 0; i < plan->n && !rc; i++) {
        const new_event *ev = &plan->events[i];
        verdict_list verdicts = {0};
        rc = ocds_apply(compiled, &stage, ev->r, err);
        if (!rc)
            rc = evaluate_at(s, e, ev->event_id, plan->p->ocid, compiled, ev->stage,
                             plan->ruleset, plan->first_days, now_days, &verdicts, err);
        count_verdicts(&verdicts, &stats->verdicts, &stats->findings);
        verdict_list_free(&verdicts);
    }
    json_decref(compiled);
    return rc;
}

/* The plans of one input, and the grouped releases they point into. */
typedef struct input_plans {
    ocds_set set;
    process_plan *plans;
} input_plans;

static void input_plans_free(input_plans *in)
{
    for (size_t i = 0; in->plans && i < in->set.n; i++)
        plan_free(&in->plans[i]);
    free(in->plans);
    in->plans = NULL;
    ocds_set_free(&in->set);
}

/* Stores one input under a savepoint: on error nothing of it stays, the inputs before it do. */
static int accept_input(store *s, const engine *e, const ocds_batch *batch, const char *forced_set,
                        input_plans *in, accepted_events *ids, import_stats *stats, anbud_err *err)
{
    int rc = store_savepoint(s, err);
    if (!rc)
        rc = accept_all(s, e, batch, forced_set, NULL, &in->set, &in->plans, ids, stats, err);
    if (rc) {
        store_rollback_savepoint(s);
        input_plans_free(in);
        return rc;
    }
    return store_release_savepoint(s, err);
}

int lifecycle_import_inputs(store *s, engine *e, const ocds_batch *batches, size_t n,
                            const char *forced_set, int64_t now_days, import_stats *stats,
                            size_t *imported, anbud_err *err)
{
    accepted_events ids = {0};
    input_plans *in = calloc(n ? n : 1, sizeof *in);
    size_t k = 0;
    anbud_err input_err = {0};
    int rc = in ? store_begin(s, err) : err_set(err, ANBUD_EINTERNAL, "out of memory");
    int bad = 0; /* an input refused: the ones before it are still imported */
    for (; !rc && !bad && k < n; k++) {
        memset(&stats[k], 0, sizeof stats[k]);
        bad = accept_input(s, e, &batches[k], forced_set, &in[k], &ids, &stats[k], &input_err);
        if (bad)
            break;
    }
    /* not the input's fault, or SQLite rolled the whole transaction back (a full disk):
     * nothing is stored */
    if (bad && (bad != ANBUD_EINPUT || !store_in_transaction(s))) {
        *err = input_err;
        store_rollback(s);
        *imported = 0;
        rc = bad;
        goto done;
    }
    for (size_t f = 0; !rc && f < k; f++)
        for (size_t i = 0; !rc && i < in[f].set.n; i++)
            rc = evaluate_plan(s, e, &in[f].plans[i], now_days, &stats[f], err);
    if (!rc)
        rc = store_commit(s, err);
    if (rc) {
        store_rollback(s);
        k = 0;
    } else if (bad) {
        *err = input_err;
        rc = bad;
    }
    *imported = k;
done:
    for (size_t f = 0; in && f < n; f++)
        input_plans_free(&in[f]);
    free(in);
    free(ids.ids);
    return rc;
}

int lifecycle_import(store *s, engine *e, const ocds_batch *batch, const char *forced_set,
                     int64_t now_days, import_stats *stats, anbud_err *err)
{
    size_t imported;
    return lifecycle_import_inputs(s, e, batch, 1, forced_set, now_days, stats, &imported, err);
}

int lifecycle_evaluate_pending(store *s, engine *e, int64_t now_days, size_t max, size_t *done,
                               anbud_err *err)
{
    int64_t ids[64];
    size_t n = 0;
    *done = 0;
    int rc = store_pending(s, max < 64 ? max : 64, ids, &n, err);
    for (size_t i = 0; i < n && !rc; i++) {
        verdict_list verdicts = {0};
        rc = store_begin(s, err);
        if (!rc)
            rc = lifecycle_evaluate_event(s, e, ids[i], now_days, &verdicts, err);
        if (!rc)
            rc = store_commit(s, err);
        if (rc)
            store_rollback(s);
        else
            (*done)++;
        verdict_list_free(&verdicts);
    }
    return rc;
}

int lifecycle_evaluate_one(store *s, engine *e, int64_t event_id, int64_t now_days,
                           verdict_list *out, int *evaluated, anbud_err *err)
{
    int pending = 0;
    *evaluated = 0;
    int rc = store_begin(s, err);
    if (!rc)
        rc = store_event_pending(s, event_id, &pending, err);
    if (!rc && pending)
        rc = lifecycle_evaluate_event(s, e, event_id, now_days, out, err);
    if (!rc)
        rc = store_commit(s, err);
    if (rc)
        store_rollback(s);
    else
        *evaluated = pending;
    return rc;
}

/* Turns the due re-checks of one process at one stage (rows[0..n)) into an event. */
static int schedule_one(store *s, const store_recheck *r, int64_t today, accepted_events *ids,
                        size_t *dropped, anbud_err *err)
{
    if (r->stage != r->current) { /* the process has left that stage: nothing to re-run */
        (*dropped)++;
        return store_recheck_clear(s, r->ocid, r->stage, today, err);
    }
    char id[64], day[11], hash[33];
    date_format(today, day);
    snprintf(id, sizeof id, "recheck-%s-%s", ocds_stage_name(r->stage), day);
    hash_hex(id, strlen(id), hash);
    int state = STORE_NEW;
    int rc = store_release_state(s, r->ocid, id, hash, &state, err);
    if (!rc && state != STORE_NEW) /* re-run once today already: the rest wait a day */
        return store_recheck_postpone(s, r->ocid, r->stage, today, today + 1, err);
    int64_t event_id = 0;
    if (!rc)
        rc = store_add_event(s, r->ocid, "recheck", id, day, r->stage, hash, NULL, &event_id, err);
    if (!rc)
        rc = store_recheck_clear(s, r->ocid, r->stage, today, err);
    if (!rc && push_id(ids, event_id))
        rc = err_set(err, ANBUD_EINTERNAL, "out of memory");
    return rc;
}

int lifecycle_schedule_rechecks(store *s, int64_t today, accepted_events *ids, size_t *dropped,
                                anbud_err *err)
{
    store_recheck *rows = NULL;
    size_t n = 0;
    *dropped = 0;
    size_t before = ids->n;
    int rc = store_begin(s, err);
    if (!rc)
        rc = store_rechecks_due(s, today, &rows, &n, err);
    for (size_t i = 0; i < n && !rc; i++) {
        if (i > 0 && strcmp(rows[i].ocid, rows[i - 1].ocid) == 0 &&
            rows[i].stage == rows[i - 1].stage)
            continue; /* one event re-runs every rule of the stage */
        rc = schedule_one(s, &rows[i], today, ids, dropped, err);
    }
    if (!rc)
        rc = store_commit(s, err);
    if (rc) {
        store_rollback(s);
        ids->n = before;
    }
    free(rows);
    return rc;
}

/* ---- recheck ----------------------------------------------------------------------- */

/* Whether set is `id` or extends it. */
static int set_includes(const ruleset *set, const char *id)
{
    for (size_t i = 0; i < ruleset_order_count(set); i++)
        if (strcmp(ruleset_id(ruleset_order_at(set, i)), id) == 0)
            return 1;
    return strcmp(ruleset_id(set), id) == 0;
}

/* The stored sets the request selects (all must be loaded), as an array of ids. */
static int recheck_sets(store *s, const engine *e, const recheck_request *req, json_t **out,
                        anbud_err *err)
{
    json_t *stored = store_rulesets(s, req->municipality, err);
    if (!stored)
        return err->code;
    json_t *chosen = json_array();
    int rc = chosen ? 0 : err_set(err, ANBUD_EINTERNAL, "out of memory");
    size_t i;
    json_t *id;
    json_array_foreach(rc ? NULL : stored, i, id)
    {
        const ruleset *set = engine_ruleset_by_id(e, json_string_value(id));
        if (!set) {
            rc = err_set(err, ANBUD_EINPUT,
                         "stored processes are checked with rule set '%s', which is not loaded; "
                         "nothing was re-checked",
                         json_string_value(id));
            break;
        }
        if ((!req->ruleset || set_includes(set, req->ruleset)) && json_array_append(chosen, id))
            rc = err_set(err, ANBUD_EINTERNAL, "out of memory");
    }
    json_decref(stored);
    if (rc)
        json_decref(chosen);
    else
        *out = chosen;
    return rc;
}

/* Records one process's recheck event and evaluates it (inside the caller's transaction). */
static int recheck_one(store *s, engine *e, const scanned_process *row, const char *stamp,
                       int64_t now_days, recheck_stats *stats, anbud_err *err)
{
    char id[128], hash[33], day[11];
    int state = STORE_SAME, rc = 0;
    date_format(now_days, day);
    /* a second run in the same second gets -2, -3, ... */
    for (int k = 1; !rc && state != STORE_NEW; k++) {
        if (k == 1)
            snprintf(id, sizeof id, "recheck-%s-%s", ocds_stage_name(row->p.stage), stamp);
        else
            snprintf(id, sizeof id, "recheck-%s-%s-%d", ocds_stage_name(row->p.stage), stamp, k);
        hash_hex(id, strlen(id), hash);
        rc = store_release_state(s, row->ocid, id, hash, &state, err);
    }
    int64_t event_id = 0;
    if (!rc)
        rc = store_add_event(s, row->ocid, "recheck", id, day, row->p.stage, hash, NULL, &event_id,
                             err);
    verdict_list verdicts = {0};
    if (!rc)
        rc = evaluate_at(s, e, event_id, row->ocid, row->p.compiled, row->p.stage, row->p.ruleset,
                         row->p.first_days, now_days, &verdicts, err);
    stats->processes += !rc;
    count_verdicts(&verdicts, &stats->verdicts, &stats->findings);
    verdict_list_free(&verdicts);
    return rc;
}

/* One batch: read, then evaluate and record in one transaction. */
static int recheck_batch(store *s, engine *e, const recheck_request *req, store_scan *scan,
                         scanned_process *rows, size_t max, const char *stamp,
                         recheck_stats *stats, anbud_err *err)
{
    size_t n = 0;
    int rc = store_begin(s, err);
    if (!rc)
        rc = store_scan_next(s, scan, rows, max, &n, err);
    for (size_t i = 0; i < n && !rc; i++)
        rc = recheck_one(s, e, &rows[i], stamp, req->now_days, stats, err);
    if (!rc)
        rc = store_commit(s, err);
    if (rc)
        store_rollback(s);
    for (size_t i = 0; i < n; i++)
        json_decref(rows[i].p.compiled);
    return rc;
}

int lifecycle_recheck(store *s, engine *e, const recheck_request *req, recheck_stats *stats,
                      anbud_err *err)
{
    memset(stats, 0, sizeof *stats);
    if (req->ruleset && !engine_ruleset_by_id(e, req->ruleset))
        return err_set(err, ANBUD_EINPUT, "--ruleset: no rule set '%s' is loaded", req->ruleset);
    json_t *sets = NULL;
    int rc = recheck_sets(s, e, req, &sets, err);
    if (rc)
        return rc;
    size_t max = req->batch ? req->batch : 2000;
    const char **ids = calloc(json_array_size(sets) + 1, sizeof *ids);
    scanned_process *rows = calloc(max, sizeof *rows);
    if (!ids || !rows)
        rc = err_set(err, ANBUD_EINTERNAL, "out of memory");
    for (size_t i = 0; ids && i < json_array_size(sets); i++)
        ids[i] = json_string_value(json_array_get(sets, i));
    store_scan scan = {0};
    scan.municipality = req->municipality;
    scan.rulesets = ids;
    scan.n_rulesets = json_array_size(sets);
    char stamp[21];
    time_now_iso(stamp);
    while (!rc && !scan.done && scan.n_rulesets > 0)
        rc = recheck_batch(s, e, req, &scan, rows, max, stamp, stats, err);
    free(rows);
    free(ids);
    json_decref(sets);
    return rc;
}

/* Copies the gate verdicts that fail (or error) into refusals, their ids into ids. */
static int failing_gates(const verdict_list *l, verdict_list *refusals, json_t *ids)
{
    for (size_t i = 0; i < l->n; i++) {
        const verdict *v = &l->items[i];
        if (!v->gate || (v->outcome != OUTCOME_FAIL && v->outcome != OUTCOME_ERROR))
            continue;
        if (json_array_append_new(ids, json_string(v->rule)))
            return ANBUD_EINTERNAL;
        if (refusals->n == refusals->cap) {
            size_t cap = refusals->cap ? refusals->cap * 2 : 8;
            verdict *grown = realloc(refusals->items, cap * sizeof *grown);
            if (!grown)
                return ANBUD_EINTERNAL;
            refusals->items = grown;
            refusals->cap = cap;
        }
        verdict *c = &refusals->items[refusals->n];
        *c = *v;
        c->rule = xstrdup(v->rule);
        c->message = xstrdup(v->message);
        c->source = xstrdup(v->source);
        c->evidence = json_incref(v->evidence);
        refusals->n++;
        if (!c->rule || !c->message || !c->source)
            return ANBUD_EINTERNAL;
    }
    return 0;
}

/* Merges the release of an advance (one release of this process at stage `to`). */
static int apply_release(const advance_request *req, process_state *ps, const ocds_release **out,
                         anbud_err *err)
{
    const ocds_batch *b = req->release;
    if (b->n != 1)
        return err_set(err, ANBUD_EINPUT, "--release: give one release, not %zu", b->n);
    const ocds_release *r = &b->items[0];
    if (strcmp(r->ocid, req->ocid) != 0)
        return err_set(err, ANBUD_EINPUT, "%s: the release is for %s, not %s", r->where, r->ocid,
                       req->ocid);
    if (r->stage != req->to)
        return err_set(err, ANBUD_EINPUT, "%s: the release is a %s release, not %s", r->where,
                       ocds_stage_name(r->stage), ocds_stage_name(req->to));
    *out = r;
    int rc = check_date(ps, r, err);
    return rc ? rc : ocds_apply(ps->compiled, &ps->stage, r, err);
}

int lifecycle_advance(store *s, engine *e, const advance_request *req, verdict_list *refusals,
                      anbud_err *err)
{
    process_state ps = {0};
    verdict_list verdicts = {0};
    json_t *gate_ids = json_array();
    char hash[33], id[64], now[21], *body = NULL;
    const ocds_release *r = NULL;
    time_now_iso(now);
    int rc = gate_ids ? store_begin(s, err) : err_set(err, ANBUD_EINTERNAL, "out of memory");
    if (!rc)
        rc = load_state(s, req->ocid, 0, &ps, err);
    if (!rc && !ps.exists)
        rc = err_set(err, ANBUD_EINPUT, "no process '%s' in the store", req->ocid);
    ocds_stage from = ps.stage;
    if (!rc && req->to < ps.stage)
        rc = err_set(err, ANBUD_EINPUT, "%s is at %s: moving back to %s is refused", req->ocid,
                     ocds_stage_name(ps.stage), ocds_stage_name(req->to));
    if (!rc && req->release)
        rc = apply_release(req, &ps, &r, err);
    if (!rc && r)
        rc = (body = canonical(r->json, hash)) ? 0 : err_set(err, ANBUD_EINTERNAL, "out of memory");
    if (!rc && !r) { /* a move without a release: the event is the move itself */
        ps.stage = req->to;
        snprintf(id, sizeof id, "advance-%s-%s", ocds_stage_name(req->to), now);
        hash_hex(id, strlen(id), hash);
    }
    int64_t event_id = 0;
    if (!rc)
        rc = store_step(s, e, ps.ruleset, &ps, r ? "release" : "advance", r ? r->id : id,
                        r ? json_string_value(json_object_get(r->json, "date")) : now, hash, body,
                        &event_id, err);
    if (!rc)
        rc = lifecycle_evaluate_event(s, e, event_id, req->now_days, &verdicts, err);
    if (!rc && failing_gates(&verdicts, refusals, gate_ids))
        rc = err_set(err, ANBUD_EINTERNAL, "out of memory");
    int refused = !rc && refusals->n > 0 && !req->force_reason;
    if (!rc && refusals->n > 0 && req->force_reason) {
        char *rules = json_dumps(gate_ids, JSON_COMPACT);
        rc = rules ? store_add_forced_move(s, req->ocid, event_id, from, req->to,
                                           req->by ? req->by : "unknown", req->force_reason,
                                           rules, err)
                   : err_set(err, ANBUD_EINTERNAL, "out of memory");
        free(rules);
    }
    if (!rc && !refused)
        rc = store_commit(s, err);
    if (rc || refused)
        store_rollback(s);
    free(body);
    verdict_list_free(&verdicts);
    json_decref(gate_ids);
    json_decref(ps.compiled);
    return rc ? rc : refused;
}
