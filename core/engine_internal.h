/*
 * engine_internal: the engine's structures, shared by engine.c (evaluation), ruleset.c
 * (loading and layering) and luaapi.c (the C functions of the rule library).
 */
#ifndef ANBUD_ENGINE_INTERNAL_H
#define ANBUD_ENGINE_INTERNAL_H

#include <lua.h>

#include "engine.h"

#define STAGE_BIT(s) (1u << (unsigned)(s))

struct rule {
    char *id, *title, *source, *file;
    char *name;               /* "<set>/<file name>": names a rule file that did not load */
    const ruleset *set;       /* the set whose folder holds it */
    unsigned stages, gates;   /* STAGE_BIT masks */
    severity severity;
    int64_t valid_from, valid_to; /* day numbers; INT64_MIN / INT64_MAX when open */
    int ref;                  /* registry reference to the declaration table */
    char *load_error;         /* non-NULL: the file did not load; the rule yields error */
};

#define PARAMS_CACHED 8  /* resolved parameter tables kept per rule */
#define LOCAL_CODES_MAX 64

/* The parameters of a rule resolved for every day in [from, to]. */
typedef struct resolved_params {
    int64_t from, to;
    int ref;              /* registry reference to the overlay metatable of the resolved
                           * table (sandbox_push_overlay_meta) */
    const char **codes;   /* params.local_municipalities (or the set's codes); strings kept
                           * alive by the table */
    size_t n_codes;
} resolved_params;

typedef struct active_rule {
    const rule *rule;
    int params_ref; /* registry reference: parameters after layering, dates unresolved */
    resolved_params cache[PARAMS_CACHED]; /* filled by evaluation, ref 0 when unused */
    size_t n_cached, next_evict;
} active_rule;

typedef struct disabled_rule {
    char *rule_id, *reason;
    const ruleset *by;
} disabled_rule;

struct ruleset {
    char *id, *name, *dir, *language, *host;
    char **municipalities, **members, **extends;
    size_t n_municipalities, n_members, n_extends;
    const ruleset **order; /* resolution order, itself last */
    size_t n_order;
    rule **own;            /* rules in its own folder, by file name */
    size_t n_own;
    active_rule *active;
    size_t n_active;
    disabled_rule *disabled; /* declared in its own manifest */
    size_t n_disabled;
    const disabled_rule **all_disabled; /* in force after layering */
    size_t n_all_disabled;
    int manifest_ref;      /* registry reference to the manifest table */
    char own_hash[33];     /* fingerprint of its own files (manifest, rules, lib/) */
    char version[33];      /* fingerprint of every file it runs: the sets in order, lua/ */
    int visit;             /* graph walk: 0 new, 1 on the path, 2 done */
};

struct engine {
    sandbox *sb;
    char library_hash[33]; /* fingerprint of lua/anbud/ */
    bind_context bind;
    ruleset **sets;
    size_t n_sets;
};

/* luaapi.c: registers the C functions of the rule library into the table on top. */
void luaapi_prelude(lua_State *L, void *engine_ptr);
/* Is the value at idx an outcome made by the library's constructors? */
int luaapi_is_outcome(lua_State *L, int idx);
/* (params, days) -> a new table with every by_date parameter replaced by its value on that
 * day, and the first and last day (integers) on which every value it chose is the same. */
int luaapi_resolve_params(lua_State *L);

/* engine.c: forgets the resolved parameters kept for ar. */
void engine_drop_params_cache(lua_State *L, active_rule *ar);

/* ruleset.c */
int ruleset_load_all(engine *e, const char *rules_dir, anbud_err *err);
/* Fingerprints every .lua file directly in dir into out ("" when there is none). */
int ruleset_hash_folder(const char *dir, char out[33], anbud_err *err);
void ruleset_free_all(engine *e);

#endif
