/*
 * sandbox_guard: wrappers for the C library functions whose work an instruction hook
 * cannot interrupt: pattern matching (which backtracks inside C) and table.move (a C loop
 * over any range). Each refuses, with an error, a call whose worst case is too costly.
 */
#ifndef ANBUD_SANDBOX_GUARD_H
#define ANBUD_SANDBOX_GUARD_H

#include <lua.h>
#include <stddef.h>

/* Worst-case steps of matching a pattern against a subject of n bytes. */
double guard_pattern_cost(const char *pattern, size_t plen, size_t n);

/* Replaces find, match, gmatch and gsub in the string table at idx by guarded versions. */
void guard_string_library(lua_State *L, int idx);
/* Replaces move in the table library at idx by a guarded version. */
void guard_table_library(lua_State *L, int idx);

#endif
