/*
 * fuzz_bindings: an arbitrary JSON document evaluated by one fixed rule,
 * fuzz/rules/fz/walk.lua, that walks every field of the procurement objects through the Lua
 * bindings: pairs, #, indexing by every key pairs gives and by each computed field,
 * tostring, p:get with the paths it found, p:others(), and objects handed back as evidence.
 * A document that passes validation is replayed as `check` does (the other processes of
 * the input as the store); any other JSON object is evaluated as a compiled release as it
 * stands, so the bindings see shapes validation would refuse. A finding is a crash, a
 * sanitizer report, a failed evaluation, or the walking rule giving `error` for anything
 * but its budget.
 */
#include <stdint.h>

#include "check.h"
#include "fuzz_common.h"
#include "memstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static engine *eng;
static const ruleset *set;

static void setup(void)
{
    sandbox_limits limits = {2000000, (size_t)64 << 20, 2000};
    int code;
    anbud_err err;
    eng = engine_new(ANBUD_LUA_DIR, FUZZ_DIR "/rules", &limits, &code, &err);
    if (!eng || !(set = engine_ruleset_by_id(eng, "fz")) || ruleset_rule_count(set) != 1 ||
        rule_load_error(ruleset_rule_at(set, 0))) {
        fprintf(stderr, "fuzz_bindings: the walking rule does not load: %s\n",
                eng ? rule_load_error(ruleset_rule_at(set, 0)) : err.msg);
        abort();
    }
}

/* Aborts unless every verdict is the walker's info, or an error for its budget. */
static void check_verdicts(const verdict_list *l, const anbud_err *err, int rc)
{
    if (rc) {
        fprintf(stderr, "fuzz_bindings: evaluation failed: %s\n", err->msg);
        abort();
    }
    for (size_t i = 0; i < l->n; i++) {
        const verdict *v = &l->items[i];
        if (v->outcome == OUTCOME_INFO)
            continue;
        if (v->outcome == OUTCOME_ERROR && strstr(v->message, "budget exhausted"))
            continue;
        fprintf(stderr, "fuzz_bindings: %s %s: %s\n", v->rule, outcome_name(v->outcome),
                v->message);
        abort();
    }
}

static int each(void *arg, const ocds_process *p, const ruleset *rs, const verdict_list *l)
{
    (void)arg;
    (void)p;
    (void)rs;
    check_verdicts(l, NULL, 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!eng)
        setup();
    anbud_err err;
    ocds_batch b = {0};
    if (ocds_read(&b, "fuzz.json", (const char *)data, size, &err) == ANBUD_OK) {
        ocds_set s;
        if (ocds_group(&b, &s, &err) == ANBUD_OK) {
            int rc = check_processes(eng, &s, "fz", 19800, each, NULL, &err);
            check_verdicts(&(verdict_list){0}, &err, rc);
            ocds_set_free(&s);
        }
        ocds_batch_free(&b);
        return 0;
    }
    ocds_batch_free(&b);
    json_t *doc = json_loadb((const char *)data, size, 0, NULL);
    if (json_is_object(doc)) {
        const char *ocid = json_string_value(json_object_get(doc, "ocid"));
        engine_process ep = {ocid ? ocid : "ocds-fz-raw", doc, ocds_stage_of_compiled(doc), 19700};
        verdict_list out = {0};
        int rc = engine_evaluate(eng, set, &ep, ep.stage, 19800, NULL, &out, &err);
        check_verdicts(&out, &err, rc);
        verdict_list_free(&out);
    }
    json_decref(doc);
    return 0;
}
