-- The rule author's library: helpers written in Lua. Everything this file returns is a
-- global in every rule file, next to what the C core provides:
--   rule{...}, pass/fail/warn/info/na(message, evidence), by_date{...},
--   justified(text), trim(text), date(text), days_between(a, b), add_days(date, n), today().
-- The library is read-only for rules: a rule cannot change it for another.

local M = {}

local remembered = require("anbud.memo").remembered

-- kr(1300000) --> "1 300 000 kr": amounts as Norwegian procurement staff write them.
M.kr = remembered(function(amount)
  if type(amount) ~= "number" then
    return "(ukjent beløp)"
  end
  local whole = math.floor(amount + 0.5)
  local digits = tostring(math.abs(whole))
  local groups = {}
  local first = #digits % 3
  if first > 0 then
    groups[#groups + 1] = digits:sub(1, first)
  end
  for i = first + 1, #digits, 3 do
    groups[#groups + 1] = digits:sub(i, i + 2)
  end
  return (whole < 0 and "-" or "") .. table.concat(groups, " ") .. " kr"
end)

-- percent(0.125) --> "12,5 %"
M.percent = remembered(function(share)
  if type(share) ~= "number" then
    return "(ukjend del)"
  end
  local text = string.format("%.1f", share * 100):gsub("%.0$", ""):gsub("%.", ",")
  return text .. " %"
end)

-- Lists: procurement lists (parties, contracts, hour reports ...) and plain tables alike.

-- count(list, test) --> how many items pass test (all items when test is nil)
function M.count(list, test)
  local n = 0
  for _, item in ipairs(list or {}) do
    if test == nil or test(item) then
      n = n + 1
    end
  end
  return n
end

-- sum(list, value) --> the sum of value(item) (numbers; nil counts as 0)
function M.sum(list, value)
  local total = 0
  for _, item in ipairs(list or {}) do
    local v = value(item)
    if type(v) == "number" then
      total = total + v
    end
  end
  return total
end

-- filter(list, test) --> a new table of the items that pass test
function M.filter(list, test)
  local out = {}
  for _, item in ipairs(list or {}) do
    if test(item) then
      out[#out + 1] = item
    end
  end
  return out
end

-- map(list, fn) --> a new table of fn(item)
function M.map(list, fn)
  local out = {}
  for i, item in ipairs(list or {}) do
    out[i] = fn(item)
  end
  return out
end

-- any(list, test) / all(list, test)
function M.any(list, test)
  for _, item in ipairs(list or {}) do
    if test(item) then
      return true
    end
  end
  return false
end

function M.all(list, test)
  for _, item in ipairs(list or {}) do
    if not test(item) then
      return false
    end
  end
  return true
end

-- contains(list, value) --> true when value is one of the items
function M.contains(list, value)
  for _, item in ipairs(list or {}) do
    if item == value then
      return true
    end
  end
  return false
end

-- group_by(list, key) --> { [key(item)] = {items...} }, keys in first-seen order in .keys
function M.group_by(list, key)
  local groups, keys = {}, {}
  for _, item in ipairs(list or {}) do
    local k = key(item)
    if k ~= nil then
      if not groups[k] then
        groups[k] = {}
        keys[#keys + 1] = k
      end
      local g = groups[k]
      g[#g + 1] = item
    end
  end
  return groups, keys
end

-- cpv_group("45210000-2") --> "452"
function M.cpv_group(code)
  if type(code) ~= "string" then
    return nil
  end
  return code:sub(1, 3)
end

-- supplier_key(s) --> what makes two suppliers the same: organisation number, else id, else name
function M.supplier_key(s)
  if s == nil then
    return nil
  end
  return s.org_number or s.id or s.name
end

return M
