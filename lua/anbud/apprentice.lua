-- anbud.apprentice: which contracts the apprentice duty covers (lærlingforskriften § 3:
-- bygge- og anleggskontrakter, and service contracts in the industries the ministry has
-- found to need apprentices, here the CPV divisions in `cpv_prefixes`), used by the
-- national rule and by Bergen's stricter clause with its own threshold.

local M = {}

-- covered(p, prefixes) --> true when the category is works, or services with a CPV code
-- that starts with one of prefixes; and the matching CPV codes
function M.covered(p, prefixes)
  if p.category == "works" then
    return true, {}
  end
  if p.category ~= "services" then
    return false, {}
  end
  local hits = {}
  for _, code in ipairs(p.cpv_codes) do
    for _, prefix in ipairs(prefixes or {}) do
      if code:sub(1, #prefix) == prefix then
        hits[#hits + 1] = code
        break
      end
    end
  end
  return #hits > 0, hits
end

-- scope(p, prefixes, min_value, min_days) --> why the duty applies or not:
--   "category"  not works, nor services in the listed CPV divisions
--   "value"     value unknown or below min_value
--   "duration"  duration known and not above min_days
--   nil         the duty applies (duration may be unknown: facts.duration == nil)
-- and the facts used
function M.scope(p, prefixes, min_value, min_days)
  local covered, hits = M.covered(p, prefixes)
  local facts = {
    category = p.category,
    cpv_matches = hits,
    value = p.value,
    min_value = min_value,
    duration_days = p.duration_days,
    min_days = min_days,
  }
  if not covered then
    return "category", facts
  end
  if type(p.value) ~= "number" or type(min_value) ~= "number" or p.value < min_value then
    return "value", facts
  end
  if type(p.duration_days) == "number" and p.duration_days <= min_days then
    return "duration", facts
  end
  return nil, facts
end

-- requirement(tender) --> the apprentice clause as plain facts
function M.requirement(tender)
  local req = tender and tender.apprentice_requirement
  if req == nil then
    return { present = false, required = false }
  end
  return {
    present = true,
    required = req.required == true,
    min_share_of_hours = req.min_share_of_hours,
    per_trade = req.per_trade == true,
  }
end

return M
