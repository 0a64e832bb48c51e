-- anbud.store: questions about the buyer's other processes (p:others(): the stored
-- processes in import/serve, the other documents of the same invocation in check).

local M = {}

-- shared_groups(a, b) --> the CPV groups (3 digits) both lists hold
function M.shared_groups(a, b)
  local out = {}
  for _, g in ipairs(a or {}) do
    if contains(b, g) and not contains(out, g) then
      out[#out + 1] = g
    end
  end
  return out
end

-- in_period(contract, day) --> true when the contract's period contains the ISO day
-- (a period without a start runs from the beginning; without an end, on and on)
function M.in_period(contract, day)
  local d = date(day)
  if d == nil then
    return false
  end
  local s, e = date(contract.start_date), date(contract.end_date)
  if s == nil and e == nil then
    return false
  end
  return (s == nil or s <= d) and (e == nil or d <= e)
end

-- candidates(p, host, filter) --> the buyer's other processes, and those of the buyers in
-- the kommunenummer `host` (a cooperation's host) when given, each once; `filter` (may be
-- nil) holds narrower filters of p:others() (cpv_groups, stages, is_framework, ...)
function M.candidates(p, host, filter)
  local list, seen = {}, {}
  local function add(others)
    for _, other in ipairs(others) do
      if not seen[other.ocid] then
        seen[other.ocid] = true
        list[#list + 1] = other
      end
    end
  end
  local f = {}
  for k, v in pairs(filter or {}) do
    f[k] = v
  end
  add(next(f) and p:others(f) or p:others())
  if host and host ~= p.municipality then
    f.municipality = host
    add(p:others(f))
  end
  return list
end

-- frameworks_in_force(p, day, accept, host, groups) --> the other processes (the buyer's,
-- and the host's when given) that are framework agreements
-- (tender.techniques.hasFrameworkAgreement) with a contract whose period contains day,
-- and that accept(other) admits; with `groups` (a list of CPV groups) only those sharing
-- one of them; each as {process, contract, groups}
function M.frameworks_in_force(p, day, accept, host, groups)
  local out = {}
  -- the store hands over only framework agreements (in those groups)
  local filter = { is_framework = true, cpv_groups = groups }
  for _, other in ipairs(M.candidates(p, host, filter)) do
    if other.is_framework and (accept == nil or accept(other)) then
      for _, c in ipairs(other.contracts or {}) do
        if c.status ~= "cancelled" and M.in_period(c, day) then
          out[#out + 1] = { process = other, contract = c, groups = other.cpv_groups }
          break
        end
      end
    end
  end
  return out
end

-- plain(other) --> the facts about another process a verdict's evidence shows
function M.plain(other)
  return {
    ocid = other.ocid,
    title = other.title,
    stage = other.stage,
    value = other.value,
    relevant_date = other.relevant_date,
    first_date = other.first_date,
    cpv_groups = other.cpv_groups,
  }
end

return M
