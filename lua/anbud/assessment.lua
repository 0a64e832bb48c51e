-- anbud.assessment: the reserved and inclusive contract assessments (SPEC § 2:
-- tender.reservedAssessment, tender.inclusiveAssessment). Bergen (instruks, byrådsvedtak
-- 1198/17) and Alver (delmål 5) ask for the same chain: first assess whether the contract
-- can be reserved; when it cannot, assess whether it can be an inclusive contract. Each
-- set's rule words the outcome in its own language and cites its own source; the reading
-- of the data is here, once.

local M = {}

-- read(a) --> what an assessment object says:
--   present     the object exists
--   concluded   `suitable` is true or false (a conclusion was drawn)
--   suitable    true / false, or nil when not concluded
--   justified   the justification has at least 20 characters that are not white space
--   justification, date (as given)
function M.read(a)
  if a == nil then
    return { present = false, concluded = false, justified = false }
  end
  local s = a.suitable
  local text = a.justification
  local suitable = nil
  if type(s) == "boolean" then
    suitable = s
  end
  return {
    present = true,
    concluded = type(s) == "boolean",
    suitable = suitable,
    justified = justified(text),
    justification = type(text) == "string" and text or nil,
    date = a.date,
  }
end

-- complete(r) --> true when an assessment read by read() is concluded and justified
function M.complete(r)
  return r.present and r.concluded and r.justified
end

-- gap(r) --> nil when complete, else why not: "missing", "no_conclusion" or "not_justified"
function M.gap(r)
  if not r.present then
    return "missing"
  end
  if not r.concluded then
    return "no_conclusion"
  end
  if not r.justified then
    return "not_justified"
  end
  return nil
end

-- reserved_participation(tender) --> the codes in otherRequirements.reservedParticipation
-- (e.g. {"shelteredWorkshop"}) as a plain list; empty when the contract is not reserved
function M.reserved_participation(tender)
  local out = {}
  local other = tender and tender.other_requirements
  for _, code in ipairs(other and other.reserved_participation or {}) do
    out[#out + 1] = code
  end
  return out
end

-- has_inclusive_requirement(tender) --> true when the tender carries an inclusive clause:
-- inclusiveRequirement with a share of staff above 0 or a description
function M.has_inclusive_requirement(tender)
  local req = tender and tender.inclusive_requirement
  if req == nil then
    return false
  end
  local share = req.min_share_of_staff
  local text = req.description
  return (type(share) == "number" and share > 0)
    or (type(text) == "string" and trim(text) ~= "")
end

-- chain(tender) --> the whole chain, for rules and evidence:
--   reserved, inclusive     read() of each assessment
--   reserved_gap            gap(reserved)
--   needs_inclusive         the reserved assessment concluded "not suitable"
--   inclusive_gap           gap(inclusive) when needs_inclusive, else nil
--   reserved_participation  list (see above)
--   inclusive_requirement   boolean (see above)
function M.chain(tender)
  local reserved = M.read(tender and tender.reserved_assessment)
  local inclusive = M.read(tender and tender.inclusive_assessment)
  local needs_inclusive = reserved.concluded and reserved.suitable == false
  return {
    reserved = reserved,
    inclusive = inclusive,
    reserved_gap = M.gap(reserved),
    needs_inclusive = needs_inclusive,
    inclusive_gap = needs_inclusive and M.gap(inclusive) or nil,
    reserved_participation = M.reserved_participation(tender),
    inclusive_requirement = M.has_inclusive_requirement(tender),
  }
end

-- evidence(c) --> a plain table of the chain for a verdict's evidence
function M.evidence(c)
  local function one(r)
    return {
      present = r.present,
      suitable = r.suitable,
      justified = r.justified,
      justification = r.justification,
      date = r.date,
    }
  end
  return {
    reserved_assessment = one(c.reserved),
    inclusive_assessment = one(c.inclusive),
    reserved_participation = c.reserved_participation,
    inclusive_requirement = c.inclusive_requirement,
  }
end

return M
