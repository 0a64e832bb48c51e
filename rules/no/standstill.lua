-- FOA § 25-2: above the EEA threshold the contract may not be signed until the standstill
-- period (karensperiode) after the award decision has passed: at least 10 days.
local thresholds = require "anbud.thresholds"

-- the award a contract belongs to: by awardID, else the only award
local function award_of(p, contract)
  local wanted = contract.awardID
  local awards = p.awards or {}
  for _, a in ipairs(awards) do
    if wanted ~= nil and tostring(a.id) == tostring(wanted) then
      return a
    end
  end
  if #awards == 1 then
    return awards[1]
  end
  return nil
end

rule {
  id = "no.standstill",
  title = "Karensperioden er overholdt før kontraktsignering",
  source = "Anskaffelsesforskriften (FOA) § 25-2: over EØS-terskelverdien skal "
    .. "oppdragsgiveren gi leverandørene en karensperiode mellom meldingen om tildeling og "
    .. "kontraktsinngåelsen, på minst 10 dager.",
  stages = { "contract" },
  severity = "error",
  params = { min_days = 10 },
  applies = function(p, params)
    if not thresholds.known(p) then
      return false, "Verdien er ikke anslått; se no.estimated-value."
    end
    local eea = thresholds.eea(p, params)
    if thresholds.at_least(p, eea) then
      return true
    end
    return false, "Anslått verdi " .. kr(p.value)
      .. " er under EØS-terskelverdien (" .. kr(eea) .. "): karensperiode etter FOA § 25-2 "
      .. "kreves ikke."
  end,
  check = function(p, params)
    local rows, short, unknown = {}, {}, {}
    for i, c in ipairs(p.contracts or {}) do
      local a = award_of(p, c)
      local award_date = a and a.date
      local signed = c.date_signed
      local row = { contract = c.id or i, award = a and a.id, award_date = award_date,
        date_signed = signed }
      local label = "kontrakt " .. tostring(c.id or i)
      if date(award_date) and date(signed) then
        row.days = days_between(award_date, signed)
        if row.days < params.min_days then
          short[#short + 1] = label .. ": " .. row.days .. " dager (tildelt "
            .. award_date:sub(1, 10) .. ", signert " .. signed:sub(1, 10) .. ")"
        end
      else
        unknown[#unknown + 1] = label .. " mangler "
          .. (date(award_date) and "signeringsdato (contracts[].dateSigned)"
            or "tildelingsdato (awards[].date)")
      end
      rows[#rows + 1] = row
    end
    local evidence = { min_days = params.min_days, contracts = rows }
    if #rows == 0 then
      return fail("Ingen kontrakt er registrert, så karensperioden kan ikke kontrolleres.",
        evidence)
    end
    if #short > 0 then
      return fail("Kontrakten er signert før karensperioden på " .. params.min_days
        .. " dager var over (FOA § 25-2): " .. table.concat(short, "; ") .. ".", evidence)
    end
    if #unknown > 0 then
      return fail("Karensperioden kan ikke dokumenteres: " .. table.concat(unknown, "; ")
        .. ".", evidence)
    end
    return pass("Karensperioden er overholdt: minst " .. params.min_days
      .. " dager fra tildeling til signering.", evidence)
  end,
}
