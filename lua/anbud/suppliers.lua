-- anbud.suppliers: telling suppliers apart and counting local ones. A supplier is the same
-- supplier when its organisation number is the same; without one, when its name is the
-- same (ignoring case and surrounding spaces). The party id is used last, as it only
-- identifies a party inside one process.
--
-- "Local" is the engine's supplier.is_local: the party's details.municipalityCode is in
-- the rule set's `local_municipalities` (default: the set's own kommunenummer). A party
-- without a code is not local.

local M = {}

-- key(s) --> a text that is equal for the same supplier, across processes too
function M.key(s)
  if s == nil then
    return nil
  end
  local org = s.org_number
  if type(org) == "string" and org ~= "" then
    return "org:" .. org
  end
  local name = s.name
  if type(name) == "string" and trim(name) ~= "" then
    return "name:" .. string.lower(trim(name))
  end
  if s.id ~= nil then
    return "id:" .. tostring(s.id)
  end
  return nil
end

-- same(a, b) --> true when a and b are the same supplier
function M.same(a, b)
  local ka, kb = M.key(a), M.key(b)
  return ka ~= nil and ka == kb
end

-- label(s) --> "Name (org.nr. 123456789)" for messages
function M.label(s)
  if s == nil then
    return "?"
  end
  local name = type(s.name) == "string" and trim(s.name) ~= "" and trim(s.name) or nil
  local org = s.org_number
  if name and org then
    return name .. " (org.nr. " .. org .. ")"
  end
  return name or (org and ("org.nr. " .. org)) or tostring(s.id or "?")
end

-- plain(s) --> the facts about a supplier a verdict's evidence shows
function M.plain(s)
  return {
    name = s.name,
    org_number = s.org_number,
    municipality_code = s.municipality_code,
    is_local = s.is_local,
  }
end

-- distinct(list) --> the suppliers of list once each (first seen kept), and a list of
-- those that appeared more than once
function M.distinct(list)
  local seen, unique, repeated = {}, {}, {}
  for _, s in ipairs(list or {}) do
    local k = M.key(s)
    if k ~= nil then
      if seen[k] == nil then
        seen[k] = 1
        unique[#unique + 1] = s
      else
        if seen[k] == 1 then
          repeated[#repeated + 1] = s
        end
        seen[k] = seen[k] + 1
      end
    end
  end
  return unique, repeated
end

-- quotes(tender) --> the price quotes asked for (tender.quoteRequests), counted:
--   requests   how many requests there are (answered or not)
--   suppliers  distinct suppliers asked
--   local_ones distinct local suppliers asked
--   others     distinct suppliers asked that are not local (or have no kommunenummer)
--   repeated   suppliers asked more than once (each counts once)
function M.quotes(tender)
  local asked = {}
  local requests = 0
  for _, q in ipairs(tender and tender.quote_requests or {}) do
    requests = requests + 1
    if q.supplier ~= nil then
      asked[#asked + 1] = q.supplier
    end
  end
  local unique, repeated = M.distinct(asked)
  local local_ones, others = {}, {}
  for _, s in ipairs(unique) do
    if s.is_local then
      local_ones[#local_ones + 1] = s
    else
      others[#others + 1] = s
    end
  end
  return {
    requests = requests,
    suppliers = unique,
    local_ones = local_ones,
    others = others,
    repeated = repeated,
  }
end

-- awarded(p) --> the distinct suppliers of the process's awards (cancelled and
-- unsuccessful awards left out)
function M.awarded(p)
  local list = {}
  for _, a in ipairs(p.awards or {}) do
    if a.status ~= "cancelled" and a.status ~= "unsuccessful" then
      for _, s in ipairs(a.suppliers or {}) do
        list[#list + 1] = s
      end
    end
  end
  return (M.distinct(list))
end

return M
