/*
 * bench/peers/clips: the four compared rules (no.regime, no.doffin-notice,
 * alver.local-quotes, bergen.apprentice-share) as CLIPS 6.30 rules, over the same
 * generated data. Reading and merging the releases uses anbud's ocds_read_file and
 * ocds_group (untimed, as in bench/eval); the timed loop is, per process: reset, assert
 * the facts from the compiled release, run, read the decision facts.
 *
 *   bench/peers/clips FILE.jsonl DECISIONS.tsv   (DECISIONS from bench/eval --decisions)
 *
 * Prints one JSON object: processes, decisions (rules run), mismatches against
 * DECISIONS, seconds, rules_per_s (null unless mismatches is 0).
 * What the C side computes before CLIPS sees it: "justified" (at least 20 characters
 * that are not white space) of the two justification texts, and the stage. Thresholds
 * are those in force from 2018 (national 1 300 000), which covers the generated dates.
 */
#include <clips.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ocds.h"

static const char *constructs[] = {
    "(deftemplate proc (slot stage) (slot value (default -1)) (slot doffin (default no))"
    " (slot method (default none)) (slot rationale-ok (default no))"
    " (slot lq-just-ok (default no)) (slot appr (default no)))",
    "(deftemplate party (slot id) (slot muni))",
    "(deftemplate quote (slot supplier))",
    "(deftemplate hours (slot id) (slot contract) (slot trade) (slot total) (slot apprentice))",
    "(deftemplate trade (slot contract) (slot trade))",
    "(deftemplate local-asked (slot supplier))",
    "(deftemplate decision (slot rule) (slot outcome))",
    /* no.regime */
    "(defrule regime (proc (stage planning|tender) (value ?v))"
    " => (assert (decision (rule regime) (outcome (if (> ?v 0) then info else na)))))",
    /* no.doffin-notice */
    "(defrule doffin-na (proc (stage tender|award) (value ?v&:(< ?v 1300000)))"
    " => (assert (decision (rule doffin) (outcome na))))",
    "(defrule doffin-pass (proc (stage tender|award) (value ?v&:(>= ?v 1300000)) (doffin yes))"
    " => (assert (decision (rule doffin) (outcome pass))))",
    "(defrule doffin-warn (proc (stage tender|award) (value ?v&:(>= ?v 1300000)) (doffin no)"
    " (method limited|direct) (rationale-ok yes))"
    " => (assert (decision (rule doffin) (outcome warn))))",
    "(defrule doffin-fail (proc (stage tender|award) (value ?v&:(>= ?v 1300000)) (doffin no)"
    " (method ?m) (rationale-ok ?r&:(or (eq ?r no) (and (neq ?m limited) (neq ?m direct)))))"
    " => (assert (decision (rule doffin) (outcome fail))))",
    /* alver.local-quotes: distinct local suppliers asked (facts are sets: duplicates vanish) */
    "(defrule local-asked (declare (salience 10)) (quote (supplier ?s)) (party (id ?s) (muni \"4631\"))"
    " => (assert (local-asked (supplier ?s))))",
    "(defrule lq-na (proc (stage award|contract) (value ?v&:(or (<= ?v 0) (>= ?v 100000))))"
    " => (assert (decision (rule lq) (outcome na))))",
    "(defrule lq (proc (stage award|contract) (value ?v&:(> ?v 0)&:(< ?v 100000)) (lq-just-ok ?j))"
    " => (bind ?n (length$ (find-all-facts ((?f local-asked)) TRUE)))"
    " (assert (decision (rule lq) (outcome (if (>= ?n 3) then pass else (if (eq ?j yes) then warn else fail))))))",
    /* bergen.apprentice-share: per contract and trade, apprentice hours over total hours */
    "(defrule trade (declare (salience 10)) (hours (contract ?c) (trade ?t))"
    " => (assert (trade (contract ?c) (trade ?t))))",
    "(defrule as-na (proc (stage implementation) (appr no)) => (assert (decision (rule as) (outcome na))))",
    "(defrule as-info (proc (stage implementation) (appr yes)) (not (hours))"
    " => (assert (decision (rule as) (outcome info))))",
    "(defrule as-below (declare (salience 5)) (proc (stage implementation) (appr yes))"
    " (trade (contract ?c) (trade ?t)) (not (decision (rule as)))"
    " => (bind ?tot 0) (bind ?app 0)"
    " (do-for-all-facts ((?h hours)) (and (eq ?h:contract ?c) (eq ?h:trade ?t))"
    "   (bind ?tot (+ ?tot ?h:total)) (bind ?app (+ ?app ?h:apprentice)))"
    " (if (and (> ?tot 0) (< (/ ?app ?tot) 0.10)) then (assert (decision (rule as) (outcome fail)))))",
    "(defrule as-pass (declare (salience -10)) (proc (stage implementation) (appr yes)) (exists (hours))"
    " (not (decision (rule as))) => (assert (decision (rule as) (outcome pass))))",
};

static int justified(const json_t *s)
{
    if (!json_is_string(s))
        return 0;
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)json_string_value(s); *p; p++)
        if (!isspace(*p) && (*p < 0x80 || *p >= 0xC0)) /* characters, not bytes */
            n++;
    return n >= 20;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A symbol-safe copy of s in quotes for a CLIPS string literal. */
static void qstr(char *out, size_t n, const char *s)
{
    size_t k = 0;
    out[k++] = '"';
    for (; s && *s && k + 3 < n; s++) {
        if (*s == '"' || *s == '\\')
            out[k++] = '\\';
        out[k++] = *s;
    }
    out[k++] = '"';
    out[k] = 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench/peers/clips FILE.jsonl DECISIONS.tsv\n");
        return 2;
    }
    anbud_err err = {0};
    ocds_batch b = {0};
    ocds_set ps = {0};
    if (ocds_read_file(&b, argv[1], &err) || ocds_group(&b, &ps, &err)) {
        fprintf(stderr, "clips: %s\n", err.msg);
        return 3;
    }
    void *env = CreateEnvironment();
    for (size_t i = 0; i < sizeof constructs / sizeof constructs[0]; i++)
        if (!EnvBuild(env, (char *)constructs[i])) {
            fprintf(stderr, "clips: cannot build construct %zu\n", i);
            return 3;
        }
    char (*got)[4][8] = calloc(ps.n, sizeof *got);
    size_t decisions = 0;
    char buf[1024], q1[512], q2[512];
    double t0 = now_s();
    for (size_t i = 0; i < ps.n; i++) {
        const json_t *c = ps.items[i].compiled;
        const json_t *t = json_object_get(c, "tender");
        double v = -1;
        ocds_value(c, &v);
        int doffin = 0;
        size_t k;
        json_t *x;
        json_array_foreach(json_object_get(t, "notices"), k, x)
            doffin |= json_is_string(json_object_get(x, "platform")) &&
                      !strcmp(json_string_value(json_object_get(x, "platform")), "doffin");
        const char *method = json_string_value(json_object_get(t, "procurementMethod"));
        const json_t *ar = json_object_get(t, "apprenticeRequirement");
        EnvReset(env);
        snprintf(buf, sizeof buf,
                 "(proc (stage %s) (value %.17g) (doffin %s) (method %s) (rationale-ok %s)"
                 " (lq-just-ok %s) (appr %s))",
                 ocds_stage_name(ps.items[i].stage), v, doffin ? "yes" : "no",
                 method ? method : "none",
                 justified(json_object_get(t, "procurementMethodRationale")) ? "yes" : "no",
                 justified(json_object_get(t, "localQuotesJustification")) ? "yes" : "no",
                 json_is_true(json_object_get(ar, "required")) ? "yes" : "no");
        EnvAssertString(env, buf);
        json_array_foreach(json_object_get(c, "parties"), k, x)
        {
            const char *m = json_string_value(json_object_get(json_object_get(x, "details"),
                                                              "municipalityCode"));
            qstr(q1, sizeof q1, json_string_value(json_object_get(x, "id")));
            qstr(q2, sizeof q2, m ? m : "");
            snprintf(buf, sizeof buf, "(party (id %s) (muni %s))", q1, q2);
            EnvAssertString(env, buf);
        }
        json_array_foreach(json_object_get(t, "quoteRequests"), k, x)
        {
            qstr(q1, sizeof q1, json_string_value(json_object_get(json_object_get(x, "supplier"), "id")));
            snprintf(buf, sizeof buf, "(quote (supplier %s))", q1);
            EnvAssertString(env, buf);
        }
        size_t ci;
        json_t *ct;
        json_array_foreach(json_object_get(c, "contracts"), ci, ct)
        {
            json_array_foreach(json_object_get(json_object_get(ct, "implementation"), "hourReports"), k, x)
            {
                qstr(q1, sizeof q1, json_string_value(json_object_get(x, "trade")));
                snprintf(buf, sizeof buf,
                         "(hours (id %zu) (contract %zu) (trade %s) (total %.17g) (apprentice %.17g))", k,
                         ci, q1, json_number_value(json_object_get(x, "totalHours")),
                         json_number_value(json_object_get(x, "apprenticeHours")));
                EnvAssertString(env, buf);
            }
        }
        EnvRun(env, -1);
        for (int r = 0; r < 4; r++)
            strcpy(got[i][r], "-");
        for (void *f = EnvGetNextFact(env, NULL); f; f = EnvGetNextFact(env, f)) {
            DATA_OBJECT d;
            if (strcmp((const char *)EnvGetDeftemplateName(env, EnvFactDeftemplate(env, f)),
                       "decision"))
                continue;
            EnvGetFactSlot(env, f, "rule", &d);
            const char *rn = DOToString(d);
            EnvGetFactSlot(env, f, "outcome", &d);
            int r = !strcmp(rn, "regime") ? 0 : !strcmp(rn, "doffin") ? 1 : !strcmp(rn, "lq") ? 2 : 3;
            snprintf(got[i][r], sizeof got[i][r], "%s", DOToString(d));
            decisions++;
        }
    }
    double secs = now_s() - t0;

    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 3;
    }
    size_t mismatches = 0, compared = 0;
    char line[512], ocid[256], o[4][16];
    for (size_t i = 0; fgets(line, sizeof line, f) && i < ps.n; i++) {
        if (sscanf(line, "%255s %15s %15s %15s %15s", ocid, o[0], o[1], o[2], o[3]) != 5 ||
            strcmp(ocid, ps.items[i].ocid)) {
            fprintf(stderr, "clips: decisions file out of step at line %zu\n", i + 1);
            return 3;
        }
        compared++;
        for (int r = 0; r < 4; r++)
            if (strcmp(o[r], got[i][r])) {
                if (mismatches < 10)
                    fprintf(stderr, "clips: mismatch %s rule %d: anbud %s, clips %s\n", ocid, r,
                            o[r], got[i][r]);
                mismatches++;
            }
    }
    fclose(f);
    if (compared != ps.n)
        mismatches += ps.n - compared;
    printf("{\"processes\":%zu,\"decisions\":%zu,\"mismatches\":%zu,\"seconds\":%.3f,", ps.n,
           decisions, mismatches, secs);
    if (mismatches == 0)
        printf("\"rules_per_s\":%.0f}\n", decisions / secs);
    else
        printf("\"rules_per_s\":null}\n");
    DestroyEnvironment(env);
    return 0;
}
