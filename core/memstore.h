/*
 * memstore: the read-only store over a set of documents held in memory, as `check` and
 * `rules test` use it: the other processes rules may ask about are the other documents
 * given to the same invocation.
 */
#ifndef ANBUD_MEMSTORE_H
#define ANBUD_MEMSTORE_H

#include "bind.h"
#include "ocds.h"
#include "util.h"

/* A store over `set` (which must outlive it) that scans every process per query. */
engine_store memstore_over(const ocds_set *set);

/*
 * An indexed store over `set` (which must outlive it and not change): each process's
 * buyer key, kommunenummer, relevant day and CPV groups are computed once, and a query
 * reads only the processes of its buyer (or kommunenummer), and with a CPV group and a
 * day range only those in that group and range. It answers as memstore_over does, in the
 * same order (the set's). NULL with err when out of memory.
 */
typedef struct memstore memstore;
memstore *memstore_new(const ocds_set *set, anbud_err *err);
engine_store memstore_store(memstore *m);
void memstore_free(memstore *m);

#endif
