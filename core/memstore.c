/*
 * memstore: engine_store over an ocds_set in memory. Linear in the number of processes,
 * which is what one invocation of `check` holds.
 */
#include "memstore.h"

#include <string.h>

static int each_process(void *ctx, const engine_query *q,
                        int (*each)(void *arg, const engine_process *p), void *arg)
{
    const ocds_set *set = ctx;
    char key[256];
    for (size_t i = 0; i < set->n; i++) {
        const ocds_process *p = &set->items[i];
        if (q->except_ocid && strcmp(p->ocid, q->except_ocid) == 0)
            continue;
        ocds_buyer_key(p->compiled, key, sizeof key);
        if (q->buyer_key && strcmp(key, q->buyer_key) != 0)
            continue;
        const char *code = ocds_buyer_municipality(p->compiled);
        if (q->municipality && (!code || strcmp(code, q->municipality) != 0))
            continue;
        engine_process ep = {p->ocid, p->compiled, p->stage, p->first_days};
        int rc = each(arg, &ep);
        if (rc)
            return rc;
    }
    return 0;
}

engine_store memstore_over(const ocds_set *set)
{
    engine_store s = {(void *)set, each_process};
    return s;
}
