/*
 * service_reload: rule sets while the service runs. Each set's folder (and its lib/), the
 * rules folder and the rule library are watched; a change (debounced) or SIGHUP builds a
 * new engine from the files. When it loads and every rule file loads, it replaces the
 * engine in force for new evaluations (verdicts record each set's version); when not, the
 * engine in force stays, and the error is logged and kept for /v1/rulesets.
 */
#include <stdlib.h>
#include <string.h>

#include "service_internal.h"

enum { DEBOUNCE_MS = 200 };

struct service_watch {
    uv_fs_event_t handle; /* first: the close callback gets the watch */
    service *svc;
    char *set_id; /* the set whose files these are; NULL: every set's */
    char *path;
    service_watch *next;
};

/* ---- statuses ---------------------------------------------------------------------- */

static service_set_status *status_of(service *svc, const char *id, int create)
{
    for (size_t i = 0; i < svc->n_sets; i++)
        if (strcmp(svc->sets[i].id, id) == 0)
            return &svc->sets[i];
    if (!create)
        return NULL;
    service_set_status *grown = realloc(svc->sets, (svc->n_sets + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    svc->sets = grown;
    service_set_status *st = &svc->sets[svc->n_sets];
    memset(st, 0, sizeof *st);
    if (!(st->id = xstrdup(id)))
        return NULL;
    svc->n_sets++;
    return st;
}

/* Records the sets of the engine in force: new versions get loaded_at = now; errors and
 * dirty marks are cleared; sets no longer there are forgotten. */
static void statuses_loaded(service *svc)
{
    char now[21];
    time_now_iso(now);
    for (size_t i = 0; i < engine_ruleset_count(svc->eng); i++) {
        const ruleset *s = engine_ruleset_at(svc->eng, i);
        service_set_status *st = status_of(svc, ruleset_id(s), 1);
        if (!st)
            continue; /* out of memory: the set is shown without its load time */
        if (strcmp(st->version, ruleset_version(s)) != 0) {
            snprintf(st->version, sizeof st->version, "%s", ruleset_version(s));
            snprintf(st->loaded_at, sizeof st->loaded_at, "%s", now);
        }
        free(st->error);
        st->error = NULL;
        st->dirty = 0;
    }
    size_t kept = 0;
    for (size_t i = 0; i < svc->n_sets; i++) {
        if (engine_ruleset_by_id(svc->eng, svc->sets[i].id)) {
            svc->sets[kept++] = svc->sets[i];
        } else {
            free(svc->sets[i].id);
            free(svc->sets[i].error);
        }
    }
    svc->n_sets = kept;
}

/* Marks every set dirty (a change to the rules folder or the library touches them all). */
static void mark_dirty(service *svc, const char *set_id)
{
    for (size_t i = 0; i < svc->n_sets; i++)
        if (!set_id || strcmp(svc->sets[i].id, set_id) == 0)
            svc->sets[i].dirty = 1;
}

/* True when set (in force) builds on a set whose files changed. */
static int touched(service *svc, const ruleset *set)
{
    for (size_t i = 0; i < ruleset_order_count(set); i++) {
        const service_set_status *st = status_of(svc, ruleset_id(ruleset_order_at(set, i)), 0);
        if (st && st->dirty)
            return 1;
    }
    return 0;
}

/* ---- watching ---------------------------------------------------------------------- */

static void on_watch_closed(uv_handle_t *h)
{
    service_watch *w = (service_watch *)h;
    free(w->set_id);
    free(w->path);
    free(w);
}

static void on_debounce(uv_timer_t *t)
{
    service *svc = t->data;
    service_reload_now(svc, svc->trigger);
}

static void on_change(uv_fs_event_t *h, const char *filename, int events, int status)
{
    (void)events;
    service_watch *w = (service_watch *)h;
    service *svc = w->svc;
    if (status < 0) {
        service_log(svc, "watching %s: %s", w->path, uv_strerror(status));
        return;
    }
    mark_dirty(svc, w->set_id);
    snprintf(svc->trigger, sizeof svc->trigger, "%s/%s changed", w->path, filename ? filename : "");
    service_timer(svc, &svc->debounce, on_debounce, DEBOUNCE_MS, 0);
}

/* Watches one folder; a folder that does not exist is skipped. */
static int watch(service *svc, const char *path, const char *set_id, anbud_err *err)
{
    service_watch *w = calloc(1, sizeof *w);
    if (!w || !(w->path = xstrdup(path)) || (set_id && !(w->set_id = xstrdup(set_id)))) {
        if (w)
            free(w->path);
        free(w);
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    }
    w->svc = svc;
    int rc = uv_fs_event_init(&svc->loop, &w->handle);
    if (!rc)
        rc = uv_fs_event_start(&w->handle, on_change, path, 0);
    if (rc) {
        if (w->handle.loop) {
            uv_close((uv_handle_t *)&w->handle, on_watch_closed);
        } else {
            free(w->set_id);
            free(w->path);
            free(w);
        }
        return rc == UV_ENOENT || rc == UV_ENOTDIR
                   ? 0
                   : err_set(err, ANBUD_EINTERNAL, "watching %s: %s", path, uv_strerror(rc));
    }
    w->next = svc->watches;
    svc->watches = w;
    return 0;
}

static void unwatch_all(service *svc)
{
    while (svc->watches) {
        service_watch *w = svc->watches;
        svc->watches = w->next;
        uv_close((uv_handle_t *)&w->handle, on_watch_closed);
    }
}

/* Watches the folders of the engine in force. */
static int watch_all(service *svc, anbud_err *err)
{
    char path[4200];
    int rc = watch(svc, svc->opt->rules_dir, NULL, err);
    snprintf(path, sizeof path, "%s/anbud", svc->opt->lua_dir);
    if (!rc)
        rc = watch(svc, path, NULL, err);
    for (size_t i = 0; i < engine_ruleset_count(svc->eng) && !rc; i++) {
        const ruleset *s = engine_ruleset_at(svc->eng, i);
        rc = watch(svc, ruleset_dir(s), ruleset_id(s), err);
        snprintf(path, sizeof path, "%s/lib", ruleset_dir(s));
        if (!rc)
            rc = watch(svc, path, ruleset_id(s), err);
    }
    return rc;
}

/* ---- reloading --------------------------------------------------------------------- */

/* Appends the load error of every rule file of e that does not load, once each. */
static int lint(const engine *e, sbuf *why)
{
    int rc = 0;
    for (size_t i = 0; i < engine_ruleset_count(e) && !rc; i++) {
        const ruleset *s = engine_ruleset_at(e, i);
        for (size_t j = 0; j < ruleset_rule_count(s) && !rc; j++) {
            const char *msg = rule_load_error(ruleset_rule_at(s, j));
            if (msg && !(why->data && strstr(why->data, msg)))
                rc = sbuf_printf(why, "%s%s", why->len ? "; " : "", msg);
        }
    }
    return rc;
}

static void reload_failed(service *svc, const char *trigger, const char *why)
{
    char now[21];
    time_now_iso(now);
    svc->metrics.reloads_failed++;
    free(svc->reload_error);
    svc->reload_error = xstrdup(why);
    snprintf(svc->reload_at, sizeof svc->reload_at, "%s", now);
    snprintf(svc->reload_trigger, sizeof svc->reload_trigger, "%s", trigger);
    for (size_t i = 0; i < engine_ruleset_count(svc->eng); i++) {
        const ruleset *s = engine_ruleset_at(svc->eng, i);
        service_set_status *st = status_of(svc, ruleset_id(s), 0);
        if (!st || !touched(svc, s))
            continue;
        free(st->error);
        st->error = xstrdup(why);
        snprintf(st->error_at, sizeof st->error_at, "%s", now);
    }
    service_log(svc, "reload (%s) failed; the rule sets in force stay: %s", trigger, why);
}

void service_reload_now(service *svc, const char *trigger)
{
    if (svc->stopping)
        return;
    char cause[512];
    snprintf(cause, sizeof cause, "%s", trigger);
    uv_timer_stop(&svc->debounce);
    if (strcmp(cause, "SIGHUP") == 0)
        mark_dirty(svc, NULL);
    uint64_t t0 = uv_hrtime();
    int code = 0;
    anbud_err err;
    engine *fresh = engine_new(svc->opt->lua_dir, svc->opt->rules_dir, NULL, &code, &err);
    sbuf why = {0};
    int oom = 0;
    if (!fresh)
        oom = sbuf_adds(&why, err.msg);
    else
        oom = lint(fresh, &why);
    if (!oom && fresh && !why.len && svc->opt->forced_set &&
        !engine_ruleset_by_id(fresh, svc->opt->forced_set))
        oom = sbuf_printf(&why, "--ruleset %s: the set is gone", svc->opt->forced_set);
    if (oom || why.len) {
        engine_free(fresh);
        reload_failed(svc, cause, oom ? "out of memory" : why.data);
        sbuf_free(&why);
        return;
    }
    sbuf_free(&why);
    engine_free(svc->eng);
    svc->eng = fresh;
    statuses_loaded(svc);
    svc->metrics.reloads_ok++;
    free(svc->reload_error);
    svc->reload_error = NULL;
    time_now_iso(svc->reload_at);
    snprintf(svc->reload_trigger, sizeof svc->reload_trigger, "%s", cause);
    sbuf sets = {0};
    for (size_t i = 0; i < engine_ruleset_count(svc->eng); i++)
        if (sbuf_printf(&sets, " %s@%.8s", ruleset_id(engine_ruleset_at(svc->eng, i)),
                        ruleset_version(engine_ruleset_at(svc->eng, i))))
            break;
    service_log(svc, "reloaded rule sets (%s) in %.1f ms:%s", cause,
                (double)(uv_hrtime() - t0) / 1e6, sets.data ? sets.data : "");
    sbuf_free(&sets);
    unwatch_all(svc);
    if (watch_all(svc, &err))
        service_log(svc, "reload: %s", err.msg);
    svc->cursor = 0; /* events that failed with the old sets get another try */
    service_wake(svc);
}

int service_reload_start(service *svc, anbud_err *err)
{
    statuses_loaded(svc);
    time_now_iso(svc->reload_at);
    snprintf(svc->reload_trigger, sizeof svc->reload_trigger, "start");
    sbuf why = {0};
    if (lint(svc->eng, &why) == 0 && why.len)
        service_log(svc, "rule files that do not load (their rules give error): %s", why.data);
    sbuf_free(&why);
    return watch_all(svc, err);
}

void service_reload_stop(service *svc)
{
    unwatch_all(svc);
    if (svc->debounce.loop && !uv_is_closing((uv_handle_t *)&svc->debounce))
        uv_close((uv_handle_t *)&svc->debounce, NULL);
}

void service_reload_free(service *svc)
{
    for (size_t i = 0; i < svc->n_sets; i++) {
        free(svc->sets[i].id);
        free(svc->sets[i].error);
    }
    free(svc->sets);
    svc->sets = NULL;
    svc->n_sets = 0;
    free(svc->reload_error);
    svc->reload_error = NULL;
}

/* ---- tenants ----------------------------------------------------------------------- */

static int code_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static size_t add_code(char (*out)[8], size_t n, size_t max, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(out[i], code) == 0)
            return n;
    if (n < max && kommunenr_valid(code))
        snprintf(out[n++], 8, "%s", code);
    return n;
}

size_t service_visible_codes(const service *svc, const char *code, char (*out)[8], size_t max)
{
    size_t n = add_code(out, 0, max, code);
    for (size_t i = 0; i < engine_ruleset_count(svc->eng); i++) {
        const ruleset *s = engine_ruleset_at(svc->eng, i);
        if (!ruleset_host(s) || strcmp(ruleset_host(s), code) != 0)
            continue;
        for (size_t j = 0; j < ruleset_member_count(s); j++)
            n = add_code(out, n, max, ruleset_member_at(s, j));
    }
    qsort(out, n, sizeof *out, code_cmp);
    return n;
}

/* ---- rule sets as JSON ------------------------------------------------------------- */

static json_t *load_json(service *svc, const ruleset *s)
{
    const service_set_status *st = status_of(svc, ruleset_id(s), 0);
    return json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "state",
                     st && st->error ? "reload_failed" : "loaded", "version", ruleset_version(s),
                     "loaded_at", st && st->loaded_at[0] ? st->loaded_at : NULL, "reload_error",
                     st ? st->error : NULL, "reload_failed_at",
                     st && st->error ? st->error_at : NULL);
}

static json_t *strings(size_t n, const char *(*at)(const ruleset *, size_t), const ruleset *s)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_string(at(s, i)))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static const char *order_id(const ruleset *s, size_t i)
{
    return ruleset_id(ruleset_order_at(s, i));
}

static json_t *summary(service *svc, const ruleset *s)
{
    return json_pack(
        "{s:s, s:s, s:s, s:o, s:s?, s:o, s:o, s:s, s:s, s:i, s:o}", "id", ruleset_id(s), "name",
        ruleset_name(s), "language", ruleset_language(s), "municipalities",
        strings(ruleset_municipality_count(s), ruleset_municipality_at, s), "host", ruleset_host(s),
        "members", strings(ruleset_member_count(s), ruleset_member_at, s), "order",
        strings(ruleset_order_count(s), order_id, s), "version", ruleset_version(s), "dir",
        ruleset_dir(s), "rule_count", (json_int_t)ruleset_rule_count(s), "load", load_json(svc, s));
}

json_t *service_rulesets_json(service *svc)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < engine_ruleset_count(svc->eng); i++)
        if (json_array_append_new(list, summary(svc, engine_ruleset_at(svc->eng, i)))) {
            json_decref(list);
            list = NULL;
        }
    return list ? json_pack("{s:o, s:{s:s, s:s, s:s, s:s?}}", "rulesets", list, "reload", "state",
                            svc->reload_error ? "failed" : "loaded", "at", svc->reload_at,
                            "trigger", svc->reload_trigger, "error", svc->reload_error)
                : NULL;
}

static json_t *rule_json(const rule *r)
{
    json_t *stages = json_array(), *gates = json_array();
    int bad = !stages || !gates;
    for (int st = 0; st < STAGE_COUNT && !bad; st++) {
        if (rule_runs_at(r, (ocds_stage)st))
            bad |= json_array_append_new(stages, json_string(ocds_stage_name((ocds_stage)st)));
        if (rule_is_gate(r, (ocds_stage)st))
            bad |= json_array_append_new(gates, json_string(ocds_stage_name((ocds_stage)st)));
    }
    if (bad) {
        json_decref(stages);
        json_decref(gates);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s?}", "id", rule_id(r), "title",
                     rule_title(r), "source", rule_source(r), "severity",
                     severity_name(rule_severity(r)), "stages", stages, "gates", gates, "file",
                     rule_file(r), "load_error", rule_load_error(r));
}

json_t *service_ruleset_json(service *svc, const char *id)
{
    const ruleset *s = engine_ruleset_by_id(svc->eng, id);
    if (!s)
        return NULL;
    json_t *doc = summary(svc, s), *rules = json_array(), *disabled = json_array();
    int bad = !doc || !rules || !disabled;
    for (size_t i = 0; i < ruleset_rule_count(s) && !bad; i++)
        bad |= json_array_append_new(rules, rule_json(ruleset_rule_at(s, i)));
    for (size_t i = 0; i < ruleset_disabled_count(s) && !bad; i++) {
        const char *rule_id_, *reason, *by;
        ruleset_disabled_at(s, i, &rule_id_, &reason, &by);
        bad |= json_array_append_new(
            disabled, json_pack("{s:s, s:s, s:s}", "rule", rule_id_, "reason", reason, "by", by));
    }
    if (!bad)
        bad |= json_object_set(doc, "rules", rules) || json_object_set(doc, "disabled", disabled);
    json_decref(rules);
    json_decref(disabled);
    if (bad) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}
