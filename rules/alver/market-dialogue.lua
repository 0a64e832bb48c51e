-- Delmål 3, tiltak 3: market dialogue before the notice "der det er formålstenlege"; a
-- person judges when it is not, so a missing dialogue is a warning.
local thresholds = require "anbud.thresholds"

rule {
  id = "alver.market-dialogue",
  title = "Marknadsdialog før kunngjering",
  source = "Innkjøpsstrategi for Alver kommune 2020–2025, delmål 3, prioritert tiltak 3: "
    .. "«Marknadsdialog skal brukast aktiv før kunngjering der det er formålstenlege.»",
  stages = { "tender" },
  severity = "warning",
  applies = function(p, params)
    if not thresholds.known(p) then
      return false, "Verdien er ikkje anslått; sjå no.estimated-value."
    end
    return thresholds.at_least(p, params.national_threshold), "Anslått verdi " .. kr(p.value)
      .. " er under den nasjonale terskelverdien (" .. kr(params.national_threshold) .. ")."
  end,
  check = function(p)
    local d = p.tender.market_dialogue
    local evidence = { held = d and d.held, date = d and d.date }
    if d and d.held == true then
      return pass("Marknadsdialog er halden" .. (d.date and (" (" .. d.date:sub(1, 10) .. ")")
        or "") .. ".", evidence)
    end
    return warn("Det er ikkje registrert marknadsdialog før kunngjeringa "
      .. "(tender.marketDialogue.held). Strategien seier at marknadsdialog skal brukast aktivt "
      .. "der det er formålstenleg; skriv i protokollen kvifor det ikkje var det.", evidence)
  end,
}
