/* Unit tests of sandbox and sandbox_guard: budgets, frozen tables, allow-lists, guards. */
#include <lauxlib.h>
#include <string.h>

#include "sandbox.h"
#include "sandbox_guard.h"
#include "test.h"

static sandbox *sb;
static char msg[512];

static sandbox *open_sandbox(long long instructions, size_t memory, long ms)
{
    sandbox_limits limits = {instructions, memory, ms};
    anbud_err err;
    sandbox *s = sandbox_new(ANBUD_LUA_DIR, NULL, NULL, &limits, &err);
    if (!s)
        fprintf(stderr, "  sandbox_new: %s\n", err.msg);
    return s;
}

/* Runs code in a fresh rule environment; returns the status; one result stays pushed. */
static int run(const char *code)
{
    lua_State *L = sandbox_lua(sb);
    msg[0] = 0;
    sandbox_push_env(sb, NULL);
    if (luaL_loadbufferx(L, code, strlen(code), "=test", "t") != LUA_OK) {
        snprintf(msg, sizeof msg, "%s", lua_tostring(L, -1));
        lua_pop(L, 2);
        return LUA_ERRSYNTAX;
    }
    lua_pushvalue(L, -2);
    lua_setupvalue(L, -2, 1);
    lua_remove(L, -2);
    return sandbox_call(sb, 0, 1, msg, sizeof msg);
}

/* Runs code that must succeed and return a string; returns it (valid until the next run). */
static const char *result(const char *code)
{
    lua_State *L = sandbox_lua(sb);
    lua_settop(L, 0);
    if (run(code) != LUA_OK)
        return msg;
    const char *s = lua_tostring(L, -1);
    return s ? s : "(not a string)";
}

static int fails_with(const char *code, const char *needle)
{
    lua_settop(sandbox_lua(sb), 0);
    int st = run(code);
    if (st == LUA_OK || !strstr(msg, needle)) {
        fprintf(stderr, "  status %d, message \"%s\", expected \"%s\"\n", st, msg, needle);
        return 0;
    }
    return 1;
}

static void setup(void)
{
    if (!sb)
        sb = open_sandbox(200000, (size_t)8 << 20, 1000);
}

static void endless_loop_hits_instruction_budget(void)
{
    setup();
    CHECK(fails_with("while true do end", "instruction budget"));
}

static void swallowing_the_budget_error_does_not_help(void)
{
    setup();
    CHECK(fails_with("while true do pcall(function() while true do end end) end",
                     "instruction budget"));
    CHECK(fails_with("local ok = pcall(function() while true do end end) return 'escaped'",
                     "instruction budget"));
}

/* A call starts without the count hook; the watchdog hooks it once it has run a tick.
 * Coroutines are made hooked, so a loop inside one, made early in the call, is counted. */
static void loops_in_coroutines_hit_the_budget(void)
{
    setup();
    CHECK(fails_with("local co = coroutine.create(function() while true do end end) "
                     "coroutine.resume(co) return 'escaped'",
                     "instruction budget"));
    CHECK(fails_with("coroutine.wrap(function() while true do end end)() return 'escaped'",
                     "instruction budget"));
    CHECK(fails_with("local co = coroutine.wrap(function() while true do coroutine.yield() end "
                     "end) while true do co() end",
                     "instruction budget"));
    CHECK_STR(result("local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) "
                     "return b * 2 end) return tostring(co(1)) .. ',' .. tostring(co(5))"),
              "2,10");
}

static void budget_resets_for_the_next_call(void)
{
    setup();
    CHECK(fails_with("while true do end", "budget"));
    CHECK_STR(result("local n = 0 for i = 1, 1000 do n = n + i end return tostring(n)"),
              "500500");
}

static void memory_budget_stops_growth(void)
{
    setup();
    CHECK(fails_with("local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(100000) .. i end",
                     "memory budget"));
    CHECK(fails_with("return string.rep('x', 1e9)", "memory budget"));
    CHECK_STR(result("return string.rep('ab', 3)"), "ababab");
}

/* Lua assumes a block never fails to shrink. A malloc'd block shrunk to a small size when no
 * slab can be had must come back unchanged, keep its bytes, and later be given back to
 * malloc (ASan and valgrind report it as leaked otherwise). */
static void shrinking_never_fails_without_slabs(void)
{
    setup();
    void *ud;
    lua_Alloc f = lua_getallocf(sandbox_lua(sb), &ud);
    size_t before = sandbox_memory(sb);
    char *big = f(ud, NULL, 0, 4096);
    CHECK(big);
    memset(big, 'b', 4096);
    sandbox_refuse_slabs(sb, 1);
    /* take the 512-byte blocks left in the free list and the newest slab */
    enum { MAX_TAKEN = (64 << 10) / 512 + 64 };
    static void *taken[MAX_TAKEN];
    int n = 0;
    while (n < MAX_TAKEN && (taken[n] = f(ud, NULL, 0, 512)) != NULL)
        n++;
    CHECK(n < MAX_TAKEN);
    char *small = f(ud, big, 4096, 500);
    CHECK(small == big);
    int kept = 1;
    for (int i = 0; i < 500; i++)
        kept &= small[i] == 'b';
    CHECK(kept);
    /* a small block of the pool beside the kept one still works as before */
    void *pooled = n > 0 ? taken[0] : NULL;
    if (pooled)
        CHECK((pooled = f(ud, pooled, 512, 256)) != NULL);
    sandbox_refuse_slabs(sb, 0);
    /* the kept block moves into the pool when it is resized and a slab can be had */
    char *moved = f(ud, small, 500, 100);
    CHECK(moved && moved != small);
    kept = 1;
    for (int i = 0; i < 100; i++)
        kept &= moved[i] == 'b';
    CHECK(kept);
    f(ud, moved, 100, 0);
    /* and a kept block freed at its small size goes back to malloc */
    big = f(ud, NULL, 0, 2048);
    CHECK(big);
    sandbox_refuse_slabs(sb, 1);
    while (n < MAX_TAKEN && (taken[n] = f(ud, NULL, 0, 512)) != NULL)
        n++;
    small = f(ud, big, 2048, 480);
    CHECK(small == big);
    sandbox_refuse_slabs(sb, 0);
    f(ud, small, 480, 0);
    if (pooled)
        f(ud, pooled, 256, 0);
    for (int i = pooled ? 1 : 0; i < n; i++)
        f(ud, taken[i], 512, 0);
    CHECK(sandbox_memory(sb) == before);
    CHECK_STR(result("return string.rep('ab', 3)"), "ababab");
}

static void time_budget_stops_a_slow_call(void)
{
    sandbox *slow = open_sandbox(1000000000000LL, (size_t)8 << 20, 50);
    CHECK(slow);
    sandbox *saved = sb;
    sb = slow;
    int ok = fails_with("while true do end", "time budget");
    sb = saved;
    sandbox_free(slow);
    CHECK(ok);
}

static void dangerous_globals_are_absent(void)
{
    setup();
    CHECK_STR(result("return tostring(io) .. tostring(os) .. tostring(debug) .. tostring(load)"
                     " .. tostring(dofile) .. tostring(loadfile) .. tostring(package)"
                     " .. tostring(print) .. tostring(string.dump)"),
              "nilnilnilnilnilnilnilnilnil");
}

static void safe_globals_are_present(void)
{
    setup();
    CHECK_STR(result("return type(pairs) .. type(string.format) .. type(table.sort) .. "
                     "type(math.floor) .. type(utf8.char) .. type(coroutine.wrap)"),
              "functionfunctionfunctionfunctionfunctionfunction");
}

static void library_tables_are_read_only(void)
{
    setup();
    CHECK(fails_with("string.upper = nil", "read-only"));
    CHECK(fails_with("rawset(string, 'upper', print)", "read-only"));
    CHECK(fails_with("setmetatable(string, {})", "protected metatable"));
    CHECK(fails_with("table.insert = nil", "read-only"));
}

static void pairs_on_a_frozen_table_hides_the_original(void)
{
    setup();
    CHECK_STR(result("local f, s = pairs(string) return type(s) .. tostring(s == string)"),
              "tabletrue");
    CHECK_STR(result("local n = 0 for k in pairs(math) do n = n + 1 end "
                     "return tostring(n > 20)"),
              "true");
    CHECK_STR(result("return tostring(#string > -1)"), "true");
}

static void string_metatable_is_hidden(void)
{
    setup();
    CHECK_STR(result("return getmetatable('')"), "string");
    CHECK_STR(result("return ('abc'):upper()"), "ABC");
}

static void environments_are_separate(void)
{
    setup();
    CHECK_STR(result("shared_name = 'one' return shared_name"), "one");
    CHECK_STR(result("return tostring(shared_name)"), "nil");
    CHECK_STR(result("return tostring(getmetatable(_G))"), "false");
}

static void gc_metamethods_are_refused(void)
{
    setup();
    CHECK(fails_with("setmetatable({}, {__gc = function() end})", "__gc"));
    CHECK_STR(result("return tostring(getmetatable(setmetatable({}, {__index = {a = 1}})) ~= nil)"),
              "true");
}

static void collectgarbage_allows_only_count(void)
{
    setup();
    CHECK(fails_with("collectgarbage('stop')", "count"));
    CHECK_STR(result("return type(collectgarbage('count'))"), "number");
}

static void require_finds_only_the_library(void)
{
    setup();
    CHECK(fails_with("require('io')", "not found"));
    CHECK(fails_with("require('../x')", "not a module name"));
    CHECK(fails_with("require('anbud.missing')", "missing"));
    CHECK(fails_with("local a = require('anbud') a.kr = nil", "read-only"));
}

static void pattern_cost_grows_with_quantifiers(void)
{
    CHECK(guard_pattern_cost("abc", 3, 1000) < 1e4);
    CHECK(guard_pattern_cost("^%s*(.-)%s*$", 12, 100) < 2e8);
    CHECK(guard_pattern_cost(".-.-.-.-b", 9, 100000) > 1e20);
    CHECK(guard_pattern_cost("[a-z]+", 6, 10) < 1e3);
    CHECK(guard_pattern_cost("[%]*]*x", 7, 10) < 1e3);
}

static void costly_patterns_are_refused(void)
{
    setup();
    CHECK(fails_with("return string.rep('a', 50000):find('.-.-.-.-b')", "pattern too costly"));
    CHECK(fails_with("return ('a'):rep(50000):match('a*a*a*b')", "pattern too costly"));
    CHECK(fails_with("for w in ('a'):rep(50000):gmatch('a-a-a-b') do end", "too costly"));
    CHECK_STR(result("return tostring(string.rep('a', 50000):find('b', 1, true))"), "nil");
    CHECK_STR(result("return (('  kort tekst  '):match('^%s*(.-)%s*$'))"), "kort tekst");
}

static void table_move_over_huge_ranges_is_refused(void)
{
    setup();
    CHECK(fails_with("table.move({}, 1, 1e15, 2)", "table.move"));
    CHECK(fails_with("table.move({}, math.mininteger, math.maxinteger, 2)", "table.move"));
    CHECK_STR(result("local t = table.move({1, 2, 3}, 1, 3, 2) return table.concat(t, ',')"),
              "1,1,2,3");
}

static void error_objects_are_not_converted_by_calling_them(void)
{
    setup();
    CHECK(fails_with("error(setmetatable({}, {__tostring = function() while true do end end}))",
                     "error object is a table"));
    lua_settop(sandbox_lua(sb), 0);
    CHECK(run("error(string.rep('x', 100000))") != LUA_OK);
    CHECK(strlen(msg) < 500);
}

static void binary_chunks_are_refused(void)
{
    setup();
    lua_State *L = sandbox_lua(sb);
    CHECK(luaL_loadbufferx(L, "\x1bLua", 4, "=bin", "t") != LUA_OK);
    lua_settop(L, 0);
}

static void teardown(void)
{
    sandbox_free(sb);
    sb = NULL;
}

static const test_case tests[] = {
    {"endless_loop_hits_instruction_budget", endless_loop_hits_instruction_budget},
    {"swallowing_the_budget_error_does_not_help", swallowing_the_budget_error_does_not_help},
    {"loops_in_coroutines_hit_the_budget", loops_in_coroutines_hit_the_budget},
    {"budget_resets_for_the_next_call", budget_resets_for_the_next_call},
    {"memory_budget_stops_growth", memory_budget_stops_growth},
    {"shrinking_never_fails_without_slabs", shrinking_never_fails_without_slabs},
    {"time_budget_stops_a_slow_call", time_budget_stops_a_slow_call},
    {"dangerous_globals_are_absent", dangerous_globals_are_absent},
    {"safe_globals_are_present", safe_globals_are_present},
    {"library_tables_are_read_only", library_tables_are_read_only},
    {"pairs_on_a_frozen_table_hides_the_original", pairs_on_a_frozen_table_hides_the_original},
    {"string_metatable_is_hidden", string_metatable_is_hidden},
    {"environments_are_separate", environments_are_separate},
    {"gc_metamethods_are_refused", gc_metamethods_are_refused},
    {"collectgarbage_allows_only_count", collectgarbage_allows_only_count},
    {"require_finds_only_the_library", require_finds_only_the_library},
    {"pattern_cost_grows_with_quantifiers", pattern_cost_grows_with_quantifiers},
    {"costly_patterns_are_refused", costly_patterns_are_refused},
    {"table_move_over_huge_ranges_is_refused", table_move_over_huge_ranges_is_refused},
    {"error_objects_are_not_converted_by_calling_them",
     error_objects_are_not_converted_by_calling_them},
    {"binary_chunks_are_refused", binary_chunks_are_refused},
    {"teardown", teardown},
};

TEST_MAIN(tests)
