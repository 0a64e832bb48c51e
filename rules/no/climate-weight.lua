-- FOA § 7-9 as in force from 2024-01-01: climate and environment weigh at least 30 per cent
-- among the award criteria, unless one of the two written exceptions is used.
local text = require "anbud.text"
local thresholds = require "anbud.thresholds"

local EXCEPTIONS = {
  requirementsInSpecification = "klima- og miljøkrav i kravspesifikasjonen i stedet for "
    .. "vekting (§ 7-9 fjerde ledd)",
  negligibleFootprint = "anskaffelsen har et uvesentlig klimaavtrykk og en uvesentlig "
    .. "miljøbelastning (§ 7-9 femte ledd)",
}

rule {
  id = "no.climate-weight",
  title = "Klima- og miljøhensyn vektet minst 30 prosent",
  source = "Anskaffelsesforskriften (FOA) § 7-9 (i kraft fra 1. januar 2024) annet ledd: "
    .. "«Oppdragsgiver skal vekte klima- og miljøhensyn med minimum tretti prosent.» Unntak: "
    .. "klima- og miljøkrav i kravspesifikasjonen når det klart gir bedre effekt (fjerde "
    .. "ledd), eller uvesentlig klimaavtrykk og miljøbelastning (femte ledd); begge må "
    .. "begrunnes i anskaffelsesdokumentene.",
  stages = { "tender" },
  severity = "error",
  valid_from = "2024-01-01",
  params = { min_weight = 30 },
  applies = function(p, params)
    if not thresholds.known(p) then
      return false, "Verdien er ikke anslått; se no.estimated-value."
    end
    if thresholds.at_least(p, params.regulation_floor) then
      return true
    end
    return false, "Anslått verdi " .. kr(p.value)
      .. " er under " .. kr(params.regulation_floor) .. ": FOA § 7-9 gjelder ikke."
  end,
  check = function(p, params)
    local tender = p.tender
    local weight, criteria = 0, {}
    for _, c in ipairs(tender and tender.award_criteria_weights or {}) do
      criteria[#criteria + 1] = { type = c.type, name = c.name, weight = c.weight }
      if c.type == "climateEnvironment" and type(c.weight) == "number" then
        weight = weight + c.weight
      end
    end
    local exception = tender and tender.climate_exception
    local reason = exception and exception.reason
    local evidence = {
      climate_weight = weight,
      min_weight = params.min_weight,
      criteria = criteria,
      exception_reason = reason,
      exception_justification = exception and exception.justification,
    }
    if weight >= params.min_weight then
      return pass(string.format("Klima- og miljøhensyn er vektet %s prosent (minst %s).",
        text.number(weight), text.number(params.min_weight)), evidence)
    end
    if EXCEPTIONS[reason] and justified(exception.justification) then
      return pass("Unntak fra vektingen er brukt og begrunnet: " .. EXCEPTIONS[reason] .. ".",
        evidence)
    end
    local missing
    if reason == nil then
      missing = "Det er heller ikke oppgitt noe unntak (tender.climateException)."
    elseif not EXCEPTIONS[reason] then
      missing = "Unntaket «" .. tostring(reason) .. "» er ikke et av unntakene i § 7-9."
    else
      missing = "Unntaket (" .. EXCEPTIONS[reason] .. ") er ikke begrunnet: "
        .. "climateException.justification mangler eller er kortere enn 20 tegn."
    end
    return fail(string.format("Klima- og miljøhensyn er vektet %s prosent i "
      .. "tildelingskriteriene, men skal vektes minst %s prosent (FOA § 7-9). ",
      text.number(weight), text.number(params.min_weight)) .. missing, evidence)
  end,
}
