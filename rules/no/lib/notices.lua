-- notices: what no.doffin-notice and no.ted-notice share (national set, bokmål).

local thresholds = require "anbud.thresholds"

local M = {}

-- eea_name(which) --> the threshold's name in a message
function M.eea_name(which)
  if which == "eea_works" then
    return "EØS-terskelverdien for bygge- og anleggskontrakter"
  end
  return "EØS-terskelverdien for vare- og tjenestekontrakter"
end

-- applies(p, threshold, name) --> applies() result for a notice rule
function M.applies(p, threshold, name)
  if not thresholds.known(p) then
    return false, "Verdien er ikke anslått, så kunngjøringsplikten kan ikke vurderes; "
      .. "se no.estimated-value."
  end
  return thresholds.at_least(p, threshold), "Anslått verdi " .. kr(p.value) .. " er under "
    .. name .. " (" .. kr(threshold) .. " på " .. p.relevant_date .. ")."
end

-- check(p, platform, label, threshold, name) --> the outcome of a notice rule
function M.check(p, platform, label, threshold, name)
  local tender = p.tender
  local found = {}
  for _, n in ipairs(tender and tender.notices or {}) do
    if n.platform == platform then
      found[#found + 1] = { id = n.id, date_published = n.date_published }
    end
  end
  local rationale = tender and tender.procurement_method_rationale
  local evidence = {
    value = p.value,
    threshold = threshold,
    relevant_date = p.relevant_date,
    notices = found,
    procurement_method = p.method,
    procurement_method_rationale = rationale,
  }
  if #found > 0 then
    local first = found[1]
    return pass("Kunngjort i " .. label .. " (" .. tostring(first.id or "uten id")
      .. (first.date_published and (", " .. first.date_published:sub(1, 10)) or "")
      .. ").", evidence)
  end
  local without_notice = p.method == "limited" or p.method == "direct"
  if without_notice and justified(rationale) then
    return warn("Ingen kunngjøring i " .. label .. ", men anskaffelsen er gjennomført som "
      .. (p.method == "direct" and "direkte anskaffelse" or "begrenset prosedyre")
      .. " med begrunnelse (procurementMethodRationale). Unntaket fra kunngjøringsplikten "
      .. "må kontrolleres av en person: anslått verdi " .. kr(p.value) .. " er over "
      .. name .. " (" .. kr(threshold) .. ").", evidence)
  end
  local why = ""
  if without_notice then
    why = " Prosedyren er " .. p.method .. ", men procurementMethodRationale mangler eller er "
      .. "for kort (minst 20 tegn) til å begrunne unntaket."
  end
  return fail("Kunngjøring i " .. label .. " mangler: anslått verdi " .. kr(p.value)
    .. " er minst " .. name .. " (" .. kr(threshold) .. " på " .. p.relevant_date
    .. "), men tender.notices har ingen kunngjøring med platform \"" .. platform .. "\"."
    .. why, evidence)
end

return M
