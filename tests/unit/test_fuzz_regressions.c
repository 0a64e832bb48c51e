/*
 * test_fuzz_regressions: what the fuzzers found, kept. Every input in
 * fuzz/regressions/fuzz_bindings/ is evaluated as fuzz_bindings does it, including the JSON
 * that validation refuses, evaluated as a compiled release as it stands (the command line
 * cannot reach that path; tests/e2e/badinput.sh replays the rest through the binary). The
 * walking rule (fuzz/rules/fz/walk.lua) must give no `error` but for its budget. And the
 * findings one by one, where a value shows the bug better than a sanitizer.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "engine.h"
#include "test.h"

#define FUZZ_DIR ANBUD_RULES_DIR "/../fuzz"

/* Evaluates one input as fuzz_bindings does; returns the number of bad verdicts. */
static int bad_verdicts(const verdict_list *l, const char *name)
{
    int bad = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].outcome != OUTCOME_INFO &&
            !(l->items[i].outcome == OUTCOME_ERROR && strstr(l->items[i].message, "budget"))) {
            fprintf(stderr, "  %s: %s %s: %s\n", name, l->items[i].rule,
                    outcome_name(l->items[i].outcome), l->items[i].message);
            bad++;
        }
    return bad;
}

static int each(void *arg, const ocds_process *p, const ruleset *rs, const verdict_list *l)
{
    (void)p;
    (void)rs;
    *(int *)arg += bad_verdicts(l, "replayed");
    return 0;
}

static int evaluate_input(engine *e, const char *path)
{
    char *text;
    size_t len;
    anbud_err err;
    if (file_read(path, &text, &len, &err) != 0)
        return 1;
    int bad = 0;
    ocds_batch b = {0};
    if (ocds_read(&b, "fuzz.json", text, len, &err) == 0) {
        ocds_set s;
        if (ocds_group(&b, &s, &err) == 0) {
            bad += check_processes(e, &s, "fz", 19800, each, &bad, &err) != 0;
            ocds_set_free(&s);
        }
    } else {
        json_t *doc = json_loadb(text, len, 0, NULL);
        if (json_is_object(doc)) {
            const char *ocid = json_string_value(json_object_get(doc, "ocid"));
            engine_process ep = {ocid ? ocid : "ocds-fz-raw", doc, ocds_stage_of_compiled(doc),
                                 19700};
            verdict_list out = {0};
            bad += engine_evaluate(e, engine_ruleset_by_id(e, "fz"), &ep, ep.stage, 19800, NULL,
                                   &out, &err) != 0;
            bad += bad_verdicts(&out, path);
            verdict_list_free(&out);
        }
        json_decref(doc);
    }
    ocds_batch_free(&b);
    free(text);
    return bad;
}

static void test_bindings_regressions(void)
{
    int code;
    anbud_err err;
    engine *e = engine_new(ANBUD_LUA_DIR, FUZZ_DIR "/rules", NULL, &code, &err);
    CHECK(e);
    DIR *d = opendir(FUZZ_DIR "/regressions/fuzz_bindings");
    int bad = 0, seen = 0;
    struct dirent *ent;
    while (d && (ent = readdir(d))) {
        if (ent->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/regressions/fuzz_bindings/%s", FUZZ_DIR, ent->d_name);
        bad += evaluate_input(e, path);
        seen++;
    }
    if (d)
        closedir(d);
    engine_free(e);
    CHECK(seen > 0);
    CHECK_INT(bad, 0);
}

/*
 * fuzz_bindings, first finding: durationInDays of 1e300 was cast to an integer (undefined
 * behaviour; on x86 it read as -9223372036854775808 days). Validation now refuses such a
 * count, and the binding gives nil for a count no calendar holds.
 */
static void test_huge_duration_is_nil(void)
{
    char root[] = "/tmp/anbud-fuzzreg-XXXXXX";
    CHECK(mkdtemp(root));
    char path[128];
    snprintf(path, sizeof path, "%s/d", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/d/ruleset.lua", root);
    FILE *f = fopen(path, "w");
    CHECK(f);
    fputs("ruleset { id = \"d\", name = \"D\" }\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/d/duration.lua", root);
    f = fopen(path, "w");
    CHECK(f);
    fputs("rule { id = \"d.duration\", title = \"t\", source = \"s\", stages = { \"tender\" },\n"
          "  severity = \"info\", check = function(p) return info(tostring(p.duration_days)\n"
          "  .. \" \" .. tostring(p.tender.duration_days)) end }\n",
          f);
    fclose(f);
    int code;
    anbud_err err;
    engine *e = engine_new(ANBUD_LUA_DIR, root, NULL, &code, &err);
    json_t *doc = json_loads("{\"ocid\":\"x\",\"tender\":{\"tenderPeriod\":{},\"contractPeriod\":"
                             "{\"durationInDays\":1e300}}}",
                             0, NULL);
    verdict_list out = {0};
    int rc = -1;
    if (e && doc) {
        engine_process ep = {"x", doc, STAGE_TENDER, 19700};
        rc = engine_evaluate(e, engine_ruleset_by_id(e, "d"), &ep, STAGE_TENDER, 19800, NULL, &out,
                             &err);
    }
    char msg[64] = "";
    if (out.n == 1)
        snprintf(msg, sizeof msg, "%s", out.items[0].message);
    verdict_list_free(&out);
    json_decref(doc);
    engine_free(e);
    unlink(path);
    snprintf(path, sizeof path, "%s/d/ruleset.lua", root);
    unlink(path);
    snprintf(path, sizeof path, "%s/d", root);
    rmdir(path);
    rmdir(root);
    CHECK_INT(rc, 0);
    CHECK_STR(msg, "nil nil");
}

static const test_case tests[] = {
    {"bindings_regressions", test_bindings_regressions},
    {"huge_duration_is_nil", test_huge_duration_is_nil},
};

TEST_MAIN(tests)
