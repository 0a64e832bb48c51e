/*
 * bench/eval: times engine_evaluate alone over processes already in memory.
 *
 *   bench/eval --ruleset bergen --now 2026-01-01 FILE.jsonl [--decisions OUT.tsv]
 *
 * Reads FILE (ocds_read_file), groups it (ocds_group), then, timing only this loop, runs
 * engine_evaluate once per process with the named set at the process's current stage on
 * its compiled release. The store the rules ask (p:others()) is the other processes in
 * memory, in the indexed memstore `check` uses (memstore_new); --linear-store uses
 * memstore_over instead, a scan of all n per query.
 * Prints one JSON object: processes, verdicts (= rules evaluated), seconds, rates,
 * the CPU time of the timed loop (eval_cpu_s, rules_per_cpu_s: steadier than wall time
 * on a shared machine), outcome counts, peak RSS.
 *
 * --verdicts writes, untimed, every verdict of the timed loop, one line each (ocid, rule,
 * outcome, severity, gate, recheck day, message, source, evidence as sorted JSON): to
 * show that a change to the engine left every outcome as it was (diff two runs).
 *
 * --rules DIR loads the rule sets of DIR instead of the tree's rules/ (bench/floor: the
 * engine's cost per rule call, with rules that do almost nothing).
 *
 * --decisions runs, in a second timed loop, only the four rules the peers decide:
 * no.regime, no.doffin-notice, alver.local-quotes (set alver) and bergen.apprentice-share
 * (set bergen) at each process's stage (engine_evaluate_only), and writes one line per
 * process: ocid and the four outcomes, "-" when the rule does not run at that stage; the
 * peers are compared with this file. Its rate is "four_rules" in the output: the same
 * work as a peer's, for a like-for-like comparison.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "engine.h"
#include "memstore.h"
#include "ocds.h"

#ifndef ANBUD_LUA_DIR
#define ANBUD_LUA_DIR "lua"
#endif
#ifndef ANBUD_RULES_DIR
#define ANBUD_RULES_DIR "rules"
#endif

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_s(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

static const char *find(const verdict_list *l, const char *rule_name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].rule, rule_name) == 0)
            return outcome_name(l->items[i].outcome);
    return "-";
}

static void die(const char *what, const anbud_err *e)
{
    fprintf(stderr, "bench/eval: %s: %s\n", what, e ? e->msg : "");
    exit(3);
}

int main(int argc, char **argv)
{
    const char *set_id = "bergen", *file = NULL, *decisions = NULL, *now = "2026-01-01";
    const char *verdicts_out = NULL, *rules_dir = ANBUD_RULES_DIR;
    int linear = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ruleset") && i + 1 < argc)
            set_id = argv[++i];
        else if (!strcmp(argv[i], "--now") && i + 1 < argc)
            now = argv[++i];
        else if (!strcmp(argv[i], "--decisions") && i + 1 < argc)
            decisions = argv[++i];
        else if (!strcmp(argv[i], "--verdicts") && i + 1 < argc)
            verdicts_out = argv[++i];
        else if (!strcmp(argv[i], "--rules") && i + 1 < argc)
            rules_dir = argv[++i];
        else if (!strcmp(argv[i], "--linear-store"))
            linear = 1;
        else
            file = argv[i];
    }
    int y, m, d;
    if (!file || sscanf(now, "%d-%d-%d", &y, &m, &d) != 3) {
        fprintf(stderr, "usage: bench/eval [--rules DIR] [--ruleset ID] [--now YYYY-MM-DD] "
                        "[--decisions OUT] [--verdicts OUT] [--linear-store] FILE.jsonl\n");
        return 2;
    }
    int64_t now_days = date_days_from_civil(y, m, d);
    anbud_err err = {0};
    int code = 0;
    double t0 = now_s();
    engine *e = engine_new(ANBUD_LUA_DIR, rules_dir, NULL, &code, &err);
    if (!e)
        die("engine_new", &err);
    const ruleset *set = engine_ruleset_by_id(e, set_id);
    if (!set)
        die(set_id, NULL);
    ocds_batch b = {0};
    if (ocds_read_file(&b, file, &err))
        die("read", &err);
    ocds_set ps = {0};
    if (ocds_group(&b, &ps, &err))
        die("group", &err);
    memstore *ms = memstore_new(&ps, &err);
    if (!ms)
        die("memstore", &err);
    engine_store store = linear ? memstore_over(&ps) : memstore_store(ms);
    double t_load = now_s() - t0;

    size_t counts[OUTCOME_COUNT] = {0}, verdicts = 0;
    verdict_list out = {0};
    double t1 = now_s(), c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (size_t i = 0; i < ps.n; i++) {
        const ocds_process *p = &ps.items[i];
        engine_process ep = {p->ocid, p->compiled, p->stage, p->first_days};
        if (engine_evaluate(e, set, &ep, p->stage, now_days, &store, &out, &err))
            die("evaluate", &err);
        for (size_t k = 0; k < out.n; k++)
            counts[out.items[k].outcome]++;
        verdicts += out.n;
        verdict_list_free(&out);
        memset(&out, 0, sizeof out);
    }
    double t_eval = now_s() - t1, c_eval = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c1;

    if (verdicts_out) {
        FILE *f = fopen(verdicts_out, "w");
        if (!f)
            die(verdicts_out, NULL);
        for (size_t i = 0; i < ps.n; i++) {
            const ocds_process *p = &ps.items[i];
            engine_process ep = {p->ocid, p->compiled, p->stage, p->first_days};
            if (engine_evaluate(e, set, &ep, p->stage, now_days, &store, &out, &err))
                die("evaluate", &err);
            for (size_t k = 0; k < out.n; k++) {
                const verdict *v = &out.items[k];
                /* sorted all through, objects a rule handed back too, as before */
                json_t *tree = v->evidence ? json_loads(v->evidence, JSON_ALLOW_NUL, NULL) : NULL;
                char *ev = tree ? json_dumps(tree, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
                json_decref(tree);
                fprintf(f, "%s\t%s\t%s\t%d\t%d\t%lld\t%s\t%s\t%s\n", p->ocid, v->rule,
                        outcome_name(v->outcome), (int)v->severity, v->gate,
                        (long long)v->recheck_days, v->message, v->source, ev ? ev : "-");
                free(ev);
            }
            verdict_list_free(&out);
            memset(&out, 0, sizeof out);
        }
        fclose(f);
    }

    /* The peers' work, timed the same way: the four rules alone (three of the Alver set,
     * one of the Bergen set) on every process; their outcomes are the decisions file. */
    size_t n_four = 0;
    double t_four = 0, c_four = 0;
    if (decisions) {
        static const char *const in_alver[] = {"no.regime", "no.doffin-notice",
                                               "alver.local-quotes"};
        static const char *const in_bergen[] = {"bergen.apprentice-share"};
        const ruleset *alver = engine_ruleset_by_id(e, "alver");
        const ruleset *bergen = engine_ruleset_by_id(e, "bergen");
        if (!alver || !bergen)
            die("the sets alver and bergen", NULL);
        const char **row = calloc(ps.n * 4, sizeof *row);
        if (!row)
            die("out of memory", NULL);
        double t2 = now_s(), c2 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        for (size_t i = 0; i < ps.n; i++) {
            const ocds_process *p = &ps.items[i];
            engine_process ep = {p->ocid, p->compiled, p->stage, p->first_days};
            verdict_list a = {0}, bl = {0};
            if (engine_evaluate_only(e, alver, in_alver, 3, &ep, p->stage, now_days, &store, &a,
                                     &err) ||
                engine_evaluate_only(e, bergen, in_bergen, 1, &ep, p->stage, now_days, &store,
                                     &bl, &err))
                die("evaluate", &err);
            row[4 * i] = find(&a, "no.regime");
            row[4 * i + 1] = find(&a, "no.doffin-notice");
            row[4 * i + 2] = find(&a, "alver.local-quotes");
            row[4 * i + 3] = find(&bl, "bergen.apprentice-share");
            n_four += a.n + bl.n;
            verdict_list_free(&a);
            verdict_list_free(&bl);
        }
        t_four = now_s() - t2;
        c_four = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c2;
        FILE *f = fopen(decisions, "w");
        if (!f)
            die(decisions, NULL);
        for (size_t i = 0; i < ps.n; i++)
            fprintf(f, "%s\t%s\t%s\t%s\t%s\n", ps.items[i].ocid, row[4 * i], row[4 * i + 1],
                    row[4 * i + 2], row[4 * i + 3]);
        if (fclose(f))
            die(decisions, NULL);
        free(row);
    }

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"ruleset\":\"%s\",\"file\":\"%s\",\"store\":\"%s\",\"releases\":%zu,"
           "\"processes\":%zu,\"verdicts\":%zu,"
           "\"load_s\":%.3f,\"eval_s\":%.3f,\"rules_per_s\":%.0f,\"processes_per_s\":%.0f,"
           "\"eval_cpu_s\":%.3f,\"rules_per_cpu_s\":%.0f,"
           "\"outcomes\":{",
           set_id, file, linear ? "memstore (linear)" : "indexed", b.n, ps.n, verdicts,
           t_load, t_eval, verdicts / t_eval, ps.n / t_eval, c_eval, verdicts / c_eval);
    for (int o = 0; o < OUTCOME_COUNT; o++)
        printf("%s\"%s\":%zu", o ? "," : "", outcome_name((outcome)o), counts[o]);
    printf("}");
    if (decisions)
        printf(",\"four_rules\":{\"decisions\":%zu,\"seconds\":%.3f,\"cpu_s\":%.3f,"
               "\"rules_per_s\":%.0f,\"rules_per_cpu_s\":%.0f}",
               n_four, t_four, c_four, n_four / t_four, n_four / c_four);
    printf(",\"peak_rss_kb\":%ld}\n", ru.ru_maxrss);
    return 0;
}
