-- anbud.text: small pieces of text that rules in bokmål and nynorsk both use.

local M = {}

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

-- number(x) --> 30 as "30", 12.5 as "12,5": numbers as Norwegian text, without ".0"
function M.number(x)
  if type(x) ~= "number" then
    return "?"
  end
  if x == math.floor(x) and math.abs(x) < 1e15 then
    return string.format("%d", math.floor(x))
  end
  local s = string.format("%.2f", x):gsub("0+$", ""):gsub("%.$", "")
  return (s:gsub("%.", ","))
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
