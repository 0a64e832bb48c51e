/*
 * report: verdict lists as JSON (SPEC § 6).
 */
#include "report.h"

int report_has_findings(const verdict_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].outcome == OUTCOME_FAIL || l->items[i].outcome == OUTCOME_ERROR)
            return 1;
    return 0;
}

json_t *report_process_json(const char *ocid, const char *stage, const char *ruleset_id,
                            const verdict_list *l)
{
    json_t *results = json_array();
    json_t *p = json_pack("{s:s, s:s, s:s, s:o}", "ocid", ocid, "stage", stage, "ruleset",
                          ruleset_id, "results", results);
    if (!p)
        return NULL;
    for (size_t i = 0; i < l->n; i++) {
        const verdict *v = &l->items[i];
        json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O?}", "rule", v->rule, "stage",
                              ocds_stage_name(v->stage), "outcome", outcome_name(v->outcome),
                              "severity", severity_name(v->severity), "message", v->message,
                              "source", v->source, "evidence", v->evidence);
        if (!r || json_array_append_new(results, r)) {
            json_decref(p);
            return NULL;
        }
    }
    return p;
}
