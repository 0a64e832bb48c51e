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

int lifecycle_evaluate_event_as(store *s, engine *e, int64_t event_id, const json_t *compiled,
                                int64_t now_days, verdict_list *out, anbud_err *err)
{
    stored_event ev;
    int rc = compiled ? store_load_event_head(s, event_id, &ev, err)
                      : store_load_event(s, event_id, &ev, err);
    if (rc)
        return rc;
    rc = evaluate_at(s, e, event_id, ev.ocid, compiled ? compiled : ev.compiled, ev.stage,
                     ev.ruleset, ev.first_days, now_days, out, err);
    json_decref(ev.compiled);
    return rc;
}

int lifecycle_evaluate_event(store *s, engine *e, int64_t event_id, int64_t now_days,
                             verdict_list *out, anbud_err *err)
{
    return lifecycle_evaluate_event_as(s, e, event_id, NULL, now_days, out, err);
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
    int64_t *grown = array_grow(ids->ids, &ids->cap, ids->n, sizeof *grown);
    if (!grown)
        return ANBUD_EINTERNAL;
    ids->ids = grown;
    ids->ids[ids->n++] = id;
    return 0;
}

/* Who may store what: the callback of lifecycle_accept_checked and its argument. */
typedef struct accept_guard {
    lifecycle_allow_fn allow;
    void *arg;
    accepted_states *kept; /* or NULL */
} accept_guard;

void accepted_states_free(accepted_states *a)
{
    for (size_t i = 0; i < a->n; i++)
        json_decref(a->items[i].compiled);
    free(a->items);
    memset(a, 0, sizeof *a);
}

/* Keeps the process after its last new event (a reference). */
static int keep_state(accepted_states *a, int64_t event_id, json_t *compiled, anbud_err *err)
{
    accepted_state *grown = array_grow(a->items, &a->cap, a->n, sizeof *grown);
    if (!grown)
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    a->items = grown;
    a->items[a->n++] = (accepted_state){event_id, json_incref(compiled)};
    return 0;
}

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
    char buyer_key[256]; /* after the input */
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
static int store_new(store *s, const process_state *ps, process_plan *plan, int share,
                     accepted_events *ids, import_stats *stats, anbud_err *err)
{
    int rc = store_save_process(s, ps->ocid, ps->compiled, ps->stage, ps->first_days, ps->ruleset,
                                err);
    if (!rc && share)
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

/*
 * Accepts the releases of one process (within the caller's transaction); fills plan.
 * share: hand the compiled release to the store's view (the service evaluates it next;
 * an import of many processes would hold them all).
 */
static int accept_process(store *s, const engine *e, const ocds_process *p,
                          const char *forced_set, const accept_guard *guard, int share,
                          process_plan *plan, accepted_events *ids, import_stats *stats,
                          anbud_err *err)
{
    process_state ps = {0};
    int rc = load_state(s, p->ocid, p->first_days, &ps, err);
    /* whose it is, before anything about the stored process shows in a message */
    if (!rc && ps.exists && guard && guard->allow) {
        const char *stored = ocds_buyer_municipality(ps.compiled);
        rc = guard->allow(guard->arg, p->ocid, 0, stored ? stored : "", err) ? 1 : 0;
    }
    plan->p = p;
    if (!rc)
        rc = sort_releases(s, p, plan, stats, err);
    /* import keeps the stored process to evaluate from; accepting (share) evaluates by id */
    if (!rc && !share && ps.exists && plan->n > 0) {
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
        rc = store_new(s, &ps, plan, share, ids, stats, err);
    if (!rc && plan->n > 0 && guard && guard->kept)
        rc = keep_state(guard->kept, plan->events[plan->n - 1].event_id, ps.compiled, err);
    plan->first_days = ps.first_days;
    if (ps.compiled)
        ocds_buyer_key(ps.compiled, plan->buyer_key, sizeof plan->buyer_key);
    snprintf(plan->ruleset, sizeof plan->ruleset, "%s", ps.ruleset);
    json_decref(ps.compiled);
    return rc;
}

/* Accepts every process of a batch (grouped into *set). */
static int accept_all(store *s, const engine *e, const ocds_batch *batch, const char *forced_set,
                      const accept_guard *guard, ocds_set *set, accepted_events *ids,
                      import_stats *stats, anbud_err *err)
{
    int rc = ocds_group(batch, set, err);
    for (size_t i = 0; i < set->n && !rc; i++) {
        process_plan plan = {0};
        rc = accept_process(s, e, &set->items[i], forced_set, guard, 1, &plan, ids, stats, err);
        plan_free(&plan);
    }
    return rc;
}

int lifecycle_accept_checked(store *s, const engine *e, const ocds_batch *batch,
                             const char *forced_set, lifecycle_allow_fn allow, void *arg,
                             accepted_events *ids, import_stats *stats, anbud_err *err)
{
    return lifecycle_accept_kept(s, e, batch, forced_set, allow, arg, ids, NULL, stats, err);
}

int lifecycle_accept_kept(store *s, const engine *e, const ocds_batch *batch,
                          const char *forced_set, lifecycle_allow_fn allow, void *arg,
                          accepted_events *ids, accepted_states *kept, import_stats *stats,
                          anbud_err *err)
{
    accept_guard guard = {allow, arg, kept};
    size_t kept_before = kept ? kept->n : 0;
    memset(stats, 0, sizeof *stats);
    ocds_set set = {0};
    int outer = store_in_transaction(s); /* the caller's: the input is a savepoint of it */
    int rc = outer ? store_savepoint(s, err) : store_begin(s, err);
    if (!rc)
        rc = accept_all(s, e, batch, forced_set, &guard, &set, ids, stats, err);
    ocds_set_free(&set);
    if (!rc)
        rc = outer ? store_release_savepoint(s, err) : store_commit(s, err);
    if (rc) {
        if (outer)
            store_rollback_savepoint(s);
        else
            store_rollback(s);
        ids->n = 0;
        for (; kept && kept->n > kept_before; kept->n--)
            json_decref(kept->items[kept->n - 1].compiled);
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
        rc = accept_all(s, e, batch, forced_set, NULL, &set, ids, stats, err);
    ocds_set_free(&set);
    if (!rc)
        rc = store_commit(s, err);
    if (rc) {
        store_rollback(s);
        ids->n = 0;
    }
    return rc;
}


/* ---- import ------------------------------------------------------------------------ */

/* A string kept once for the whole import (rule set ids, buyer keys: few distinct). */
typedef struct interned {
    char **slots;
    size_t cap, n;
} interned;

static uint64_t text_hash(const char *t)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *t; t++)
        h = (h ^ (unsigned char)*t) * 0x100000001b3ULL;
    return h ^ (h >> 29);
}

static const char *intern(interned *in, const char *t)
{
    if ((in->n + 1) * 2 > in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 256;
        char **slots = calloc(cap, sizeof *slots);
        if (!slots)
            return NULL;
        for (size_t i = 0; i < in->cap; i++) {
            if (!in->slots[i])
                continue;
            size_t k = text_hash(in->slots[i]) & (cap - 1);
            while (slots[k])
                k = (k + 1) & (cap - 1);
            slots[k] = in->slots[i];
        }
        free(in->slots);
        in->slots = slots;
        in->cap = cap;
    }
    size_t k = text_hash(t) & (in->cap - 1);
    for (; in->slots[k]; k = (k + 1) & (in->cap - 1))
        if (strcmp(in->slots[k], t) == 0)
            return in->slots[k];
    if (!(in->slots[k] = xstrdup(t)))
        return NULL;
    in->n++;
    return in->slots[k];
}

static void interned_free(interned *in)
{
    for (size_t i = 0; i < in->cap; i++)
        free(in->slots[i]);
    free(in->slots);
}

/* A new release of a process, to evaluate: its place among the process's releases. */
typedef struct eval_step {
    int64_t event_id;
    size_t k;
    ocds_stage stage;
} eval_step;

/* What an input added to one process, kept from storing it until evaluating it. */
typedef struct eval_plan {
    size_t input, proc;
    json_t *initial; /* the compiled release stored before the input; NULL for a new process */
    ocds_stage initial_stage;
    int64_t first_days;
    const char *ruleset;   /* interned */
    const char *buyer_key; /* interned: evaluation goes buyer by buyer */
    eval_step *steps;
    size_t n;
} eval_plan;

typedef struct eval_plans {
    eval_plan *items;
    size_t n, cap;
    interned strings;
} eval_plans;

static void eval_plans_free(eval_plans *ep)
{
    for (size_t i = 0; i < ep->n; i++) {
        json_decref(ep->items[i].initial);
        free(ep->items[i].steps);
    }
    free(ep->items);
    interned_free(&ep->strings);
    memset(ep, 0, sizeof *ep);
}

/* Keeps what evaluating the new releases of a process will need (takes plan->initial). */
static int keep_plan(eval_plans *ep, size_t input, size_t proc, process_plan *plan)
{
    if (plan->n == 0)
        return 0;
    eval_plan *grown = array_grow(ep->items, &ep->cap, ep->n, sizeof *grown);
    if (!grown)
        return ANBUD_EINTERNAL;
    ep->items = grown;
    eval_plan *e = &ep->items[ep->n];
    memset(e, 0, sizeof *e);
    e->input = input;
    e->proc = proc;
    e->initial_stage = plan->initial_stage;
    e->first_days = plan->first_days;
    e->ruleset = intern(&ep->strings, plan->ruleset);
    e->buyer_key = intern(&ep->strings, plan->buyer_key);
    e->steps = malloc(plan->n * sizeof *e->steps);
    if (!e->ruleset || !e->buyer_key || !e->steps) {
        free(e->steps);
        return ANBUD_EINTERNAL;
    }
    for (size_t i = 0; i < plan->n; i++) {
        const new_event *ev = &plan->events[i];
        size_t k = 0;
        while (k < plan->p->n && plan->p->releases[k] != ev->r)
            k++;
        e->steps[i] = (eval_step){ev->event_id, k, ev->stage};
    }
    e->n = plan->n;
    e->initial = plan->initial;
    plan->initial = NULL;
    ep->n++;
    return 0;
}

/*
 * Replays the new releases of one process in date order from what was stored before the
 * input: after each, the rules of the stage it leaves the process at, recorded as its
 * event's verdicts. Every process of the input is stored before any is evaluated, so a
 * rule looking at the buyer's other processes sees the whole input, in any order.
 */
static int evaluate_plan(store *s, engine *e, const eval_plan *plan, const ocds_process *p,
                         int64_t now_days, import_stats *stats, anbud_err *err)
{
    json_t *compiled = plan->initial ? json_incref(plan->initial) : json_object();
    ocds_stage stage = plan->initial ? plan->initial_stage : STAGE_NONE;
    int rc = compiled ? 0 : err_set(err, ANBUD_EINTERNAL, "out of memory");
    for (size_t i = 0; i < plan->n && !rc; i++) {
        const eval_step *ev = &plan->steps[i];
        verdict_list verdicts = {0};
        rc = ev->k < p->n ? ocds_apply(compiled, &stage, p->releases[ev->k], err)
                          : err_set(err, ANBUD_EINTERNAL, "%s: a release went missing", p->ocid);
        if (!rc)
            rc = evaluate_at(s, e, ev->event_id, p->ocid, compiled, ev->stage, plan->ruleset,
                             plan->first_days, now_days, &verdicts, err);
        count_verdicts(&verdicts, &stats->verdicts, &stats->findings);
        verdict_list_free(&verdicts);
    }
    json_decref(compiled);
    return rc;
}

/* Stores one input under a savepoint: on error nothing of it stays, the inputs before it do. */
static int accept_input(store *s, const engine *e, ocds_source *src, size_t input,
                        const char *forced_set, eval_plans *ep, accepted_events *ids,
                        import_stats *stats, anbud_err *err)
{
    size_t kept = ep->n;
    int rc = store_savepoint(s, err);
    if (!rc)
        rc = ocds_source_group(src, err);
    for (size_t i = 0; !rc && i < ocds_source_processes(src); i++) {
        const ocds_process *p;
        process_plan plan = {0};
        rc = ocds_source_process(src, i, 1, &p, err);
        if (!rc)
            rc = accept_process(s, e, p, forced_set, NULL, 0, &plan, ids, stats, err);
        if (!rc && keep_plan(ep, input, i, &plan))
            rc = err_set(err, ANBUD_EINTERNAL, "out of memory");
        plan_free(&plan);
        ids->n = 0; /* import evaluates by plan, not by id */
    }
    if (rc) {
        store_rollback_savepoint(s);
        while (ep->n > kept) {
            ep->n--;
            json_decref(ep->items[ep->n].initial);
            free(ep->items[ep->n].steps);
        }
        return rc;
    }
    return store_release_savepoint(s, err);
}

/* Evaluation order: input by input, within one buyer by buyer (so the processes rules ask
 * p:others() about are read together), within one buyer by first day (a rule asks about
 * a window of days around the process, so the next process asks about much the same
 * others, still parsed in the store's view), then as the input gave them. */
static int by_input_buyer(const void *pa, const void *pb)
{
    const eval_plan *a = pa, *b = pb;
    if (a->input != b->input)
        return a->input < b->input ? -1 : 1;
    int c = a->buyer_key == b->buyer_key ? 0 : strcmp(a->buyer_key, b->buyer_key);
    if (c)
        return c;
    if (a->first_days != b->first_days)
        return a->first_days < b->first_days ? -1 : 1;
    return a->proc < b->proc ? -1 : a->proc > b->proc;
}

int lifecycle_import_sources(store *s, engine *e, ocds_source *const *srcs, size_t n,
                             const char *forced_set, int64_t now_days, import_stats *stats,
                             size_t *imported, anbud_err *err)
{
    accepted_events ids = {0};
    eval_plans ep = {0};
    size_t k = 0;
    anbud_err input_err = {0};
    int rc = store_begin(s, err);
    int bad = 0; /* an input refused: the ones before it are still imported */
    for (; !rc && !bad && k < n; k++) {
        memset(&stats[k], 0, sizeof stats[k]);
        bad = accept_input(s, e, srcs[k], k, forced_set, &ep, &ids, &stats[k], &input_err);
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
    if (ep.n)
        qsort(ep.items, ep.n, sizeof *ep.items, by_input_buyer);
    for (size_t i = 0; !rc && i < ep.n; i++) {
        const eval_plan *plan = &ep.items[i];
        const ocds_process *p;
        rc = ocds_source_process(srcs[plan->input], plan->proc, 0, &p, err);
        if (!rc)
            rc = evaluate_plan(s, e, plan, p, now_days, &stats[plan->input], err);
    }
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
    eval_plans_free(&ep);
    free(ids.ids);
    return rc;
}

int lifecycle_import_inputs(store *s, engine *e, const ocds_batch *batches, size_t n,
                            const char *forced_set, int64_t now_days, import_stats *stats,
                            size_t *imported, anbud_err *err)
{
    ocds_source **srcs = calloc(n ? n : 1, sizeof *srcs);
    int rc = srcs ? 0 : err_set(err, ANBUD_EINTERNAL, "out of memory");
    *imported = 0;
    for (size_t k = 0; !rc && k < n; k++)
        rc = ocds_source_of_batch(&batches[k], &srcs[k], err);
    if (!rc)
        rc = lifecycle_import_sources(s, e, srcs, n, forced_set, now_days, stats, imported, err);
    for (size_t i = 0; srcs && i < n; i++)
        ocds_source_close(srcs[i]);
    free(srcs);
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
        verdict *grown = array_grow(refusals->items, &refusals->cap, refusals->n,
                                    sizeof *grown);
        if (!grown)
            return ANBUD_EINTERNAL;
        refusals->items = grown;
        verdict *c = &refusals->items[refusals->n];
        *c = *v;
        c->rule = xstrdup(v->rule);
        c->message = xstrdup(v->message);
        c->source = xstrdup(v->source);
        c->evidence = v->evidence ? xstrdup(v->evidence) : NULL;
        refusals->n++;
        if (!c->rule || !c->message || !c->source || (v->evidence && !c->evidence))
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
