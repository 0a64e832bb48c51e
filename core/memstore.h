/*
 * memstore: the read-only store over a set of documents held in memory, as `check` and
 * `rules test` use it: the other processes rules may ask about are the other documents
 * given to the same invocation.
 */
#ifndef ANBUD_MEMSTORE_H
#define ANBUD_MEMSTORE_H

#include "bind.h"
#include "ocds.h"

/* A store over `set` (which must outlive it). */
engine_store memstore_over(const ocds_set *set);

#endif
