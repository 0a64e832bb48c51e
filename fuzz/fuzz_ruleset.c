/*
 * fuzz_ruleset: a rule file's text, loaded into one temporary rule set folder (made once,
 * the file rewritten each time) with engine_new, then evaluated against a fixed document at
 * two stages. When the input holds a line "--8<--", what follows it is the set's manifest
 * (ruleset.lua) instead of the fixed one, so manifests are fuzzed as well. A rule that does
 * not load, raises or spends its budget is `error`; only crashes and sanitizer reports are
 * findings, and an evaluation that fails for any reason but memory.
 */
#include <stdint.h>

#include "engine.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char MANIFEST[] = "ruleset {\n"
                               "  id = \"fz\",\n"
                               "  name = \"Fuzz\",\n"
                               "  language = \"nb\",\n"
                               "  municipalities = { \"4631\" },\n"
                               "  params = { limit = 1000 },\n"
                               "}\n";

static const char DOC[] =
    "{\"ocid\":\"ocds-fz-1\",\"id\":\"1\",\"date\":\"2024-03-01T10:00:00Z\",\"tag\":[\"tender\"],"
    "\"buyer\":{\"id\":\"b\",\"name\":\"Alver kommune\"},"
    "\"parties\":[{\"id\":\"b\",\"name\":\"Alver kommune\",\"roles\":[\"buyer\"],"
    "\"identifier\":{\"scheme\":\"NO-BRC\",\"id\":\"964338531\"},"
    "\"details\":{\"municipalityCode\":\"4631\"}}],"
    "\"tender\":{\"id\":\"t\",\"title\":\"Fuzz\",\"value\":{\"amount\":120000,\"currency\":"
    "\"NOK\"},\"items\":[{\"id\":\"1\",\"classification\":{\"scheme\":\"CPV\",\"id\":"
    "\"45210000-2\"}}],\"tenderPeriod\":{\"startDate\":\"2024-03-01\"}}}";

static char rules_dir[300], set_dir[320], rule_path[340], manifest_path[340];
static ocds_batch doc;
static ocds_set docset;

static void setup(void)
{
    const char *tmp = fuzz_tmpdir();
    snprintf(rules_dir, sizeof rules_dir, "%s/rules", tmp);
    snprintf(set_dir, sizeof set_dir, "%s/fz", rules_dir);
    snprintf(rule_path, sizeof rule_path, "%s/rule.lua", set_dir);
    snprintf(manifest_path, sizeof manifest_path, "%s/ruleset.lua", set_dir);
    fuzz_mkdir(set_dir);
    anbud_err err;
    if (ocds_read(&doc, "doc.json", DOC, sizeof DOC - 1, &err) || ocds_group(&doc, &docset, &err)) {
        fprintf(stderr, "fuzz_ruleset: %s\n", err.msg);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rules_dir[0])
        setup();
    static const char CUT[] = "\n--8<--\n";
    const uint8_t *cut = NULL;
    for (size_t i = 0; i + sizeof CUT - 1 <= size && !cut; i++)
        if (memcmp(data + i, CUT, sizeof CUT - 1) == 0)
            cut = data + i;
    size_t rule_len = cut ? (size_t)(cut - data) : size;
    fuzz_write(rule_path, data, rule_len);
    if (cut)
        fuzz_write(manifest_path, cut + sizeof CUT - 1, size - rule_len - (sizeof CUT - 1));
    else
        fuzz_write(manifest_path, MANIFEST, sizeof MANIFEST - 1);

    sandbox_limits limits = FUZZ_LIMITS;
    int code = 0;
    anbud_err err;
    engine *e = engine_new(ANBUD_LUA_DIR, rules_dir, &limits, &code, &err);
    if (!e) {
        if (code != ANBUD_EINPUT && code != ANBUD_EINTERNAL)
            abort();
        return 0;
    }
    for (size_t s = 0; s < engine_ruleset_count(e); s++) {
        const ruleset *set = engine_ruleset_at(e, s);
        for (size_t i = 0; i < ruleset_rule_count(set); i++) {
            const rule *r = ruleset_rule_at(set, i);
            (void)rule_title(r);
            (void)rule_source(r);
            (void)rule_load_error(r);
        }
        const ocds_process *p = &docset.items[0];
        engine_process ep = {p->ocid, p->compiled, p->stage, p->first_days};
        for (ocds_stage st = STAGE_PLANNING; st <= STAGE_TENDER; st++) {
            verdict_list out = {0};
            int rc = engine_evaluate(e, set, &ep, st, 19800, NULL, &out, &err);
            if (rc && rc != ANBUD_EINTERNAL)
                abort();
            verdict_list_free(&out);
        }
    }
    engine_free(e);
    return 0;
}
