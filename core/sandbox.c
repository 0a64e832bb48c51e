/*
 * sandbox: one Lua state with an allow-listed library, a limiting allocator and a budget
 * per call. See sandbox.h for the contract; the guards on C library functions that an
 * instruction hook cannot interrupt live in sandbox_guard.c.
 */
#include "sandbox.h"

#include <lauxlib.h>
#include <limits.h>
#include <lualib.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sandbox_guard.h"

#define HOOK_STEP 1000                     /* instructions between two budget checks */
#define WATCH_TICK_MS 5                    /* how often the watchdog looks at a running call */
#define TOTAL_MEMORY ((size_t)1024 << 20)  /* the whole state never holds more than this */

/* Registry keys (addresses of these statics are unique). */
static char KEY_LIBRARY, KEY_LIBRARY_VIEW, KEY_ENV_META, KEY_FROZEN, KEY_MODULES, KEY_OVERLAY;

enum { RAN_OUT_NONE = 0, RAN_OUT_INSTRUCTIONS, RAN_OUT_TIME };

/* The Lua state makes and drops many small blocks per evaluation (strings, tables, closures);
 * blocks up to POOL_MAX bytes are kept in free lists by size class instead of going back to
 * malloc. Lua passes every block's size when it frees or resizes it, so no header is needed. */
#define POOL_STEP 16                       /* class sizes are multiples of this (alignment) */
#define POOL_MAX 512                       /* larger blocks go to malloc */
#define POOL_CLASSES (POOL_MAX / POOL_STEP)
#define SLAB_SIZE ((size_t)64 << 10)

struct sandbox {
    lua_State *L;
    size_t used;          /* bytes the state holds */
    size_t cap;           /* allocations past this fail */
    int memory_refused;   /* an allocation was refused in this call */
    sandbox_limits limits;
    int budget_active;    /* inside a budgeted call */
    long long left;       /* instructions left in this call */
    struct timespec deadline;
    int ran_out;          /* RAN_OUT_* */
    void (*prelude)(lua_State *L, void *user);
    void *user;
    void *slot;           /* sandbox_slot */
    int library_done;     /* the library is complete (and frozen): envs may copy it */
    /* small blocks: one free list per size class, carved from slabs freed with the state */
    void *free_list[POOL_CLASSES];
    char *bump, *bump_end; /* the unused rest of the newest slab */
    void *slabs;           /* every slab, linked through its first word */
    /* the watchdog (see sandbox_call): a thread that hooks a call still running after a tick */
    atomic_ulong calls;    /* budgeted calls begun and ended: odd while one runs */
    atomic_ulong caller;   /* the thread in that call (a pthread_t) */
    int watching;          /* the watchdog runs; else every call is hooked from its start */
    int watch_stop;        /* under watch_mu */
    pthread_t watchdog;
    pthread_mutex_t watch_mu;
    pthread_cond_t watch_cv;
    size_t foreign;        /* malloc'd blocks Lua holds at a small size (see sb_alloc) */
    int refuse_slabs;      /* tests: no new slab, as if malloc had failed */
    char lua_dir[PATH_MAX];
};

static size_t pool_class(size_t size) /* 1 <= size <= POOL_MAX */
{
    return (size - 1) / POOL_STEP;
}

static void *pool_get(sandbox *sb, size_t c)
{
    void *p = sb->free_list[c];
    if (p) {
        sb->free_list[c] = *(void **)p;
        return p;
    }
    size_t size = (c + 1) * POOL_STEP;
    if ((size_t)(sb->bump_end - sb->bump) < size) {
        char *slab = sb->refuse_slabs ? NULL : malloc(SLAB_SIZE);
        if (!slab)
            return NULL;
        *(void **)slab = sb->slabs;
        sb->slabs = slab;
        sb->bump = slab + POOL_STEP;
        sb->bump_end = slab + SLAB_SIZE;
    }
    p = sb->bump;
    sb->bump += size;
    return p;
}

/* True when p lies in one of the slabs. Only asked while a malloc'd block is held at a
 * small size (after a failed shrink below), so walking the list costs nothing otherwise. */
static int in_slab(const sandbox *sb, const void *p)
{
    uintptr_t a = (uintptr_t)p;
    for (const char *slab = sb->slabs; slab; slab = *(char *const *)slab) {
        uintptr_t base = (uintptr_t)slab;
        if (a >= base && a < base + SLAB_SIZE)
            return 1;
    }
    return 0;
}

/* True when the block Lua holds at this size came from a slab, false when from malloc. */
static int is_pooled(const sandbox *sb, const void *p, size_t size)
{
    return size <= POOL_MAX && (sb->foreign == 0 || in_slab(sb, p));
}

/* Gives back a block Lua holds with the given size. */
static void block_put(sandbox *sb, void *p, size_t size)
{
    if (!is_pooled(sb, p, size)) {
        if (size <= POOL_MAX)
            sb->foreign--;
        free(p);
        return;
    }
    size_t c = pool_class(size);
    *(void **)p = sb->free_list[c];
    sb->free_list[c] = p;
}

/* Frees every slab (after lua_close, or when the state could not be made). */
static void pool_free(sandbox *sb)
{
    while (sb->slabs) {
        void *next = *(void **)sb->slabs;
        free(sb->slabs);
        sb->slabs = next;
    }
    memset(sb->free_list, 0, sizeof sb->free_list);
    sb->bump = sb->bump_end = NULL;
}

void sandbox_refuse_slabs(sandbox *sb, int refuse)
{
    sb->refuse_slabs = refuse;
}

/* Allocator: counts every byte and refuses growth past the cap. Lua assumes that a block
 * never fails to shrink, so a shrink that cannot get a smaller block keeps the one it has:
 * a slab's block stays in its slab (it is then handed out again at the smaller class), a
 * malloc'd block is counted in `foreign` and told apart from slab blocks by address. */
static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sandbox *sb = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        if (ptr)
            block_put(sb, ptr, old);
        sb->used -= old;
        return NULL;
    }
    if (nsize > old && nsize - old > sb->cap - (sb->used < sb->cap ? sb->used : sb->cap)) {
        sb->memory_refused = 1;
        return NULL;
    }
    int pooled = ptr && is_pooled(sb, ptr, old);
    void *p;
    if (nsize <= POOL_MAX) {
        if (pooled && pool_class(old) == pool_class(nsize)) {
            p = ptr;
        } else {
            p = pool_get(sb, pool_class(nsize));
            if (!p) {
                if (!ptr || nsize > old)
                    return NULL;
                if (!pooled && old > POOL_MAX)
                    sb->foreign++; /* a malloc'd block now held at a small size */
                p = ptr;
            } else if (ptr) {
                memcpy(p, ptr, old < nsize ? old : nsize);
                block_put(sb, ptr, old);
            }
        }
    } else if (pooled) {
        p = malloc(nsize);
        if (!p)
            return NULL;
        memcpy(p, ptr, old);
        block_put(sb, ptr, old);
    } else {
        p = realloc(ptr, nsize);
        if (!p) {
            if (nsize > old)
                return NULL;
            p = ptr; /* glibc's realloc does not fail to shrink, but the standard allows it */
        } else if (ptr && old <= POOL_MAX) {
            sb->foreign--; /* a foreign block back above the small sizes */
        }
    }
    sb->used = sb->used - old + nsize;
    return p;
}

sandbox *sandbox_of(lua_State *L)
{
    return *(sandbox **)lua_getextraspace(L);
}

lua_State *sandbox_lua(sandbox *sb)
{
    return sb->L;
}

void *sandbox_user(sandbox *sb)
{
    return sb->user;
}

void sandbox_set_slot(lua_State *L, void *p)
{
    sandbox_of(L)->slot = p;
}

void *sandbox_slot(lua_State *L)
{
    return sandbox_of(L)->slot;
}

size_t sandbox_memory(sandbox *sb)
{
    return sb->used;
}

static int time_after(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/*
 * Count hook: charges the budget. Once it has run out the hook fires at every
 * instruction and raises again, so a rule that catches the error with pcall cannot go on.
 */
static void sb_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    sandbox *sb = sandbox_of(L);
    if (!sb->budget_active)
        return;
    if (sb->ran_out == RAN_OUT_NONE) {
        sb->left -= HOOK_STEP;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (sb->left <= 0)
            sb->ran_out = RAN_OUT_INSTRUCTIONS;
        else if (time_after(&now, &sb->deadline))
            sb->ran_out = RAN_OUT_TIME;
    }
    if (sb->ran_out != RAN_OUT_NONE) {
        lua_sethook(L, sb_hook, LUA_MASKCOUNT, 1);
        lua_sethook(sb->L, sb_hook, LUA_MASKCOUNT, 1);
        luaL_error(L, "budget exhausted");
    }
}

/* ---- the watchdog ------------------------------------------------------------------
 *
 * A count hook makes Lua 5.4 stop at every VM instruction (luaG_traceexec), which costs
 * about 15 % of an evaluation's instructions, while nearly every call into a rule ends
 * within microseconds. So a top-level call runs without the hook, and a thread per
 * sandbox looks every WATCH_TICK_MS: a call it finds running at two looks in a row gets
 * a signal, whose handler (on the calling thread, as lua.c does for Ctrl-C) installs the
 * count hook; from there on the instruction and time budgets are checked as before, and
 * the watchdog signals again at every tick while that call runs. Coroutines are made
 * with the hook on (their hook is their own). So a call runs at most two ticks unhooked
 * before its budgets apply in full. Without the watchdog (it could not be started) every
 * call is hooked from its start. */

static _Thread_local sandbox *volatile tl_in_call; /* this thread's sandbox in a call */
static pthread_once_t watch_signal_once = PTHREAD_ONCE_INIT;
static int watch_signal_installed;

static int watch_signal(void)
{
    return SIGRTMIN + 2;
}

static void on_watch_signal(int sig)
{
    (void)sig;
    sandbox *sb = tl_in_call;
    if (sb && lua_gethookmask(sb->L) == 0)
        lua_sethook(sb->L, sb_hook, LUA_MASKCOUNT, HOOK_STEP);
}

static void install_watch_signal(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_watch_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    watch_signal_installed = sigaction(watch_signal(), &sa, NULL) == 0;
}

_Static_assert(sizeof(pthread_t) <= sizeof(unsigned long), "pthread_t fits an unsigned long");

static void *watch(void *arg)
{
    sandbox *sb = arg;
    unsigned long seen = 0;
    pthread_mutex_lock(&sb->watch_mu);
    while (!sb->watch_stop) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        t.tv_nsec += WATCH_TICK_MS * 1000000L;
        if (t.tv_nsec >= 1000000000L) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&sb->watch_cv, &sb->watch_mu, &t);
        unsigned long c = atomic_load_explicit(&sb->calls, memory_order_acquire);
        if ((c & 1) && c == seen && !sb->watch_stop)
            pthread_kill((pthread_t)atomic_load_explicit(&sb->caller, memory_order_relaxed),
                         watch_signal());
        seen = c;
    }
    pthread_mutex_unlock(&sb->watch_mu);
    return NULL;
}

/* Starts the watchdog; when anything fails, sb->watching stays 0 (calls hooked throughout). */
static void watch_start(sandbox *sb)
{
    pthread_once(&watch_signal_once, install_watch_signal);
    if (!watch_signal_installed)
        return;
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca))
        return;
    int ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
             pthread_cond_init(&sb->watch_cv, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!ok)
        return;
    if (pthread_mutex_init(&sb->watch_mu, NULL)) {
        pthread_cond_destroy(&sb->watch_cv);
        return;
    }
    if (pthread_create(&sb->watchdog, NULL, watch, sb)) {
        pthread_mutex_destroy(&sb->watch_mu);
        pthread_cond_destroy(&sb->watch_cv);
        return;
    }
    sb->watching = 1;
}

static void watch_stop(sandbox *sb)
{
    if (!sb->watching)
        return;
    pthread_mutex_lock(&sb->watch_mu);
    sb->watch_stop = 1;
    pthread_cond_signal(&sb->watch_cv);
    pthread_mutex_unlock(&sb->watch_mu);
    pthread_join(sb->watchdog, NULL);
    pthread_mutex_destroy(&sb->watch_mu);
    pthread_cond_destroy(&sb->watch_cv);
    sb->watching = 0;
}

/*
 * coroutine.create and coroutine.wrap (upvalue 1: the original): a new thread takes the
 * hook of the thread that makes it, so it is made while the maker is hooked; a coroutine
 * is then counted from its start, whatever the watchdog has done.
 */
static int hooked_coroutine(lua_State *L)
{
    int unhooked = lua_gethookmask(L) == 0;
    if (unhooked)
        lua_sethook(L, sb_hook, LUA_MASKCOUNT, HOOK_STEP);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    /* the watchdog hooks again at its next tick if it had hooked in between */
    if (unhooked && sandbox_of(L)->watching)
        lua_sethook(L, NULL, 0, 0);
    return lua_gettop(L);
}

static void hook_coroutine_makers(lua_State *L, int lib)
{
    lua_getfield(L, lib, "coroutine");
    for (int i = 0; i < 2; i++) {
        const char *name = i ? "wrap" : "create";
        lua_getfield(L, -1, name);
        lua_pushcclosure(L, hooked_coroutine, 1);
        lua_setfield(L, -2, name);
    }
    lua_pop(L, 1);
}

/* ---- frozen views ---------------------------------------------------------------- */

static int frozen_newindex(lua_State *L)
{
    return luaL_error(L, "attempt to change a read-only library table (key '%s')",
                      lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?");
}

static int frozen_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, lua_upvalueindex(1)));
    return 1;
}

static int frozen_next(lua_State *L)
{
    lua_settop(L, 2);
    if (lua_next(L, lua_upvalueindex(1)))
        return 2;
    lua_pushnil(L);
    return 1;
}

static int frozen_pairs(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, frozen_next, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* Pushes a protected metatable whose reads and pairs() go to the table at idx (absolute). */
static void push_view_meta(lua_State *L, int idx)
{
    lua_createtable(L, 0, 6);
    lua_pushvalue(L, idx);
    lua_setfield(L, -2, "__index");
    lua_pushvalue(L, idx);
    lua_pushcclosure(L, frozen_pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
}

/* Pushes the frozen view of the table at idx; `memo` (absolute index) maps originals. */
static void freeze_table(lua_State *L, int idx, int memo, int depth)
{
    idx = lua_absindex(L, idx);
    lua_pushvalue(L, idx);
    if (lua_rawget(L, memo) != LUA_TNIL)
        return; /* view already made */
    lua_pop(L, 1);
    if (sandbox_is_frozen(L, idx)) {
        lua_pushvalue(L, idx);
        return;
    }
    if (depth > 32)
        luaL_error(L, "library tables nest too deeply to freeze");
    /* freeze nested tables first, in place in the original */
    lua_pushnil(L);
    while (lua_next(L, idx)) { /* key, value */
        if (lua_type(L, -1) == LUA_TTABLE) {
            freeze_table(L, -1, memo, depth + 1); /* key, value, view */
            lua_pushvalue(L, -3);
            lua_insert(L, -2);                    /* key, value, key, view */
            lua_rawset(L, idx);
        }
        lua_pop(L, 1);
    }
    lua_newtable(L); /* view */
    push_view_meta(L, idx);
    lua_pushcfunction(L, frozen_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, idx);
    lua_pushcclosure(L, frozen_len, 1);
    lua_setfield(L, -2, "__len");
    lua_setmetatable(L, -2);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_FROZEN);
    lua_pushvalue(L, -2);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_pushvalue(L, idx);
    lua_pushvalue(L, -2);
    lua_rawset(L, memo);
}

void sandbox_freeze(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) != LUA_TTABLE)
        return;
    lua_newtable(L);
    int memo = lua_gettop(L);
    freeze_table(L, idx, memo, 0);
    lua_replace(L, idx);
    lua_pop(L, 1);
}

int sandbox_is_frozen(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_FROZEN);
    lua_pushvalue(L, idx);
    int frozen = lua_rawget(L, -2) == LUA_TBOOLEAN;
    lua_pop(L, 2);
    return frozen;
}

void sandbox_push_overlay_meta(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    push_view_meta(L, idx);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_OVERLAY);
    lua_pushvalue(L, -2);
    lua_pushvalue(L, idx);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

int sandbox_overlay_base(lua_State *L, int idx)
{
    if (!lua_getmetatable(L, idx))
        return 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_OVERLAY);
    lua_insert(L, -2);
    if (lua_rawget(L, -2) != LUA_TTABLE) {
        lua_pop(L, 2);
        return 0;
    }
    lua_remove(L, -2);
    return 1;
}

/* ---- guarded base functions ------------------------------------------------------ */

static int safe_rawset(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    if (sandbox_is_frozen(L, 1))
        return luaL_error(L, "attempt to change a read-only library table");
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

/* setmetatable without __gc: a finaliser would run inside some other rule's call. */
static int safe_setmetatable(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int t = lua_type(L, 2);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are not allowed in rules");
        lua_pop(L, 1);
    }
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

static int safe_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "count");
    if (strcmp(opt, "count") != 0)
        return luaL_error(L, "collectgarbage: only \"count\" is allowed in rules");
    lua_pushnumber(L, (lua_Number)lua_gc(L, LUA_GCCOUNT, 0) +
                          (lua_Number)lua_gc(L, LUA_GCCOUNTB, 0) / 1024.0);
    return 1;
}

static const char *const BASE_ALLOWED[] = {
    "assert", "error",  "getmetatable", "ipairs",   "next",   "pairs",  "pcall", "rawequal",
    "rawget", "rawlen", "select",       "tonumber", "tostring", "type", "xpcall", "_VERSION",
    NULL,
};

static const char *const STRING_REMOVED[] = {"dump", NULL};

/* Copies the named library table from the real globals into lib[name], minus `removed`. */
static void copy_library(lua_State *L, int lib, const char *name, const char *const *removed)
{
    lua_getglobal(L, name);
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, -3)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -4);
    }
    for (; removed && *removed; removed++) {
        lua_pushnil(L);
        lua_setfield(L, -2, *removed);
    }
    lua_setfield(L, lib, name);
    lua_pop(L, 1);
}

/* Builds the library table of allow-listed globals, stored in the registry. */
static void build_library(lua_State *L, sandbox *sb)
{
    lua_newtable(L);
    int lib = lua_gettop(L);
    for (const char *const *n = BASE_ALLOWED; *n; n++) {
        lua_getglobal(L, *n);
        lua_setfield(L, lib, *n);
    }
    lua_pushcfunction(L, safe_rawset);
    lua_setfield(L, lib, "rawset");
    lua_pushcfunction(L, safe_setmetatable);
    lua_setfield(L, lib, "setmetatable");
    lua_pushcfunction(L, safe_collectgarbage);
    lua_setfield(L, lib, "collectgarbage");
    copy_library(L, lib, "string", STRING_REMOVED);
    copy_library(L, lib, "table", NULL);
    copy_library(L, lib, "math", NULL);
    copy_library(L, lib, "utf8", NULL);
    copy_library(L, lib, "coroutine", NULL);
    hook_coroutine_makers(L, lib);
    lua_getfield(L, lib, "string");
    guard_string_library(L, lua_gettop(L));
    /* strings index the guarded table; rules cannot reach the metatable itself */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "string");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 3);
    lua_getfield(L, lib, "table");
    guard_table_library(L, lua_gettop(L));
    lua_pop(L, 1);
    if (sb->prelude) {
        sb->prelude(L, sb->user);
        luaL_checktype(L, lib, LUA_TTABLE);
    }
    lua_pushvalue(L, lib);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_LIBRARY);
}

/* ---- environments and require ---------------------------------------------------- */

static int sb_require(lua_State *L);

static void push_env_in(lua_State *L, const char *module_dir)
{
    lua_newtable(L);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_ENV_META);
    lua_setmetatable(L, -2);
    if (sandbox_of(L)->library_done) {
        /* the library's names in the environment itself: a global read is one table
         * lookup, not a miss and an __index to the library (which stays the fallback) */
        lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_LIBRARY);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, -5);
        }
        lua_pop(L, 1);
    }
    if (module_dir)
        lua_pushstring(L, module_dir);
    else
        lua_pushnil(L);
    lua_pushcclosure(L, sb_require, 1);
    lua_setfield(L, -2, "require");
    lua_pushvalue(L, -1);
    lua_setfield(L, -2, "_G");
}

int sandbox_push_env(sandbox *sb, const char *module_dir)
{
    push_env_in(sb->L, module_dir);
    return 0;
}

/* Loads `path` as text with _ENV = the table at env (absolute); pushes the function. */
static int load_chunk(lua_State *L, const char *path, int env, anbud_err *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc = file_read(path, &text, &len, err);
    if (rc)
        return rc;
    /* messages name the file as the user sees it: relative to the working folder */
    char chunkname[PATH_MAX + 2], cwd[PATH_MAX];
    size_t cl = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
    if (cl > 1 && strncmp(path, cwd, cl) == 0 && path[cl] == '/')
        path += cl + 1;
    snprintf(chunkname, sizeof chunkname, "@%s", path);
    int st = luaL_loadbufferx(L, text, len, chunkname, "t");
    free(text);
    if (st != LUA_OK) {
        err_set(err, ANBUD_EINPUT, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : path);
        lua_pop(L, 1);
        return ANBUD_EINPUT;
    }
    lua_pushvalue(L, env);
    if (!lua_setupvalue(L, -2, 1))
        lua_pop(L, 1);
    return 0;
}

int sandbox_load_file(sandbox *sb, const char *path, int env_index, anbud_err *err)
{
    return load_chunk(sb->L, path, lua_absindex(sb->L, env_index), err);
}

static int valid_module_name(const char *s)
{
    if (!*s || *s == '.')
        return 0;
    for (const char *c = s; *c; c++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                 *c == '_' || *c == '-' || (*c == '.' && c[1] && c[1] != '.');
        if (!ok)
            return 0;
    }
    return 1;
}

/*
 * require(name): "anbud.x" is lua/anbud/x.lua, any other name a module in the rule set's
 * lib/ folder (dots are folders). Each module runs once, in an environment of its own,
 * and what it returns is frozen and shared.
 */
static int sb_require(lua_State *L)
{
    sandbox *sb = sandbox_of(L);
    const char *name = luaL_checkstring(L, 1);
    if (!valid_module_name(name))
        return luaL_error(L, "require: '%s' is not a module name", name);
    if (strcmp(name, "anbud") == 0) {
        lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_LIBRARY_VIEW);
        return 1;
    }
    char path[PATH_MAX];
    const char *dir = lua_tostring(L, lua_upvalueindex(1));
    const char *rel = name;
    int in_library = strncmp(name, "anbud.", 6) == 0;
    if (in_library) {
        dir = sb->lua_dir;
        rel = name;
    } else if (!dir) {
        return luaL_error(L, "require: module '%s' not found (only anbud.* here)", name);
    }
    int n = snprintf(path, sizeof path, "%s/%s", dir, rel);
    if (n < 0 || (size_t)n + 5 > sizeof path)
        return luaL_error(L, "require: module name too long");
    for (char *c = path + strlen(dir) + 1; *c; c++)
        if (*c == '.')
            *c = '/';
    strcat(path, ".lua");
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_MODULES);
    int cache = lua_gettop(L);
    int t = lua_getfield(L, cache, path);
    if (t == LUA_TLIGHTUSERDATA)
        return luaL_error(L, "require: module '%s' requires itself", name);
    if (t != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    lua_pushlightuserdata(L, &KEY_MODULES); /* marks "loading" */
    lua_setfield(L, cache, path);
    push_env_in(L, in_library ? NULL : lua_tostring(L, lua_upvalueindex(1)));
    anbud_err err;
    if (load_chunk(L, path, lua_gettop(L), &err)) {
        lua_pushnil(L);
        lua_setfield(L, cache, path);
        return luaL_error(L, "require: module '%s': %s", name, err.msg);
    }
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    sandbox_freeze(L, -1);
    lua_pushvalue(L, -1);
    lua_setfield(L, cache, path);
    return 1;
}

/* ---- creation --------------------------------------------------------------------- */

static int sb_setup(lua_State *L)
{
    sandbox *sb = lua_touserdata(L, 1);
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    luaL_requiref(L, LUA_COLIBNAME, luaopen_coroutine, 1);
    lua_settop(L, 1);

    lua_newtable(L); /* weak set of frozen views */
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_FROZEN);
    lua_newtable(L); /* weak map: overlay metatable -> the table under it */
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_OVERLAY);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_MODULES);

    build_library(L, sb);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_LIBRARY);
    int lib = lua_gettop(L);
    lua_createtable(L, 0, 2); /* metatable shared by every environment */
    lua_pushvalue(L, lib);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_ENV_META);

    /* lua/anbud/init.lua returns the helpers written in Lua; they join the library */
    char path[PATH_MAX + 32];
    if (snprintf(path, sizeof path, "%s/anbud/init.lua", sb->lua_dir) >= (int)sizeof path)
        return luaL_error(L, "%s: path too long", sb->lua_dir);
    push_env_in(L, NULL);
    anbud_err err;
    if (load_chunk(L, path, lua_gettop(L), &err))
        return luaL_error(L, "%s", err.msg);
    lua_call(L, 0, 1);
    luaL_checktype(L, -1, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, lib);
    }
    lua_pop(L, 2);
    /* every table the library holds becomes read-only; the library itself is private */
    lua_pushnil(L);
    while (lua_next(L, lib)) {
        if (lua_type(L, -1) == LUA_TTABLE) {
            sandbox_freeze(L, -1);
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, lib);
        } else {
            lua_pop(L, 1);
        }
    }
    /* require("anbud") gives a read-only view; the library table itself stays private */
    lua_pushvalue(L, lib);
    sandbox_freeze(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_LIBRARY_VIEW);
    sb->library_done = 1;
    return 0;
}

static const sandbox_limits DEFAULT_LIMITS = {5000000, (size_t)64 << 20, 2000};

sandbox *sandbox_new(const char *lua_dir, void (*prelude)(lua_State *L, void *user), void *user,
                     const sandbox_limits *limits, anbud_err *err)
{
    sandbox *sb = calloc(1, sizeof *sb);
    if (!sb) {
        err_set(err, ANBUD_EINTERNAL, "out of memory");
        return NULL;
    }
    sb->cap = TOTAL_MEMORY;
    sb->limits = DEFAULT_LIMITS;
    if (limits) {
        if (limits->instructions > 0)
            sb->limits.instructions = limits->instructions;
        if (limits->memory > 0)
            sb->limits.memory = limits->memory;
        if (limits->milliseconds > 0)
            sb->limits.milliseconds = limits->milliseconds;
    }
    sb->prelude = prelude;
    sb->user = user;
    if (strlen(lua_dir) >= sizeof sb->lua_dir) {
        free(sb);
        err_set(err, ANBUD_EINPUT, "%s: path too long", lua_dir);
        return NULL;
    }
    strcpy(sb->lua_dir, lua_dir);
    sb->L = lua_newstate(sb_alloc, sb);
    if (!sb->L) {
        pool_free(sb);
        free(sb);
        err_set(err, ANBUD_EINTERNAL, "out of memory creating the Lua state");
        return NULL;
    }
    *(sandbox **)lua_getextraspace(sb->L) = sb;
    lua_setwarnf(sb->L, NULL, NULL);
    /* most of what rules allocate (objects, outcomes, evidence) dies with the call */
    lua_gc(sb->L, LUA_GCGEN, 0, 0);
    lua_pushcfunction(sb->L, sb_setup);
    lua_pushlightuserdata(sb->L, sb);
    if (lua_pcall(sb->L, 1, 0, 0) != LUA_OK) {
        const char *m = lua_tostring(sb->L, -1);
        err_set(err, ANBUD_EINPUT, "loading the rule library: %s", m ? m : "unknown error");
        sandbox_free(sb);
        return NULL;
    }
    watch_start(sb);
    return sb;
}

void sandbox_free(sandbox *sb)
{
    if (!sb)
        return;
    watch_stop(sb);
    if (sb->L)
        lua_close(sb->L);
    pool_free(sb);
    free(sb);
}

/* ---- budgeted calls --------------------------------------------------------------- */

/* Copies a one-line, bounded version of an error message. */
static void copy_message(char *out, size_t size, const char *m)
{
    size_t n = 0;
    for (; *m && n + 1 < size && n < 400; m++)
        out[n++] = (*m == '\n' || *m == '\r' || *m == '\t') ? ' ' : *m;
    if (*m && size > 4 && n + 4 < size) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = 0;
}

static void describe_failure(sandbox *sb, int status, char *msg, size_t size)
{
    lua_State *L = sb->L;
    if (sb->ran_out == RAN_OUT_INSTRUCTIONS)
        snprintf(msg, size, "instruction budget exhausted (%lld instructions)",
                 sb->limits.instructions);
    else if (sb->ran_out == RAN_OUT_TIME)
        snprintf(msg, size, "time budget exhausted (%ld ms)", sb->limits.milliseconds);
    else if (status == LUA_ERRMEM || sb->memory_refused)
        snprintf(msg, size, "memory budget exhausted (%zu MiB)", sb->limits.memory >> 20);
    else if (lua_type(L, -1) == LUA_TSTRING)
        copy_message(msg, size, lua_tostring(L, -1));
    else
        snprintf(msg, size, "error object is a %s value", luaL_typename(L, -1));
}

int sandbox_call(sandbox *sb, int nargs, int nresults, char *msg, size_t msg_size)
{
    lua_State *L = sb->L;
    int base = lua_gettop(L) - nargs - 1;
    if (sb->budget_active) { /* nested: the outer call's budget goes on */
        int st = lua_pcall(L, nargs, nresults, 0);
        if (st != LUA_OK) {
            describe_failure(sb, st, msg, msg_size);
            lua_settop(L, base);
        }
        return st;
    }
    sb->budget_active = 1;
    sb->ran_out = RAN_OUT_NONE;
    sb->memory_refused = 0;
    sb->left = sb->limits.instructions;
    clock_gettime(CLOCK_MONOTONIC, &sb->deadline);
    sb->deadline.tv_sec += sb->limits.milliseconds / 1000;
    sb->deadline.tv_nsec += (sb->limits.milliseconds % 1000) * 1000000L;
    if (sb->deadline.tv_nsec >= 1000000000L) {
        sb->deadline.tv_sec++;
        sb->deadline.tv_nsec -= 1000000000L;
    }
    size_t cap = sb->used + sb->limits.memory;
    sb->cap = cap < TOTAL_MEMORY ? cap : TOTAL_MEMORY;
    sandbox *outer = tl_in_call;
    if (sb->watching) {
        tl_in_call = sb;
        atomic_store_explicit(&sb->caller, (unsigned long)pthread_self(), memory_order_relaxed);
        atomic_fetch_add_explicit(&sb->calls, 1, memory_order_release);
    } else {
        lua_sethook(L, sb_hook, LUA_MASKCOUNT, HOOK_STEP);
    }
    int st = lua_pcall(L, nargs, nresults, 0);
    if (sb->watching) {
        atomic_fetch_add_explicit(&sb->calls, 1, memory_order_release);
        tl_in_call = outer;
        atomic_signal_fence(memory_order_seq_cst); /* no hook set after the one removed */
    }
    lua_sethook(L, NULL, 0, 0);
    sb->cap = TOTAL_MEMORY;
    sb->budget_active = 0;
    if (st == LUA_OK && sb->ran_out != RAN_OUT_NONE) {
        lua_settop(L, base);
        lua_pushnil(L);
        st = LUA_ERRRUN;
    }
    if (st != LUA_OK) {
        describe_failure(sb, st, msg, msg_size);
        lua_settop(L, base);
    }
    return st;
}
