/*
 * engine: rule sets and their evaluation. Owns the sandbox, the loaded rule sets (their
 * manifests, rules, layering and parameters), and turning a process at a stage into
 * verdicts. Knows ocds, bind, sandbox and the read-only store interface; never prints.
 */
#ifndef ANBUD_ENGINE_H
#define ANBUD_ENGINE_H

#include <jansson.h>
#include <stdint.h>

#include "bind.h"
#include "ocds.h"
#include "sandbox.h"
#include "util.h"

typedef enum outcome {
    OUTCOME_PASS,
    OUTCOME_FAIL,
    OUTCOME_WARN,
    OUTCOME_INFO,
    OUTCOME_NA,
    OUTCOME_ERROR,
    OUTCOME_COUNT
} outcome;

typedef enum severity { SEVERITY_ERROR, SEVERITY_WARNING, SEVERITY_INFO } severity;

const char *outcome_name(outcome o);
int outcome_parse(const char *s); /* outcome, or -1 */
const char *severity_name(severity s);

/* One rule's decision about one process at one stage. */
typedef struct verdict {
    char *rule;           /* rule id; for a rule file that failed to load, its path */
    ocds_stage stage;
    outcome outcome;
    severity severity;
    int gate;             /* the rule is a gate at this stage */
    char *message;
    char *source;
    char *evidence;       /* what the rule gave as evidence as compact JSON text (bind_json_text),
                           * owned; NULL when none */
    int64_t recheck_days; /* the rule asks to run again on this day; -1 when not */
} verdict;

typedef struct verdict_list {
    verdict *items;
    size_t n, cap;
} verdict_list;

void verdict_list_free(verdict_list *l);

typedef struct engine engine;
typedef struct ruleset ruleset;
typedef struct rule rule;

/*
 * Creates an engine with the rule library in lua_dir and loads every rule set in
 * rules_dir (each folder with a ruleset.lua). A manifest that fails to load, an unknown
 * or cyclic `extends`, or two sets serving one municipality: NULL with ANBUD_EINPUT in
 * *code and a message naming the file. A rule file that fails to load does not stop the
 * engine: that rule yields `error` under its file name.
 */
engine *engine_new(const char *lua_dir, const char *rules_dir, const sandbox_limits *limits,
                   int *code, anbud_err *err);
void engine_free(engine *e);

size_t engine_ruleset_count(const engine *e);
const ruleset *engine_ruleset_at(const engine *e, size_t i);
const ruleset *engine_ruleset_by_id(const engine *e, const char *id);
/* The set serving a kommunenummer, or NULL. */
const ruleset *engine_ruleset_for(const engine *e, const char *kommunenummer);
/* The set for a process: its buyer's municipality's set, else the national set `no`. */
const ruleset *engine_ruleset_for_process(const engine *e, const json_t *compiled);

/* A rule set after layering. */
const char *ruleset_id(const ruleset *s);
const char *ruleset_name(const ruleset *s);
const char *ruleset_dir(const ruleset *s);
const char *ruleset_language(const ruleset *s); /* "nb" or "nn" */
/* A fingerprint of every file the set runs (its sets in order and the library): verdicts
 * record it, so an audit can tell which version of the rules decided. */
const char *ruleset_version(const ruleset *s);
/* The sets whose rules it holds, in resolution order (its ancestors first, itself last). */
size_t ruleset_order_count(const ruleset *s);
const ruleset *ruleset_order_at(const ruleset *s, size_t i);
size_t ruleset_municipality_count(const ruleset *s);
const char *ruleset_municipality_at(const ruleset *s, size_t i);
/* A cooperation set's host kommunenummer (NULL for any other set) and its members. */
const char *ruleset_host(const ruleset *s);
size_t ruleset_member_count(const ruleset *s);
const char *ruleset_member_at(const ruleset *s, size_t i);
/* Active rules (inherited and own, minus those switched off). */
size_t ruleset_rule_count(const ruleset *s);
const rule *ruleset_rule_at(const ruleset *s, size_t i);
/* Rules switched off in this set or a set it extends, and why. */
size_t ruleset_disabled_count(const ruleset *s);
void ruleset_disabled_at(const ruleset *s, size_t i, const char **rule_id, const char **reason,
                         const char **by_set);

const char *rule_id(const rule *r);
const char *rule_title(const rule *r);
const char *rule_source(const rule *r);
const char *rule_file(const rule *r);
severity rule_severity(const rule *r);
int rule_runs_at(const rule *r, ocds_stage stage);
int rule_is_gate(const rule *r, ocds_stage stage);
/* Why the rule file failed to load, or NULL when it loaded. */
const char *rule_load_error(const rule *r);

/*
 * Runs every rule of `set` that names `stage` against process p, appending one verdict per
 * rule to out (in the set's order). now_days is "today"; store may be NULL. Rule failures
 * become `error` verdicts; the return is nonzero only when the engine itself fails
 * (memory), with err filled.
 */
int engine_evaluate(engine *e, const ruleset *set, const engine_process *p, ocds_stage stage,
                    int64_t now_days, const engine_store *store, verdict_list *out,
                    anbud_err *err);
/* The same, running only the rules of `set` whose ids are in only[0..n_only) (only NULL:
 * every rule). The benchmark times the rules its peers decide with this. */
int engine_evaluate_only(engine *e, const ruleset *set, const char *const *only, size_t n_only,
                         const engine_process *p, ocds_stage stage, int64_t now_days,
                         const engine_store *store, verdict_list *out, anbud_err *err);

/*
 * Replays a process as `check` does: merges its releases in date order and evaluates the
 * rules of each release's stage (a compiled release: its stage). Appends to out.
 */
int engine_replay(engine *e, const ruleset *set, const ocds_process *p, int64_t now_days,
                  const engine_store *store, verdict_list *out, anbud_err *err);

#endif
