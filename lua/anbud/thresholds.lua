-- anbud.thresholds: the threshold that applies to a procurement, and parameters that may
-- name a threshold instead of giving an amount. The threshold tables themselves are dated
-- parameters of the national set (rules/no/ruleset.lua); the engine resolves them to the
-- value in force on the process's relevant date before a rule sees them.

local M = {}

-- eea(p, params) --> the EEA threshold for the procurement's category, and which table it
-- came from: "eea_works" for works (bygge- og anleggskontrakter), else "eea_goods_services"
function M.eea(p, params)
  if p.category == "works" then
    return params.eea_works, "eea_works"
  end
  return params.eea_goods_services, "eea_goods_services"
end

-- amount(params, name) --> params[name] as an amount; a parameter may hold the name of
-- another parameter ("national_threshold"), so a municipality can point a rule at a
-- threshold table instead of copying it
function M.amount(params, name)
  local v = params[name]
  if type(v) == "string" then
    v = params[v]
  end
  if type(v) == "number" then
    return v
  end
  return nil
end

-- known(p) --> true when the estimated value is a positive number (no.estimated-value)
function M.known(p)
  return type(p.value) == "number" and p.value > 0
end

-- at_least(p, amount) --> true when the estimated value is known and >= amount
function M.at_least(p, amount)
  local value = p.value
  return type(value) == "number" and type(amount) == "number" and value >= amount
end

-- below(p, amount) --> true when the estimated value is known and < amount
function M.below(p, amount)
  local value = p.value
  return type(value) == "number" and type(amount) == "number" and value < amount
end

local function leap(year)
  return (year % 4 == 0 and year % 100 ~= 0) or year % 400 == 0
end

-- add_years("2024-02-29", 4) --> "2028-02-29"; a 29 February that does not exist in the
-- target year becomes 28 February
function M.add_years(iso, years)
  if type(iso) ~= "string" or date(iso) == nil then
    return nil
  end
  local y = tonumber(iso:sub(1, 4)) + years
  local m, d = iso:sub(6, 7), iso:sub(9, 10)
  if m == "02" and d == "29" and not leap(y) then
    d = "28"
  end
  return string.format("%04d-%s-%s", y, m, d)
end

return M
