/*
 * report: verdicts as JSON documents, the shape SPEC § 6 gives `check --json`, shared by
 * the command line and the embedding API.
 */
#ifndef ANBUD_REPORT_H
#define ANBUD_REPORT_H

#include <jansson.h>

#include "engine.h"

/* {"ocid","stage","ruleset","results":[{"rule","stage","outcome","severity","message",
 * "source","evidence"}]}, or NULL when memory runs out. */
json_t *report_process_json(const char *ocid, const char *stage, const char *ruleset_id,
                            const verdict_list *l);

/* True when a verdict list has a fail or an error. */
int report_has_findings(const verdict_list *l);

#endif
