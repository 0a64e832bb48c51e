-- Lærlingforskriften: works contracts and service contracts in industries with a need for
-- apprentices, above the threshold and longer than three months, must require the
-- supplier to use apprentices. From 2025-08-01 the clause must also set a share of the
-- work (at least 10 per cent of the hours).
local apprentice = require "anbud.apprentice"
local thresholds = require "anbud.thresholds"

local REASON = {
  category = "Lærlingkravet gjelder bygge- og anleggskontrakter og tjenestekontrakter med "
    .. "CPV-kode i bransjer med behov for læreplasser; denne anskaffelsen er ingen av delene.",
  value = "Anslått verdi er ukjent eller under terskelen for lærlingkravet.",
  duration = "Kontrakten varer ikke lenger enn tre måneder (90 dager).",
}

rule {
  id = "no.apprentices",
  title = "Krav om bruk av lærlinger",
  source = "Forskrift om plikt til å stille krav om bruk av lærlinger i offentlige kontrakter "
    .. "(lærlingforskriften) §§ 3, 5 og 6: bygge- og anleggskontrakter og tjenestekontrakter "
    .. "i bransjer med særlig behov for læreplasser, med verdi fra EØS-terskelverdien for "
    .. "varer og tjenester og varighet over tre måneder, skal ha krav om bruk av lærlinger; "
    .. "etter endringen med virkning fra 1. august 2025 skal minst ti prosent av arbeidet "
    .. "utføres av lærlinger (minst én lærling).",
  stages = { "tender" },
  severity = "error",
  params = {
    -- an amount, or the name of a threshold parameter of the set
    min_value = "eea_goods_services",
    min_days = 90,
    cpv_prefixes = { "50", "55", "77", "90" },
    -- the share of the hours the clause must name; 0 = no share required before the change
    min_share = by_date {
      { "2017-01-01", 0, source = "lærlingforskriften slik den lød før endringen i 2025" },
      { "2025-08-01", 0.10, source = "lærlingforskriften § 6 som endret, i kraft 2025-08-01" },
    },
  },
  applies = function(p, params)
    local min_value = thresholds.amount(params, "min_value")
    local why = apprentice.scope(p, params.cpv_prefixes, min_value, params.min_days)
    if why == "value" and type(p.value) == "number" then
      return false, "Anslått verdi " .. kr(p.value) .. " er under terskelen for lærlingkravet ("
        .. kr(min_value) .. ")."
    end
    return why == nil, REASON[why]
  end,
  check = function(p, params)
    local min_value = thresholds.amount(params, "min_value")
    local _, facts = apprentice.scope(p, params.cpv_prefixes, min_value, params.min_days)
    local req = apprentice.requirement(p.tender)
    facts.requirement = req
    facts.min_share = params.min_share
    if not req.required then
      local when = facts.duration_days == nil
        and " (kontraktens varighet er ikke oppgitt i tender.contractPeriod; kravet gjelder "
          .. "når den er over tre måneder)" or ""
      return fail("Krav om bruk av lærlinger mangler (tender.apprenticeRequirement.required). "
        .. "Kontrakten er omfattet av lærlingforskriften: anslått verdi " .. kr(p.value)
        .. " (terskel " .. kr(min_value) .. ")" .. when .. ".", facts)
    end
    local share = req.min_share_of_hours
    if params.min_share > 0 and (type(share) ~= "number" or share < params.min_share) then
      return fail("Lærlingkravet oppgir "
        .. (type(share) == "number" and ("en andel på " .. percent(share)) or "ingen andel")
        .. " av timene; fra 1. august 2025 skal minst " .. percent(params.min_share)
        .. " av arbeidet utføres av lærlinger (tender.apprenticeRequirement.minShareOfHours).",
        facts)
    end
    return pass("Krav om bruk av lærlinger er stilt"
      .. (type(share) == "number" and (", med minst " .. percent(share) .. " av timene") or "")
      .. ".", facts)
  end,
}
