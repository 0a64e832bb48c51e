-- anbud.submission: how tenders are received. Used by the sets whose strategy asks that
-- every competition runs in an electronic tool (Bergen: KGV; Alver: konkurranse-
-- gjennomføringsverktøy).

local M = {}

-- methods(tender) --> the tender's submissionMethod codes as a plain list
function M.methods(tender)
  local out = {}
  if tender == nil then
    return out
  end
  for _, m in ipairs(tender.submission_method or {}) do
    if type(m) == "string" then
      out[#out + 1] = m
    end
  end
  return out
end

-- is_electronic(tender) --> true when submissionMethod contains "electronicSubmission",
-- and the list of methods found (for evidence)
function M.is_electronic(tender)
  local methods = M.methods(tender)
  return contains(methods, "electronicSubmission"), methods
end

return M
