/*
 * sandbox: the one Lua state an engine runs rules in. Owns the limiting allocator, the
 * instruction, memory and time budget of each call, the allow-listed globals, frozen
 * (read-only) tables, guarded string and table functions, and `require`.
 *
 * The library is a table of globals every rule environment reads through its __index;
 * each rule file gets its own environment, so it can never change another's globals or
 * the library. Lua functions here raise errors; C functions return codes.
 */
#ifndef ANBUD_SANDBOX_H
#define ANBUD_SANDBOX_H

#include <lua.h>
#include <stddef.h>

#include "util.h"

typedef struct sandbox sandbox;

/* The budget of one call into rule code. Zero means "use the default". */
typedef struct sandbox_limits {
    long long instructions; /* Lua VM instructions (default 5 000 000) */
    size_t memory;          /* bytes allocated above what was in use at the start (64 MiB) */
    long milliseconds;      /* wall-clock time (2000) */
} sandbox_limits;

/*
 * Creates a Lua state with the allow-listed standard library and the library modules
 * found in lua_dir ("lua/", which holds anbud/init.lua). `prelude` registers extra C
 * functions into the library table (at the top of the stack when it is called) before
 * lua/anbud/init.lua runs; `user` is handed back by sandbox_user. Returns NULL with err.
 */
sandbox *sandbox_new(const char *lua_dir, void (*prelude)(lua_State *L, void *user), void *user,
                     const sandbox_limits *limits, anbud_err *err);
void sandbox_free(sandbox *sb);

lua_State *sandbox_lua(sandbox *sb);
/* The sandbox that owns L (any thread of it). */
sandbox *sandbox_of(lua_State *L);
void *sandbox_user(sandbox *sb);
/* One pointer a module may keep with the sandbox that owns L (bind keeps its context):
 * cheaper to reach than the registry. */
void sandbox_set_slot(lua_State *L, void *p);
void *sandbox_slot(lua_State *L);

/*
 * Pushes a new environment for one rule file: an empty table whose reads fall through to
 * the library; `require` in it also finds modules in module_dir (a rule set's lib/, may
 * be NULL).
 */
int sandbox_push_env(sandbox *sb, const char *module_dir);

/*
 * Loads the text file `path` as a chunk (binary chunks refused) whose _ENV is the table
 * at env_index, and pushes the function. Returns 0, or ANBUD_EINPUT with err naming the
 * file and line.
 */
int sandbox_load_file(sandbox *sb, const char *path, int env_index, anbud_err *err);

/*
 * Calls the function below nargs arguments on the stack, like lua_pcall, within one
 * budget. Returns LUA_OK with nresults pushed, or an error status with a one-line message
 * in msg (what the error said, or that the budget ran out) and nothing pushed.
 */
int sandbox_call(sandbox *sb, int nargs, int nresults, char *msg, size_t msg_size);

/* Replaces the table at idx by a read-only view of it, nested tables too. */
void sandbox_freeze(lua_State *L, int idx);
/* True when the value at idx is a frozen view. */
int sandbox_is_frozen(lua_State *L, int idx);

/*
 * Pushes a metatable that makes a table an overlay of the table at idx: reads and pairs()
 * fall through to it, writes stay in the overlay, the metatable cannot be reached.
 */
void sandbox_push_overlay_meta(lua_State *L, int idx);
/* When the table at idx is an overlay, pushes the table under it and returns 1; else 0. */
int sandbox_overlay_base(lua_State *L, int idx);

/* Bytes the state holds now. */
size_t sandbox_memory(sandbox *sb);

/* For tests of the allocator: while refuse is set, no new slab is taken for small blocks,
 * as if malloc had failed (blocks already in the free lists are still handed out). */
void sandbox_refuse_slabs(sandbox *sb, int refuse);

#endif
