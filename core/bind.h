/*
 * bind: the read-only objects rules see (procurement, tender, supplier, contract, lists
 * and nested objects) as userdata over the compiled release's JSON, with snake_case
 * names, computed fields and `get(path)`. Owns the evaluation context those objects read
 * (the clock, local municipalities, the store) and the epoch that makes an object from
 * an earlier evaluation refuse to be read.
 */
#ifndef ANBUD_BIND_H
#define ANBUD_BIND_H

#include <jansson.h>
#include <lua.h>
#include <stdint.h>

#include "ocds.h"

/* A process as the engine and the store hand it around. */
typedef struct engine_process {
    const char *ocid;
    const json_t *compiled;
    ocds_stage stage;
    int64_t first_days; /* day of its first release */
} engine_process;

/*
 * Which other processes a rule asks for; a NULL filter matches any.
 *
 * The others are narrower filters (p:others{cpv_group = g, cpv_groups = {...}, from = d1,
 * to = d2, stages = {...}, is_framework = b, first_from = d3, first_to = d4}) a store
 * should use to answer less: a process matches when one of its CPV groups
 * (bind_cpv_groups, as p.cpv_groups) equals cpv_group, when one of them is one of
 * cpv_groups (an empty list matches nothing), when its relevant day (ocds_relevant_days,
 * as p.relevant_date) lies in [from_days, to_days], when its stage is one of `stages`,
 * when whether it is a framework agreement (as p.is_framework) is `framework`, and when
 * the day of its first release (p.first_date) lies in [first_from, first_to]. The binding
 * checks them all again on every process a store hands back (bind_query_matches), so a
 * store that ignores them is still right, only slower. Results come in the store's usual
 * order either way.
 */
typedef struct engine_query {
    const char *buyer_key;    /* ocds_buyer_key of the buyer */
    const char *municipality; /* the buyer's kommunenummer */
    const char *except_ocid;  /* never this one (the process being evaluated) */
    const char *cpv_group;    /* one of its CPV groups is this (0 to 3 characters) */
    int has_days;             /* nonzero: its relevant day is within [from_days, to_days] */
    int64_t from_days, to_days;
    int has_cpv_groups;       /* nonzero: one of its CPV groups is in cpv_groups */
    const char (*cpv_groups)[4]; /* n_cpv_groups groups, NUL-terminated, unique */
    size_t n_cpv_groups;
    unsigned stages;          /* nonzero: its stage is one of these (bit 1u << stage) */
    int framework;            /* 1: only framework agreements, -1: none of them, 0: any */
    int has_first;            /* nonzero: its first_days is within [first_from, first_to] */
    int64_t first_from, first_to;
} engine_query;

/*
 * The distinct CPV groups (the first three characters of each CPV code of the tender's
 * items, classification and additional classifications) of a compiled release, in the
 * order p.cpv_groups lists them. Fills at most `max` and returns how many it filled, or
 * a number above max when they did not all fit (call again with at least that room).
 */
size_t bind_cpv_groups(const json_t *compiled, char (*groups)[4], size_t max);

/* Does p, whose relevant day is relevant_days, match the narrower filters of q (all but
 * buyer_key, municipality and except_ocid)? */
int bind_query_matches(const engine_query *q, const engine_process *p,
                       int64_t relevant_days);

/* Is the compiled release a framework agreement (p.is_framework)? */
int bind_is_framework(const json_t *compiled);

/*
 * The read-only store rules may ask about other processes. each_process calls `each` for
 * every process matching q; the process handed to `each` is valid only during that call.
 * Returns 0 or a negative ANBUD_E* code (a nonzero return from `each` stops the walk and
 * is returned).
 */
typedef struct engine_store {
    void *ctx;
    int (*each_process)(void *ctx, const engine_query *q,
                        int (*each)(void *arg, const engine_process *p), void *arg);
    /* May be NULL. Called before a process's rules run, outside their budgets: reads what
     * p:others() will ask about (the buyer's processes), so that the first rule to ask
     * is not charged for reading a large portfolio (at 300 000 processes that took more
     * than a rule's 2 s). A failure is not reported: the rule that asks meets it. */
    void (*prepare)(void *ctx, const engine_process *p);
} engine_store;

/* A process held for the objects of one evaluation. */
typedef struct bind_process {
    char *ocid;
    json_t *compiled; /* own reference */
    ocds_stage stage;
    int64_t first_days;
    int64_t relevant_days;
} bind_process;

/* What the objects of the current evaluation read besides their JSON. */
typedef struct bind_context {
    uint32_t epoch;          /* objects made in another epoch refuse to be read */
    int64_t now_days;        /* "today" for rules */
    const char *const *local_codes; /* kommunenummer counted as local */
    size_t n_local;
    const engine_store *store; /* may be NULL: then p:others() is empty */
    bind_process **held;     /* other processes fetched in this epoch */
    size_t n_held, cap_held;
    char *text;              /* bind_json_text's buffer, kept from one call to the next, */
    size_t cap_text;
    struct bind_text_field *text_fields; /* and the object fields it sorts */
    size_t cap_text_fields;
} bind_context;

/* Registers the object metatables; ctx must outlive the Lua state. Call in a pcall. */
void bind_open(lua_State *L, bind_context *ctx);

/* Pushes the procurement object for p (which must stay valid until bind_end_epoch). */
void bind_push_procurement(lua_State *L, const bind_process *p);

/* Ends the current evaluation: releases held processes and invalidates every object. */
void bind_end_epoch(bind_context *ctx);

/* Converts the JSON value to Lua: scalars as values, objects and arrays as objects. */
void bind_push_json(lua_State *L, const json_t *v, const bind_process *p);

/*
 * The Lua value at idx as compact JSON text, read without calling any metamethod: tables
 * (sequences become lists, other tables objects with their keys in byte order; number keys
 * as text), scalars (text that is not UTF-8 with its bytes past ASCII as '?', NaN and
 * infinities as null) and objects (their JSON). A parameter overlay shows its parameters
 * as written over, a frozen table what it shows. The bytes are those jansson's
 * json_dumps(JSON_COMPACT) gives for such a tree. Returns a new text the caller frees, or
 * NULL with why filled when the value nests too deep, is too large, has a key that is not
 * text or a number, or holds a function (or memory runs out). Raises the error of an
 * object from an earlier evaluation.
 */
char *bind_json_text(lua_State *L, int idx, char *why, size_t why_size);

/* Ends the evaluation (bind_end_epoch) and frees what the context holds. */
void bind_free(bind_context *ctx);

#endif
