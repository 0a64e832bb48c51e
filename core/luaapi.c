/*
 * luaapi: the rule library's functions written in C, because the C side must trust what
 * they make (outcomes, dated parameters) or because they must be cheap and safe on any
 * input text (justified, dates). The rest of the library is Lua, in lua/anbud/.
 */
#include <lauxlib.h>
#include <stdint.h>
#include <string.h>

#include "engine_internal.h"

static char KEY_OUTCOME_META, KEY_BYDATE_META;

/* ---- outcomes --------------------------------------------------------------------- */

int luaapi_is_outcome(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx))
        return 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_OUTCOME_META);
    int is = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return is;
}

/* pass/fail/warn/info/na(message [, evidence]): upvalue 1 is the outcome's name. */
static int make_outcome(lua_State *L)
{
    const char *name = lua_tostring(L, lua_upvalueindex(1));
    if (lua_type(L, 1) != LUA_TSTRING)
        return luaL_error(L, "%s(message, evidence): the message must be text, not %s", name,
                          luaL_typename(L, 1));
    if (lua_rawlen(L, 1) == 0 && strcmp(name, "pass") != 0 && strcmp(name, "na") != 0)
        return luaL_error(L, "%s(message, evidence): the message must not be empty", name);
    int t = lua_type(L, 2);
    if (t != LUA_TNONE && t != LUA_TNIL && t != LUA_TTABLE)
        return luaL_error(L, "%s(message, evidence): the evidence must be a table", name);
    lua_createtable(L, 0, 4);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_setfield(L, -2, "outcome");
    lua_pushvalue(L, 1);
    lua_setfield(L, -2, "message");
    if (t == LUA_TTABLE) {
        lua_pushvalue(L, 2);
        lua_setfield(L, -2, "evidence");
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_OUTCOME_META);
    lua_setmetatable(L, -2);
    return 1;
}

/* outcome:again_on("2026-05-01"): run this rule again on that day (timed re-check). */
static int outcome_again_on(lua_State *L)
{
    if (!luaapi_is_outcome(L, 1))
        return luaL_error(L, "again_on is a method of an outcome");
    int64_t days;
    const char *s = luaL_checkstring(L, 2);
    if (date_parse(s, &days, NULL) != 0)
        return luaL_error(L, "again_on: '%s' is not a date (YYYY-MM-DD)", s);
    lua_pushinteger(L, (lua_Integer)days);
    lua_setfield(L, 1, "recheck");
    lua_settop(L, 1);
    return 1;
}

/* ---- dated parameters ------------------------------------------------------------- */

/*
 * by_date{ {"2017-01-01", 1100000, source = "..."}, {"2018-01-01", 1300000} }: a parameter
 * whose value changes on dates. Dates must ascend. Resolved per process by the engine.
 */
static int by_date(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    if (n == 0)
        return luaL_error(L, "by_date: give at least one {date, value}");
    lua_createtable(L, (int)(n < 64 ? n : 64), 0);
    int64_t previous = INT64_MIN;
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, 1, i) != LUA_TTABLE)
            return luaL_error(L, "by_date: entry %d is not {date, value}", (int)i);
        int entry = lua_gettop(L);
        int64_t days;
        lua_rawgeti(L, entry, 1);
        const char *d = lua_tostring(L, -1);
        if (lua_type(L, -1) != LUA_TSTRING || date_parse(d, &days, NULL) != 0)
            return luaL_error(L, "by_date: entry %d does not start with a date (YYYY-MM-DD)",
                              (int)i);
        if (days <= previous)
            return luaL_error(L, "by_date: entry %d (%s) is not later than the one before",
                              (int)i, d);
        previous = days;
        if (lua_rawgeti(L, entry, 2) == LUA_TNIL)
            return luaL_error(L, "by_date: entry %d (%s) has no value", (int)i, d);
        lua_createtable(L, 0, 4); /* date, value, resolved entry */
        lua_pushinteger(L, (lua_Integer)days);
        lua_setfield(L, -2, "days");
        lua_pushvalue(L, -2);
        lua_setfield(L, -2, "value");
        lua_pushvalue(L, -3);
        lua_setfield(L, -2, "from");
        lua_getfield(L, entry, "source");
        lua_setfield(L, -2, "source");
        lua_rawseti(L, entry - 1, i);
        lua_settop(L, entry - 1);
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_BYDATE_META);
    lua_setmetatable(L, -2);
    return 1;
}

static int is_by_date(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx))
        return 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_BYDATE_META);
    int is = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return is;
}

/*
 * Pushes the value of the by_date table at idx in force on `days`; raises when none.
 * Narrows [*from, *to] to the days on which that same entry is in force.
 */
static void push_value_on(lua_State *L, int idx, int64_t days, const char *name, int64_t *from,
                          int64_t *to)
{
    idx = lua_absindex(L, idx);
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    lua_Integer found = 0;
    int64_t found_from = INT64_MIN, next_from = INT64_MAX;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, i);
        lua_getfield(L, -1, "days");
        int64_t start = (int64_t)lua_tointeger(L, -1);
        lua_pop(L, 2);
        if (start <= days) {
            found = i;
            found_from = start;
        } else if (start < next_from) {
            next_from = start;
        }
    }
    if (!found) {
        char d[11];
        date_format(days, d);
        lua_rawgeti(L, idx, 1);
        lua_getfield(L, -1, "from");
        luaL_error(L, "parameter '%s' has no value in force on %s (its first value is from %s)",
                   name, d, lua_tostring(L, -1));
    }
    if (found_from > *from)
        *from = found_from;
    if (next_from != INT64_MAX && next_from - 1 < *to)
        *to = next_from - 1;
    lua_rawgeti(L, idx, found);
    lua_getfield(L, -1, "value");
    lua_remove(L, -2);
}

/*
 * resolve(params, days): a new table with every by_date parameter replaced by its value
 * on that day, then the first and last day that resolution holds for. Other values are
 * shared (they were frozen when the set was loaded).
 */
int luaapi_resolve_params(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int64_t days = (int64_t)luaL_checkinteger(L, 2);
    int64_t from = INT64_MIN, to = INT64_MAX;
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        if (is_by_date(L, -1)) {
            const char *name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
            push_value_on(L, -1, days, name, &from, &to);
            lua_remove(L, -2);
        }
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, 3);
    }
    lua_pushinteger(L, (lua_Integer)from);
    lua_pushinteger(L, (lua_Integer)to);
    return 3;
}

/* ---- text and dates --------------------------------------------------------------- */

/* justified(text): at least `min` (20) characters that are not white space. */
static int justified(lua_State *L)
{
    size_t len;
    const char *s = lua_type(L, 1) == LUA_TSTRING ? lua_tolstring(L, 1, &len) : NULL;
    lua_Integer min = luaL_optinteger(L, 2, 20);
    lua_Integer count = 0;
    for (size_t i = 0; s && i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0) { /* no-break space */
            i++;
            continue;
        }
        if ((c & 0xC0) == 0x80) /* continuation byte: counted with its lead byte */
            continue;
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v')
            count++;
    }
    lua_pushboolean(L, s && count >= min);
    return 1;
}

/* trim(text): text without white space at either end (linear, unlike a pattern). */
static int trim(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    size_t a = 0, b = len;
    while (a < b && strchr(" \t\n\r\f\v", s[a]) && s[a])
        a++;
    while (b > a && strchr(" \t\n\r\f\v", s[b - 1]) && s[b - 1])
        b--;
    lua_pushlstring(L, s + a, b - a);
    return 1;
}

static int64_t check_date(lua_State *L, int arg)
{
    int64_t days;
    const char *s = luaL_checkstring(L, arg);
    if (date_parse(s, &days, NULL) != 0)
        luaL_error(L, "'%s' is not a date (YYYY-MM-DD)", s);
    return days;
}

/* date(text): the day number of a date, or nil when the text is not one. */
static int date_of(lua_State *L)
{
    int64_t days;
    if (lua_type(L, 1) == LUA_TSTRING && date_parse(lua_tostring(L, 1), &days, NULL) == 0)
        lua_pushinteger(L, (lua_Integer)days);
    else
        lua_pushnil(L);
    return 1;
}

static int days_between(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)(check_date(L, 2) - check_date(L, 1)));
    return 1;
}

static int add_days(lua_State *L)
{
    int64_t d = check_date(L, 1);
    lua_Integer n = luaL_checkinteger(L, 2);
    if (n > 3650000 || n < -3650000)
        return luaL_error(L, "add_days: %d days is out of range", (int)n);
    char out[11];
    date_format(d + n, out);
    lua_pushstring(L, out);
    return 1;
}

static int today(lua_State *L)
{
    engine *e = lua_touserdata(L, lua_upvalueindex(1));
    char out[11];
    date_format(e->bind.now_days, out);
    lua_pushstring(L, out);
    return 1;
}

void luaapi_prelude(lua_State *L, void *engine_ptr)
{
    engine *e = engine_ptr;
    int lib = lua_gettop(L);
    static const char *const outcomes[] = {"pass", "fail", "warn", "info", "na", NULL};
    for (const char *const *o = outcomes; *o; o++) {
        lua_pushstring(L, *o);
        lua_pushcclosure(L, make_outcome, 1);
        lua_setfield(L, lib, *o);
    }
    lua_createtable(L, 0, 3); /* outcome metatable */
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, outcome_again_on);
    lua_setfield(L, -2, "again_on");
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "outcome");
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_OUTCOME_META);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "by_date");
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_BYDATE_META);

    static const luaL_Reg fns[] = {
        {"by_date", by_date},   {"justified", justified},       {"trim", trim},
        {"date", date_of},      {"days_between", days_between}, {"add_days", add_days},
        {NULL, NULL},
    };
    luaL_setfuncs(L, fns, 0);
    lua_pushlightuserdata(L, e);
    lua_pushcclosure(L, today, 1);
    lua_setfield(L, lib, "today");
    bind_open(L, &e->bind);
}
