/*
 * check: replaying every process of an in-memory set, the other documents as its store.
 */
#include "check.h"

#include "memstore.h"

int check_processes(engine *e, const ocds_set *set, const char *ruleset_id, int64_t now_days,
                    check_each each, void *arg, anbud_err *err)
{
    engine_store store = memstore_over(set);
    const ruleset *forced = NULL;
    if (ruleset_id && !(forced = engine_ruleset_by_id(e, ruleset_id)))
        return err_set(err, ANBUD_EINPUT, "no rule set '%s'", ruleset_id);
    for (size_t i = 0; i < set->n; i++) {
        const ocds_process *p = &set->items[i];
        const ruleset *rs = forced ? forced : engine_ruleset_for_process(e, p->compiled);
        if (!rs)
            return err_set(err, ANBUD_EINPUT,
                           "%s: no rule set serves the buyer's kommunenummer and there is no "
                           "national set 'no'; name one with --ruleset", p->ocid);
        verdict_list verdicts = {0};
        int rc = engine_replay(e, rs, p, now_days, &store, &verdicts, err);
        if (!rc)
            rc = each(arg, p, rs, &verdicts);
        verdict_list_free(&verdicts);
        if (rc)
            return rc;
    }
    return 0;
}
