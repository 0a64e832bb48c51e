/*
 * engine: evaluation. For each active rule of a set that runs at the stage: resolve its
 * parameters for the process's relevant date, call applies and check inside one sandbox
 * budget, and turn what came back into a verdict. Whatever a rule does, it yields a
 * verdict for itself only: a bad return, an error or an exhausted budget is `error`.
 */
#include <lauxlib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

static const char *const OUTCOME_NAMES[OUTCOME_COUNT] = {"pass", "fail", "warn",
                                                          "info", "na",   "error"};
static const char *const SEVERITY_NAMES[] = {"error", "warning", "info"};

const char *outcome_name(outcome o)
{
    return o >= 0 && o < OUTCOME_COUNT ? OUTCOME_NAMES[o] : "?";
}

int outcome_parse(const char *s)
{
    for (int i = 0; i < OUTCOME_COUNT; i++)
        if (strcmp(s, OUTCOME_NAMES[i]) == 0)
            return i;
    return -1;
}

const char *severity_name(severity s)
{
    return SEVERITY_NAMES[s];
}

void verdict_list_free(verdict_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].rule);
        free(l->items[i].message);
        free(l->items[i].source);
        free(l->items[i].evidence);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* ---- engine ------------------------------------------------------------------------ */

engine *engine_new(const char *lua_dir, const char *rules_dir, const sandbox_limits *limits,
                   int *code, anbud_err *err)
{
    engine *e = calloc(1, sizeof *e);
    if (!e) {
        *code = err_set(err, ANBUD_EINTERNAL, "out of memory");
        return NULL;
    }
    e->sb = sandbox_new(lua_dir, luaapi_prelude, e, limits, err);
    if (!e->sb) {
        *code = ANBUD_EINPUT;
        free(e);
        return NULL;
    }
    char library[4200];
    snprintf(library, sizeof library, "%s/anbud", lua_dir);
    *code = ruleset_hash_folder(library, e->library_hash, err);
    if (!*code)
        *code = ruleset_load_all(e, rules_dir, err);
    if (*code) {
        engine_free(e);
        return NULL;
    }
    return e;
}

void engine_free(engine *e)
{
    if (!e)
        return;
    bind_free(&e->bind);
    ruleset_free_all(e);
    sandbox_free(e->sb);
    free(e);
}

size_t engine_ruleset_count(const engine *e)
{
    return e->n_sets;
}

const ruleset *engine_ruleset_at(const engine *e, size_t i)
{
    return i < e->n_sets ? e->sets[i] : NULL;
}

const ruleset *engine_ruleset_by_id(const engine *e, const char *id)
{
    for (size_t i = 0; i < e->n_sets; i++)
        if (strcmp(e->sets[i]->id, id) == 0)
            return e->sets[i];
    return NULL;
}

const ruleset *engine_ruleset_for(const engine *e, const char *code)
{
    for (size_t i = 0; code && i < e->n_sets; i++)
        for (size_t j = 0; j < e->sets[i]->n_municipalities; j++)
            if (strcmp(e->sets[i]->municipalities[j], code) == 0)
                return e->sets[i];
    return NULL;
}

const ruleset *engine_ruleset_for_process(const engine *e, const json_t *compiled)
{
    const ruleset *s = engine_ruleset_for(e, ocds_buyer_municipality(compiled));
    return s ? s : engine_ruleset_by_id(e, "no");
}

/* ---- accessors --------------------------------------------------------------------- */

const char *ruleset_id(const ruleset *s) { return s->id; }
const char *ruleset_name(const ruleset *s) { return s->name; }
const char *ruleset_dir(const ruleset *s) { return s->dir; }
const char *ruleset_language(const ruleset *s) { return s->language; }
const char *ruleset_version(const ruleset *s) { return s->version; }
size_t ruleset_order_count(const ruleset *s) { return s->n_order; }
const ruleset *ruleset_order_at(const ruleset *s, size_t i) { return s->order[i]; }
size_t ruleset_municipality_count(const ruleset *s) { return s->n_municipalities; }
const char *ruleset_municipality_at(const ruleset *s, size_t i) { return s->municipalities[i]; }
const char *ruleset_host(const ruleset *s) { return s->host; }
size_t ruleset_member_count(const ruleset *s) { return s->n_members; }
const char *ruleset_member_at(const ruleset *s, size_t i) { return s->members[i]; }
size_t ruleset_rule_count(const ruleset *s) { return s->n_active; }
const rule *ruleset_rule_at(const ruleset *s, size_t i) { return s->active[i].rule; }
size_t ruleset_disabled_count(const ruleset *s) { return s->n_all_disabled; }

void ruleset_disabled_at(const ruleset *s, size_t i, const char **rule_id, const char **reason,
                         const char **by_set)
{
    *rule_id = s->all_disabled[i]->rule_id;
    *reason = s->all_disabled[i]->reason;
    *by_set = s->all_disabled[i]->by->id;
}

const char *rule_id(const rule *r) { return r->id ? r->id : r->name; }
const char *rule_title(const rule *r) { return r->title ? r->title : ""; }
const char *rule_source(const rule *r) { return r->source ? r->source : ""; }
const char *rule_file(const rule *r) { return r->file; }
severity rule_severity(const rule *r) { return r->severity; }
const char *rule_load_error(const rule *r) { return r->load_error; }

int rule_runs_at(const rule *r, ocds_stage stage)
{
    return stage >= 0 && (r->stages & STAGE_BIT(stage)) != 0;
}

int rule_is_gate(const rule *r, ocds_stage stage)
{
    return stage >= 0 && (r->gates & STAGE_BIT(stage)) != 0;
}

/* ---- verdicts ---------------------------------------------------------------------- */

/* Appends a verdict; message is copied, evidence taken over (freed on failure). */
static int add_verdict(verdict_list *out, const rule *r, ocds_stage stage, outcome o,
                       const char *message, char *evidence, int64_t recheck)
{
    verdict *grown = array_grow(out->items, &out->cap, out->n, sizeof *grown);
    if (!grown) {
        free(evidence);
        return ANBUD_EINTERNAL;
    }
    out->items = grown;
    verdict *v = &out->items[out->n];
    memset(v, 0, sizeof *v);
    v->rule = xstrdup(rule_id(r));
    v->message = xstrdup(message);
    v->source = xstrdup(rule_source(r));
    v->evidence = evidence;
    if (!v->rule || !v->message || !v->source) {
        free(v->rule);
        free(v->message);
        free(v->source);
        free(evidence);
        return ANBUD_EINTERNAL;
    }
    v->stage = stage;
    v->outcome = o;
    v->severity = r->severity;
    v->gate = rule_is_gate(r, stage);
    v->recheck_days = recheck;
    out->n++;
    return 0;
}

static const char *default_na(const ruleset *set)
{
    return strcmp(set->language, "nn") == 0 ? "Regelen gjeld ikkje for denne anskaffinga."
                                             : "Regelen gjelder ikke for denne anskaffelsen.";
}

/*
 * Runs in the sandbox budget: (rule declaration, procurement, overlay metatable of the
 * resolved params) -> false [, reason] when the rule does not apply, else what check
 * returned. The rule gets its own params table over the shared resolved one, so what it
 * writes there stays there.
 */
static int run_rule(lua_State *L)
{
    int decl = 1;
    lua_createtable(L, 0, 0);
    lua_pushvalue(L, 3);
    lua_setmetatable(L, -2);
    lua_replace(L, 3);
    if (lua_getfield(L, decl, "applies") == LUA_TFUNCTION) {
        lua_pushvalue(L, 2);
        lua_pushvalue(L, 3);
        lua_call(L, 2, 2);
        if (!lua_toboolean(L, -2)) {
            lua_pushboolean(L, 0);
            lua_replace(L, -3);
            return 2;
        }
        lua_pop(L, 2);
    } else {
        lua_pop(L, 1);
    }
    lua_getfield(L, decl, "check");
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
    lua_call(L, 2, 1);
    return 1;
}

/* Reads params.local_municipalities (or the set's own codes) into codes. */
static size_t read_local_codes(lua_State *L, int params, const ruleset *set, const char **codes,
                               size_t max)
{
    size_t n = 0;
    if (lua_getfield(L, params, "local_municipalities") != LUA_TNIL) {
        for (lua_Integer i = 1; n < max; i++) {
            if (lua_geti(L, -1, i) != LUA_TSTRING) {
                lua_pop(L, 1);
                break;
            }
            codes[n++] = lua_tostring(L, -1); /* kept alive by the frozen list */
            lua_pop(L, 1);
        }
    } else {
        for (size_t i = 0; i < set->n_municipalities && n < max; i++)
            codes[n++] = set->municipalities[i];
    }
    lua_pop(L, 1);
    return n;
}

static void drop_resolved(lua_State *L, resolved_params *rp)
{
    luaL_unref(L, LUA_REGISTRYINDEX, rp->ref);
    free(rp->codes);
    memset(rp, 0, sizeof *rp);
}

void engine_drop_params_cache(lua_State *L, active_rule *ar)
{
    for (size_t i = 0; i < ar->n_cached; i++)
        drop_resolved(L, &ar->cache[i]);
    ar->n_cached = ar->next_evict = 0;
}

/*
 * The parameters of ar resolved for `day`: from the cache, else resolved now in the
 * sandbox budget and kept for every day the same resolution holds (most rules see one
 * or two threshold periods). NULL with msg when resolving failed (the rule's error), or
 * with msg empty when out of memory.
 */
static const resolved_params *params_for(engine *e, const ruleset *set, active_rule *ar,
                                         int64_t day, char *msg, size_t msg_size)
{
    for (size_t i = 0; i < ar->n_cached; i++)
        if (day >= ar->cache[i].from && day <= ar->cache[i].to)
            return &ar->cache[i];
    lua_State *L = sandbox_lua(e->sb);
    lua_pushcfunction(L, luaapi_resolve_params);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ar->params_ref);
    lua_pushinteger(L, (lua_Integer)day);
    if (sandbox_call(e->sb, 2, 3, msg, msg_size) != LUA_OK)
        return NULL;
    resolved_params rp = {0};
    rp.from = (int64_t)lua_tointeger(L, -2);
    rp.to = (int64_t)lua_tointeger(L, -1);
    lua_pop(L, 2);
    int params = lua_gettop(L);
    const char *codes[LOCAL_CODES_MAX];
    rp.n_codes = read_local_codes(L, params, set, codes, LOCAL_CODES_MAX);
    rp.codes = malloc((rp.n_codes ? rp.n_codes : 1) * sizeof *rp.codes);
    if (!rp.codes) {
        lua_pop(L, 1);
        msg[0] = 0;
        return NULL;
    }
    memcpy(rp.codes, codes, rp.n_codes * sizeof *codes);
    sandbox_push_overlay_meta(L, params); /* holds the table, and so the codes */
    rp.ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
    size_t slot = ar->n_cached;
    if (slot < PARAMS_CACHED) {
        ar->n_cached++;
    } else {
        slot = ar->next_evict;
        ar->next_evict = (ar->next_evict + 1) % PARAMS_CACHED;
        drop_resolved(L, &ar->cache[slot]);
    }
    ar->cache[slot] = rp;
    return &ar->cache[slot];
}

/* Turns the outcome at the top of the stack into a verdict, or an error verdict. */
static int take_outcome(engine *e, lua_State *L, const active_rule *a, ocds_stage stage,
                        verdict_list *out)
{
    const rule *r = a->rule;
    int top = lua_gettop(L);
    if (!luaapi_is_outcome(L, top)) {
        char msg[200];
        snprintf(msg, sizeof msg, "rule error: check returned a %s, not an outcome "
                                  "(return pass(...), fail(...), warn(...), info(...) or na(...))",
                 luaL_typename(L, top));
        return add_verdict(out, r, stage, OUTCOME_ERROR, msg, NULL, -1);
    }
    lua_getfield(L, top, "outcome");
    lua_getfield(L, top, "message");
    lua_getfield(L, top, "evidence");
    lua_getfield(L, top, "recheck");
    int o = lua_type(L, top + 1) == LUA_TSTRING ? outcome_parse(lua_tostring(L, top + 1)) : -1;
    size_t message_len = 0;
    const char *message =
        lua_type(L, top + 2) == LUA_TSTRING ? lua_tolstring(L, top + 2, &message_len) : NULL;
    if (o < 0 || o == OUTCOME_ERROR || !message)
        return add_verdict(out, r, stage, OUTCOME_ERROR,
                           "rule error: the outcome was changed after it was made", NULL, -1);
    char why[160];
    char *evidence = NULL;
    if (!lua_isnil(L, top + 3) && !(evidence = bind_json_text(L, top + 3, why, sizeof why))) {
        char msg[240];
        snprintf(msg, sizeof msg, "rule error: %s", why);
        return add_verdict(out, r, stage, OUTCOME_ERROR, msg, NULL, -1);
    }
    int64_t recheck = lua_isinteger(L, top + 4) ? (int64_t)lua_tointeger(L, top + 4) : -1;
    (void)e;
    return add_verdict(out, r, stage, (outcome)o,
                       /* the verdict keeps the text up to its first NUL */
                       utf8_valid(message, strnlen(message, message_len))
                           ? message
                           : "(message not UTF-8)",
                       evidence, recheck);
}

typedef struct eval_args {
    engine *e;
    const ruleset *set;
    const bind_process *proc;
    ocds_stage stage;
    verdict_list *out;
    const char *const *only; /* rule ids to run, or NULL for all */
    size_t n_only;
    int rc;
} eval_args;

static int wanted(const eval_args *a, const rule *r)
{
    if (!a->only)
        return 1;
    for (size_t i = 0; i < a->n_only; i++)
        if (strcmp(a->only[i], rule_id(r)) == 0)
            return 1;
    return 0;
}

static int evaluate_one(eval_args *a, active_rule *ar, int proc_idx)
{
    engine *e = a->e;
    lua_State *L = sandbox_lua(e->sb);
    const rule *r = ar->rule;
    char msg[600];
    if (r->load_error) {
        snprintf(msg, sizeof msg, "rule file did not load: %s", r->load_error);
        return add_verdict(a->out, r, a->stage, OUTCOME_ERROR, msg, NULL, -1);
    }
    int64_t day = a->proc->relevant_days;
    if (day < r->valid_from || day > r->valid_to) {
        char d[11];
        date_format(day, d);
        snprintf(msg, sizeof msg,
                 strcmp(a->set->language, "nn") == 0 ? "Regelen var ikkje i kraft %s."
                                                     : "Regelen var ikke i kraft %s.", d);
        return add_verdict(a->out, r, a->stage, OUTCOME_NA, msg, NULL, -1);
    }
    int top = lua_gettop(L);
    const resolved_params *rp = params_for(e, a->set, ar, day, msg, sizeof msg);
    if (!rp)
        return msg[0] ? add_verdict(a->out, r, a->stage, OUTCOME_ERROR, msg, NULL, -1)
                      : ANBUD_EINTERNAL;
    e->bind.local_codes = rp->codes;
    e->bind.n_local = rp->n_codes;
    lua_pushcfunction(L, run_rule);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref);
    lua_pushvalue(L, proc_idx);
    lua_rawgeti(L, LUA_REGISTRYINDEX, rp->ref);
    int rc;
    if (sandbox_call(e->sb, 3, 2, msg, sizeof msg) != LUA_OK) {
        char full[700];
        snprintf(full, sizeof full, "rule error: %s", msg);
        rc = add_verdict(a->out, r, a->stage, OUTCOME_ERROR, full, NULL, -1);
    } else if (lua_type(L, -2) == LUA_TBOOLEAN && !lua_toboolean(L, -2)) {
        const char *reason = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        rc = add_verdict(a->out, r, a->stage, OUTCOME_NA, reason ? reason : default_na(a->set),
                         NULL, -1);
    } else {
        lua_pop(L, 1);
        rc = take_outcome(e, L, ar, a->stage, a->out);
    }
    lua_settop(L, top);
    return rc;
}

static int evaluate_protected(lua_State *L)
{
    eval_args *a = lua_touserdata(L, 1);
    bind_push_procurement(L, a->proc);
    int proc_idx = lua_gettop(L);
    for (size_t i = 0; i < a->set->n_active && !a->rc; i++) {
        active_rule *ar = &a->set->active[i]; /* its parameter cache changes */
        if (rule_runs_at(ar->rule, a->stage) && wanted(a, ar->rule))
            a->rc = evaluate_one(a, ar, proc_idx);
    }
    return 0;
}

int engine_evaluate(engine *e, const ruleset *set, const engine_process *p, ocds_stage stage,
                    int64_t now_days, const engine_store *store, verdict_list *out,
                    anbud_err *err)
{
    return engine_evaluate_only(e, set, NULL, 0, p, stage, now_days, store, out, err);
}

int engine_evaluate_only(engine *e, const ruleset *set, const char *const *only, size_t n_only,
                         const engine_process *p, ocds_stage stage, int64_t now_days,
                         const engine_store *store, verdict_list *out, anbud_err *err)
{
    lua_State *L = sandbox_lua(e->sb);
    bind_process proc = {(char *)p->ocid, (json_t *)p->compiled, stage, p->first_days,
                         ocds_relevant_days(p->compiled, p->first_days)};
    e->bind.now_days = now_days;
    e->bind.store = store;
    if (store && store->prepare)
        store->prepare(store->ctx, p);
    eval_args a = {e, set, &proc, stage, out, only, n_only, 0};
    lua_pushcfunction(L, evaluate_protected);
    lua_pushlightuserdata(L, &a);
    int st = lua_pcall(L, 1, 0, 0);
    if (st != LUA_OK) {
        const char *m = lua_tostring(L, -1);
        err_set(err, ANBUD_EINTERNAL, "evaluating %s: %s", p->ocid, m ? m : "out of memory");
        lua_pop(L, 1);
        a.rc = ANBUD_EINTERNAL;
    } else if (a.rc) {
        err_set(err, a.rc, "evaluating %s: out of memory", p->ocid);
    }
    e->bind.local_codes = NULL;
    e->bind.n_local = 0;
    e->bind.store = NULL;
    bind_end_epoch(&e->bind);
    return a.rc;
}

int engine_replay(engine *e, const ruleset *set, const ocds_process *p, int64_t now_days,
                  const engine_store *store, verdict_list *out, anbud_err *err)
{
    json_t *compiled = json_object();
    if (!compiled)
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    int rc = 0;
    ocds_stage stage = STAGE_NONE;
    for (size_t i = 0; i < p->n && !rc; i++) {
        const ocds_release *r = p->releases[i];
        rc = ocds_apply(compiled, &stage, r, err);
        if (rc)
            break;
        engine_process ep = {p->ocid, compiled, r->stage, p->first_days};
        rc = engine_evaluate(e, set, &ep, r->stage, now_days, store, out, err);
    }
    json_decref(compiled);
    return rc;
}
