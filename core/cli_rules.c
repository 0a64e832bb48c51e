/*
 * cli_rules: `anbud rules list | lint | test`. A rule test is a JSON file in
 * rules/<set>/tests/: a document, the day rules see as today, and the outcome expected of
 * each rule (see README, "Testing a rule"). Each expectation counts as one test.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "memstore.h"

static const char HELP[] =
    "usage: anbud rules list [--ruleset ID] [--json]\n"
    "       anbud rules lint\n"
    "       anbud rules test [SET...]\n"
    "\n"
    "list  every rule set after layering: the sets it builds on, in resolution order, its\n"
    "      rules (own and inherited) and the rules it switches off, with the reasons.\n"
    "lint  loads every manifest and rule file and reports each that does not load;\n"
    "      exit 1 when one does not.\n"
    "test  runs the tests in rules/<set>/tests/*.json of every set (or those named);\n"
    "      ends with the line \"N passed, N failed\"; exit 1 when a test fails.\n";

static void stages_text(const rule *r, char *out, size_t size)
{
    out[0] = 0;
    for (int s = 0; s < STAGE_COUNT; s++) {
        if (!rule_runs_at(r, (ocds_stage)s))
            continue;
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s%s%s", n ? "," : "", ocds_stage_name((ocds_stage)s),
                 rule_is_gate(r, (ocds_stage)s) ? "(gate)" : "");
    }
}

static json_t *ruleset_json(const ruleset *s)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:[], s:[], s:[], s:[]}", "id", ruleset_id(s),
                          "name", ruleset_name(s), "language", ruleset_language(s),
                          "municipalities", "order", "rules", "disabled");
    if (!j)
        return NULL;
    int bad = 0;
    for (size_t i = 0; i < ruleset_municipality_count(s); i++)
        bad |= json_array_append_new(json_object_get(j, "municipalities"),
                                     json_string(ruleset_municipality_at(s, i)));
    for (size_t i = 0; i < ruleset_order_count(s); i++)
        bad |= json_array_append_new(json_object_get(j, "order"),
                                     json_string(ruleset_id(ruleset_order_at(s, i))));
    for (size_t i = 0; i < ruleset_rule_count(s); i++) {
        const rule *r = ruleset_rule_at(s, i);
        json_t *stages = json_array(), *gates = json_array();
        for (int st = 0; st < STAGE_COUNT; st++) {
            if (rule_runs_at(r, (ocds_stage)st))
                bad |= json_array_append_new(stages, json_string(ocds_stage_name((ocds_stage)st)));
            if (rule_is_gate(r, (ocds_stage)st))
                bad |= json_array_append_new(gates, json_string(ocds_stage_name((ocds_stage)st)));
        }
        bad |= json_array_append_new(
            json_object_get(j, "rules"),
            json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s?}", "id", rule_id(r), "title",
                      rule_title(r), "source", rule_source(r), "severity",
                      severity_name(rule_severity(r)), "stages", stages, "gates", gates, "file",
                      rule_file(r), "load_error", rule_load_error(r)));
    }
    for (size_t i = 0; i < ruleset_disabled_count(s); i++) {
        const char *id, *reason, *by;
        ruleset_disabled_at(s, i, &id, &reason, &by);
        bad |= json_array_append_new(json_object_get(j, "disabled"),
                                     json_pack("{s:s, s:s, s:s}", "rule", id, "reason", reason,
                                               "by", by));
    }
    if (bad) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static void print_ruleset(const ruleset *s)
{
    printf("%s: %s (%s)\n", ruleset_id(s), ruleset_name(s),
           strcmp(ruleset_language(s), "nn") == 0 ? "nynorsk" : "bokmål");
    if (ruleset_municipality_count(s)) {
        printf("  serves:");
        for (size_t i = 0; i < ruleset_municipality_count(s); i++)
            printf(" %s", ruleset_municipality_at(s, i));
        printf("\n");
    }
    printf("  order:");
    for (size_t i = 0; i < ruleset_order_count(s); i++)
        printf("%s%s", i ? " -> " : " ", ruleset_id(ruleset_order_at(s, i)));
    printf("\n");
    for (size_t i = 0; i < ruleset_rule_count(s); i++) {
        const rule *r = ruleset_rule_at(s, i);
        char stages[160];
        stages_text(r, stages, sizeof stages);
        printf("  %-42s %-7s %-34s %s\n", rule_id(r), severity_name(rule_severity(r)), stages,
               rule_load_error(r) ? "(does not load: see rules lint)" : rule_title(r));
    }
    for (size_t i = 0; i < ruleset_disabled_count(s); i++) {
        const char *id, *reason, *by;
        ruleset_disabled_at(s, i, &id, &reason, &by);
        printf("  off: %s (by %s): %s\n", id, by, reason);
    }
    printf("\n");
}

static int rules_list(engine *e, const cli_opts *o)
{
    json_t *all = o->json ? json_array() : NULL;
    for (size_t i = 0; i < engine_ruleset_count(e); i++) {
        const ruleset *s = engine_ruleset_at(e, i);
        if (o->ruleset && strcmp(o->ruleset, ruleset_id(s)) != 0)
            continue;
        if (!o->json) {
            print_ruleset(s);
            continue;
        }
        json_t *j = ruleset_json(s);
        if (!j || json_array_append_new(all, j)) {
            json_decref(all);
            fprintf(stderr, "anbud: out of memory\n");
            return EXIT_INTERNAL;
        }
    }
    if (o->json) {
        json_t *doc = json_pack("{s:o}", "rulesets", all);
        int rc = doc ? json_dumpf(doc, stdout, JSON_INDENT(2)) : -1;
        json_decref(doc);
        if (rc)
            return EXIT_INTERNAL;
        fputc('\n', stdout);
    }
    return EXIT_CLEAN;
}

static int rules_lint(engine *e)
{
    size_t rules = 0, broken = 0;
    const char **seen = NULL;
    for (size_t i = 0; i < engine_ruleset_count(e); i++) {
        const ruleset *s = engine_ruleset_at(e, i);
        const char **grown = realloc(seen, (rules + ruleset_rule_count(s)) * sizeof *seen + 1);
        if (!grown) {
            free(seen);
            fprintf(stderr, "anbud: out of memory\n");
            return EXIT_INTERNAL;
        }
        seen = grown;
        for (size_t j = 0; j < ruleset_rule_count(s); j++) {
            const rule *r = ruleset_rule_at(s, j);
            int dup = 0;
            for (size_t k = 0; k < rules && !dup; k++) /* inherited rules appear in many sets */
                dup = strcmp(seen[k], rule_file(r)) == 0;
            if (dup)
                continue;
            seen[rules++] = rule_file(r);
            if (rule_load_error(r)) {
                broken++;
                printf("%s\n", rule_load_error(r));
            }
        }
    }
    free(seen);
    printf("%zu rule sets, %zu rules, %zu that do not load\n", engine_ruleset_count(e), rules,
           broken);
    return broken ? EXIT_FINDINGS : EXIT_CLEAN;
}

/* ---- rules test -------------------------------------------------------------------- */

typedef struct test_totals {
    int passed, failed;
} test_totals;

/* The verdict an expectation names ("rule" = its last, "rule@stage" = at that stage). */
static const verdict *find_verdict(const verdict_list *l, const char *key)
{
    char id[256];
    snprintf(id, sizeof id, "%s", key);
    char *at = strchr(id, '@');
    ocds_stage stage = STAGE_NONE;
    if (at) {
        *at = 0;
        stage = ocds_stage_parse(at + 1);
    }
    const verdict *found = NULL;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].rule, id) == 0 && (!at || l->items[i].stage == stage))
            found = &l->items[i];
    return found;
}

/* Checks one expectation; prints a line when it fails. */
static int check_expectation(const char *file, const char *key, const json_t *want,
                             const verdict_list *l)
{
    const char *expected = json_is_string(want) ? json_string_value(want)
                                               : json_string_value(json_object_get(want, "outcome"));
    const char *contains = json_string_value(json_object_get(want, "message"));
    const verdict *v = find_verdict(l, key);
    if (!expected) {
        printf("FAIL %s: %s: the expectation must be an outcome or {\"outcome\", \"message\"}\n",
               file, key);
        return 0;
    }
    if (strcmp(expected, "absent") == 0) {
        if (!v)
            return 1;
        printf("FAIL %s: %s: expected no verdict, got %s: %s\n", file, key,
               outcome_name(v->outcome), v->message);
        return 0;
    }
    if (!v) {
        printf("FAIL %s: %s: expected %s, but the rule gave no verdict\n", file, key, expected);
        return 0;
    }
    if (strcmp(outcome_name(v->outcome), expected) != 0) {
        printf("FAIL %s: %s: expected %s, got %s: %s\n", file, key, expected,
               outcome_name(v->outcome), v->message);
        return 0;
    }
    if (contains && !strstr(v->message, contains)) {
        printf("FAIL %s: %s: message \"%s\" does not contain \"%s\"\n", file, key, v->message,
               contains);
        return 0;
    }
    return 1;
}

/* Runs one test file against the set it lives in (or the one it names). */
static void run_test_file(engine *e, const ruleset *home, const char *path, test_totals *t)
{
    json_error_t jerr;
    json_t *spec = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    const json_t *doc = json_object_get(spec, "document");
    const json_t *expect = json_object_get(spec, "expect");
    const char *now = json_string_value(json_object_get(spec, "now"));
    const char *set_id = json_string_value(json_object_get(spec, "ruleset"));
    const ruleset *set = set_id ? engine_ruleset_by_id(e, set_id) : home;
    int64_t now_days = 0;
    if (!spec || !doc || !json_is_object(expect) || !now || date_parse(now, &now_days, NULL) ||
        !set) {
        printf("FAIL %s: %s\n", path,
               !spec ? jerr.text
                     : "a test needs \"document\", \"now\" (YYYY-MM-DD), \"expect\" {rule: "
                       "outcome} and, if it names one, a known \"ruleset\"");
        t->failed++;
        json_decref(spec);
        return;
    }
    ocds_batch batch = {0};
    ocds_set procs = {0};
    verdict_list verdicts = {0};
    anbud_err err;
    char *text = json_dumps(doc, JSON_COMPACT);
    int rc = text ? ocds_read(&batch, path, text, strlen(text), &err) : ANBUD_EINTERNAL;
    const json_t *extra;
    size_t i;
    json_array_foreach(json_object_get(spec, "others"), i, extra)
    {
        char *more = rc ? NULL : json_dumps(extra, JSON_COMPACT);
        if (!rc)
            rc = more ? ocds_read(&batch, path, more, strlen(more), &err) : ANBUD_EINTERNAL;
        free(more);
    }
    free(text);
    if (!rc)
        rc = ocds_group(&batch, &procs, &err);
    engine_store store = memstore_over(&procs);
    /* the first process in the document is the one under test; the others are its store */
    if (!rc && procs.n > 0)
        rc = engine_replay(e, set, &procs.items[0], now_days, &store, &verdicts, &err);
    if (rc) {
        printf("FAIL %s: %s\n", path, err.msg);
        t->failed++;
    } else {
        const char *key;
        const json_t *want;
        int all = 1;
        json_object_foreach((json_t *)expect, key, want)
        {
            int ok = check_expectation(path, key, want, &verdicts);
            all &= ok;
            if (ok)
                t->passed++;
            else
                t->failed++;
        }
        if (all)
            printf("ok   %s (%zu)\n", path, json_object_size(expect));
    }
    verdict_list_free(&verdicts);
    ocds_set_free(&procs);
    ocds_batch_free(&batch);
    json_decref(spec);
}

static int is_json_file(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

static int rules_test(engine *e, const cli_opts *o)
{
    test_totals t = {0, 0};
    for (int a = 1; a < o->n_args; a++)
        if (!engine_ruleset_by_id(e, o->args[a])) {
            fprintf(stderr, "anbud rules test: no rule set '%s'\n", o->args[a]);
            return EXIT_USAGE;
        }
    for (size_t i = 0; i < engine_ruleset_count(e); i++) {
        const ruleset *s = engine_ruleset_at(e, i);
        int wanted = o->n_args <= 1;
        for (int a = 1; a < o->n_args; a++)
            wanted |= strcmp(o->args[a], ruleset_id(s)) == 0;
        if (!wanted)
            continue;
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/tests", ruleset_dir(s));
        struct dirent **names;
        int n = scandir(dir, &names, is_json_file, alphasort);
        for (int k = 0; k < n; k++) {
            char path[4500];
            snprintf(path, sizeof path, "%s/%s", dir, names[k]->d_name);
            run_test_file(e, s, path, &t);
            free(names[k]);
        }
        if (n >= 0)
            free(names);
    }
    printf("%d passed, %d failed\n", t.passed, t.failed);
    return t.failed ? EXIT_FINDINGS : EXIT_CLEAN;
}

int cmd_rules(int argc, char **argv)
{
    cli_opts o;
    int status = cli_parse(argc, argv, &o, NULL, NULL, NULL);
    const char *sub = o.n_args ? o.args[0] : NULL;
    if (!status && (o.help || !sub)) {
        fputs(HELP, o.help ? stdout : stderr);
        status = o.help ? EXIT_CLEAN : EXIT_USAGE;
    } else if (!status && strcmp(sub, "list") && strcmp(sub, "lint") && strcmp(sub, "test")) {
        fprintf(stderr, "anbud rules: unknown subcommand '%s' (list, lint or test)\n", sub);
        status = EXIT_USAGE;
    }
    engine *e = status || o.help ? NULL : cli_engine(&o, &status);
    if (e && strcmp(sub, "list") == 0)
        status = rules_list(e, &o);
    else if (e && strcmp(sub, "lint") == 0)
        status = rules_lint(e);
    else if (e)
        status = rules_test(e, &o);
    engine_free(e);
    cli_opts_free(&o);
    return status;
}
