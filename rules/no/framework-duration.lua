-- FOA § 26-1: a framework agreement above the EEA threshold runs at most four years,
-- save in special cases, which a person must weigh (warn, not fail).
local thresholds = require "anbud.thresholds"

rule {
  id = "no.framework-duration",
  title = "Rammeavtalens varighet er høyst fire år",
  source = "Anskaffelsesforskriften (FOA) § 26-1: rammeavtaler over EØS-terskelverdien kan "
    .. "ikke ha lengre varighet enn fire år, med mindre det foreligger særlige forhold.",
  stages = { "tender" },
  severity = "warning",
  params = { max_years = 4 },
  applies = function(p, params)
    if not p.is_framework then
      return false, "Anskaffelsen er ikke en rammeavtale (tender.techniques."
        .. "hasFrameworkAgreement)."
    end
    local eea = thresholds.eea(p, params)
    return thresholds.at_least(p, eea), "Rammeavtalens anslåtte verdi er ukjent eller under "
      .. "EØS-terskelverdien (" .. kr(eea) .. ")."
  end,
  check = function(p, params)
    local period = p.tender.contract_period
    local start = period and period.start_date
    local finish = period and period.end_date
    local days = p.duration_days
    local evidence = { start_date = start, end_date = finish, duration_days = days,
      max_years = params.max_years }
    if date(start) and date(finish) then
      local limit = thresholds.add_years(start:sub(1, 10), params.max_years)
      evidence.latest_end_date = limit
      if date(finish) > date(limit) then
        return warn("Rammeavtalen varer fra " .. start:sub(1, 10) .. " til " .. finish:sub(1, 10)
          .. ", lenger enn " .. params.max_years .. " år (til " .. limit .. "). Lengre varighet "
          .. "krever særlige forhold (FOA § 26-1); begrunn dem i protokollen.", evidence)
      end
      return pass("Rammeavtalen varer til " .. finish:sub(1, 10) .. ", innenfor "
        .. params.max_years .. " år.", evidence)
    end
    if type(days) == "number" then
      local max_days = params.max_years * 365 + math.floor(params.max_years / 4)
      evidence.max_days = max_days
      if days > max_days then
        return warn("Rammeavtalen varer " .. days .. " dager, lenger enn " .. params.max_years
          .. " år. Lengre varighet krever særlige forhold (FOA § 26-1).", evidence)
      end
      return pass("Rammeavtalen varer " .. days .. " dager, innenfor " .. params.max_years
        .. " år.", evidence)
    end
    return warn("Rammeavtalens varighet er ikke oppgitt (tender.contractPeriod), så det kan "
      .. "ikke kontrolleres at den er høyst " .. params.max_years .. " år (FOA § 26-1).",
      evidence)
  end,
}
