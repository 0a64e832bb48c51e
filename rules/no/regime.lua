-- Which part of the regulation governs the procurement, from its value and category on
-- its relevant date (RULES.md: thresholds by date, EEA threshold by category).
local thresholds = require "anbud.thresholds"

rule {
  id = "no.regime",
  title = "Hvilke regler som gjelder (terskelverdier)",
  source = "Anskaffelsesforskriften (FOA) §§ 5-1 og 5-3: del I fra 100 000 kr, del II fra "
    .. "nasjonal terskelverdi, del III fra EØS-terskelverdi (bygge- og anleggskontrakter "
    .. "har egen EØS-terskelverdi).",
  stages = { "planning", "tender" },
  severity = "info",
  applies = function(p)
    return thresholds.known(p), "Verdien er ikke anslått; se no.estimated-value."
  end,
  check = function(p, params)
    local value = p.value
    local eea, which = thresholds.eea(p, params)
    local works = which == "eea_works"
    local regime
    if value < params.regulation_floor then
      regime = "utenfor anskaffelsesforskriften"
    elseif value < params.national_threshold then
      regime = "FOA del I"
    elseif value < eea then
      regime = "FOA del I og II"
    else
      regime = "FOA del I og III"
    end
    return info(string.format("%s: anslått verdi %s. Terskelverdier %s: nasjonal %s, EØS %s (%s).",
      regime, kr(value), p.relevant_date, kr(params.national_threshold),
      kr(eea), works and "bygge- og anleggskontrakter" or "varer og tjenester"), {
        regime = regime,
        value = value,
        relevant_date = p.relevant_date,
        regulation_floor = params.regulation_floor,
        national_threshold = params.national_threshold,
        eea_threshold = eea,
        category = p.category,
      })
  end,
}
