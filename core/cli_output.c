/*
 * cli_output: verdicts as people read them (text) and as programs read them (JSON).
 */
#include <string.h>

#include "cli.h"

static const char *outcome_label(outcome o)
{
    static const char *const labels[] = {"PASS", "FAIL", "WARN", "INFO", "NA", "ERROR"};
    return labels[o];
}

void cli_print_verdicts(FILE *f, const char *ocid, const char *stage, const ruleset *set,
                        const verdict_list *l)
{
    int nn = strcmp(ruleset_language(set), "nn") == 0;
    fprintf(f, "%s  (%s: %s, %s: %s)\n", ocid, nn ? "fase" : "fase", stage,
            nn ? "regelsett" : "regelsett", ruleset_id(set));
    size_t counts[OUTCOME_COUNT] = {0};
    size_t width = 0;
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->items[i].rule) > width)
            width = strlen(l->items[i].rule);
    for (size_t i = 0; i < l->n; i++) {
        const verdict *v = &l->items[i];
        counts[v->outcome]++;
        fprintf(f, "  %-14s %-5s  %-*s  %s\n", ocds_stage_name(v->stage), outcome_label(v->outcome),
                (int)width, v->rule, v->message);
        if (v->outcome == OUTCOME_FAIL || v->outcome == OUTCOME_WARN)
            fprintf(f, "  %-14s %-5s  %-*s  %s: %s\n", "", "", (int)width, "",
                    nn ? "Kjelde" : "Kilde", v->source);
    }
    fprintf(f, "  = %zu pass, %zu fail, %zu warn, %zu info, %zu na, %zu error\n\n",
            counts[OUTCOME_PASS], counts[OUTCOME_FAIL], counts[OUTCOME_WARN], counts[OUTCOME_INFO],
            counts[OUTCOME_NA], counts[OUTCOME_ERROR]);
}
