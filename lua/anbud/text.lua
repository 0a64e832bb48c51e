-- anbud.text: small pieces of text that rules in bokmål and nynorsk both use.

local M = {}
local remembered = require("anbud.memo").remembered

-- and_list({"A", "B", "C"}) --> "A, B og C" (the same in bokmål and nynorsk)
function M.and_list(items)
  local n = #items
  if n == 0 then
    return ""
  end
  if n == 1 then
    return tostring(items[1])
  end
  local head = {}
  for i = 1, n - 1 do
    head[i] = tostring(items[i])
  end
  return table.concat(head, ", ") .. " og " .. tostring(items[n])
end

-- number(x) --> 1650 as "1 650", 12.5 as "12,5": numbers as Norwegian text, digits
-- grouped by three like kr(), no ".0"
M.number = remembered(function(x)
  if type(x) ~= "number" or x ~= x or math.abs(x) >= 1e15 then
    return "?"
  end
  local cents = math.floor(math.abs(x) * 100 + 0.5)
  local whole, fraction = cents // 100, cents % 100
  local digits = string.format("%d", whole)
  local groups = {}
  local first = #digits % 3
  if first > 0 then
    groups[#groups + 1] = digits:sub(1, first)
  end
  for i = first + 1, #digits, 3 do
    groups[#groups + 1] = digits:sub(i, i + 2)
  end
  local out = (x < 0 and "-" or "") .. table.concat(groups, " ")
  if fraction > 0 then
    out = out .. "," .. string.format("%02d", fraction):gsub("0$", "")
  end
  return out
end)

-- percent_down(0.0996) --> "9,9 %": a share rounded down to a tenth of a per cent, for
-- shares compared with a minimum (percent() would round 9.96 % up to "10 %")
function M.percent_down(share)
  if type(share) ~= "number" then
    return "?"
  end
  local tenths = math.floor(share * 1000 + 1e-9)
  return M.number(tenths / 10) .. " %"
end

-- pick(language, nb_text, nn_text): the text in the written language asked for
function M.pick(language, nb_text, nn_text)
  if language == "nn" then
    return nn_text
  end
  return nb_text
end

-- list_of(list): a plain Lua table of a procurement list (or of a frozen parameter list),
-- so it can go into evidence (evidence is read without metamethods)
function M.list_of(list)
  local out = {}
  for i, item in ipairs(list or {}) do
    out[i] = item
  end
  return out
end

return M
