-- luacheck configuration: `luacheck --no-color -q lua rules` (make lint-lua).
-- Rule files, manifests and library modules run in the anbud sandbox, so the standard
-- declared here is the sandbox's allow-list (core/sandbox.c: no io, os, debug, load,
-- dofile), plus the rule library's globals (core/luaapi.c and what lua/anbud/init.lua
-- returns). All of them are read-only for rules.
stds.anbud = {
  read_globals = {
    -- Lua base functions the sandbox keeps
    "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal",
    "rawget", "rawlen", "rawset", "select", "setmetatable", "tonumber", "tostring", "type",
    "xpcall", "collectgarbage", "_VERSION", "_G", "require",
    "string", "table", "math", "utf8", "coroutine",
    -- declarations
    "rule", "ruleset", "by_date",
    -- outcomes (an outcome has the method :again_on(date))
    "pass", "fail", "warn", "info", "na",
    -- text and dates (C)
    "justified", "trim", "date", "days_between", "add_days", "today",
    -- lua/anbud/init.lua
    "kr", "percent", "count", "sum", "filter", "map", "any", "all", "contains", "group_by",
    "cpv_group", "supplier_key",
  },
}
std = "anbud"
max_line_length = 100
