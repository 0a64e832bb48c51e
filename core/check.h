/*
 * check: evaluating a set of documents held in memory, as `anbud check` and the embedding
 * API do: each process with its rule set, replayed stage by stage, the other documents
 * as its store.
 */
#ifndef ANBUD_CHECK_H
#define ANBUD_CHECK_H

#include "engine.h"

typedef int (*check_each)(void *arg, const ocds_process *p, const ruleset *set,
                          const verdict_list *verdicts);

/*
 * Replays every process of `set` with the rule set named ruleset_id (NULL: the one serving
 * its buyer, else `no`) and hands each process's verdicts to `each`, which may keep
 * nothing of them. Returns 0, ANBUD_EINPUT when no rule set applies, ANBUD_EINTERNAL, or
 * the first nonzero return of `each`.
 */
int check_processes(engine *e, const ocds_set *set, const char *ruleset_id, int64_t now_days,
                    check_each each, void *arg, anbud_err *err);

#endif
