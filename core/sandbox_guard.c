/*
 * sandbox_guard: cost guards for C library functions a count hook cannot stop.
 * Pattern matching in Lua backtracks: each `*`, `+` or `-` item may retry over the whole
 * subject, so the worst case grows as n^(items+1). We refuse a call whose estimate passes
 * PATTERN_LIMIT steps rather than let one rule hold the loop for hours.
 */
#include "sandbox_guard.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define PATTERN_LIMIT 2e8
#define MOVE_LIMIT 1000000

/* Length of the single-character class starting at p[i] (an escape, a set or one char). */
static size_t class_length(const char *p, size_t plen, size_t i)
{
    if (p[i] == '%')
        return i + 1 < plen ? 2 : 1;
    if (p[i] != '[')
        return 1;
    size_t j = i + 1;
    if (j < plen && p[j] == '^')
        j++;
    if (j < plen && p[j] == ']') /* a leading ] is a member */
        j++;
    while (j < plen && p[j] != ']')
        j += (p[j] == '%' && j + 1 < plen) ? 2 : 1;
    return (j < plen ? j + 1 : plen) - i;
}

double guard_pattern_cost(const char *p, size_t plen, size_t n)
{
    double steps = 1.0, span = (double)n + 1.0;
    size_t i = 0;
    int anchored = plen > 0 && p[0] == '^';
    if (anchored)
        i = 1;
    while (i < plen) {
        if (p[i] == '(' || p[i] == ')') {
            i++;
            continue;
        }
        if (p[i] == '%' && i + 1 < plen && p[i + 1] == 'b') {
            i += 4; /* %bxy: a linear scan */
            steps *= 2.0;
            continue;
        }
        if (p[i] == '%' && i + 1 < plen && p[i + 1] == 'f') {
            i += 2;
            if (i < plen)
                i += class_length(p, plen, i);
            continue;
        }
        i += class_length(p, plen, i);
        if (i < plen && (p[i] == '*' || p[i] == '+' || p[i] == '-')) {
            steps *= span;
            i++;
        } else if (i < plen && p[i] == '?') {
            steps *= 2.0;
            i++;
        }
        if (steps > 1e300)
            break;
    }
    if (!anchored)
        steps *= span;
    return steps;
}

/* The string functions whose first argument is the subject and second the pattern. */
static int guarded_pattern_call(lua_State *L)
{
    size_t n = 0, plen = 0;
    const char *s = luaL_checklstring(L, 1, &n);
    const char *p = luaL_checklstring(L, 2, &plen);
    (void)s;
    int plain = lua_toboolean(L, 4) && lua_tointeger(L, lua_upvalueindex(2)) == 1;
    if (!plain) {
        double cost = guard_pattern_cost(p, plen, n);
        if (!(cost <= PATTERN_LIMIT)) {
            char why[160]; /* lua_pushfstring knows no %g */
            snprintf(why, sizeof why, "pattern too costly for a subject of %zu bytes (worst "
                                      "case %.3g steps, limit %.3g)", n, cost, PATTERN_LIMIT);
            return luaL_error(L, "%s", why);
        }
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static void wrap(lua_State *L, int idx, const char *name, int has_plain)
{
    lua_getfield(L, idx, name);
    lua_pushinteger(L, has_plain);
    lua_pushcclosure(L, guarded_pattern_call, 2);
    lua_setfield(L, idx, name);
}

void guard_string_library(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    wrap(L, idx, "find", 1);
    wrap(L, idx, "match", 0);
    wrap(L, idx, "gmatch", 0);
    wrap(L, idx, "gsub", 0);
}

static int guarded_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2);
    lua_Integer e = luaL_checkinteger(L, 3);
    if (e >= f && (lua_Unsigned)e - (lua_Unsigned)f >= MOVE_LIMIT)
        return luaL_error(L, "table.move over more than %d elements", MOVE_LIMIT);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

void guard_table_library(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_getfield(L, idx, "move");
    lua_pushcclosure(L, guarded_move, 1);
    lua_setfield(L, idx, "move");
}
