/*
 * check: replaying every process of an in-memory set, the other documents as its store
 * (indexed, so a query reads only what it asks for).
 */
#include "check.h"

#include "memstore.h"

int check_processes(engine *e, const ocds_set *set, const char *ruleset_id, int64_t now_days,
                    check_each each, void *arg, anbud_err *err)
{
    const ruleset *forced = NULL;
    if (ruleset_id && !(forced = engine_ruleset_by_id(e, ruleset_id)))
        return err_set(err, ANBUD_EINPUT, "no rule set '%s'", ruleset_id);
    /* every process has a rule set before any is evaluated: bad input shows no verdicts */
    for (size_t i = 0; !forced && i < set->n; i++)
        if (!engine_ruleset_for_process(e, set->items[i].compiled))
            return err_set(err, ANBUD_EINPUT,
                           "%s: no rule set serves the buyer's kommunenummer and there is no "
                           "national set 'no'; name one with --ruleset",
                           set->items[i].ocid);
    memstore *m = memstore_new(set, err);
    if (!m)
        return ANBUD_EINTERNAL;
    engine_store store = memstore_store(m);
    int rc = 0;
    for (size_t i = 0; i < set->n && !rc; i++) {
        const ocds_process *p = &set->items[i];
        const ruleset *rs = forced ? forced : engine_ruleset_for_process(e, p->compiled);
        verdict_list verdicts = {0};
        rc = engine_replay(e, rs, p, now_days, &store, &verdicts, err);
        if (!rc)
            rc = each(arg, p, rs, &verdicts);
        verdict_list_free(&verdicts);
    }
    memstore_free(m);
    return rc;
}
