-- Bergen runs every competition in its electronic tool (KGV); tenders arrive electronically.
local submission = require "anbud.submission"
local thresholds = require "anbud.thresholds"

rule {
  id = "bergen.electronic-submission",
  title = "Konkurransen gjennomføres elektronisk (KGV)",
  source = "Anskaffelsesstrategi for Bergen kommune 2022–2025, Satsingsområde 2, mål på at vi "
    .. "lykkes: «Alle konkurranser gjennomføres elektronisk i kommunens "
    .. "konkurransegjennomføringsverktøy (KGV).» Strategien: «Fra 2018 ble elektronisk "
    .. "konkurransegjennomføring obligatorisk.»",
  stages = { "tender" },
  severity = "error",
  applies = function(p, params)
    if not thresholds.known(p) then
      return false, "Verdien er ikke anslått; se no.estimated-value."
    end
    if thresholds.at_least(p, params.regulation_floor) then
      return true
    end
    return false, "Anslått verdi " .. kr(p.value)
      .. " er under " .. kr(params.regulation_floor) .. "."
  end,
  check = function(p)
    local electronic, methods = submission.is_electronic(p.tender)
    local evidence = { submission_method = methods }
    if electronic then
      return pass("Tilbud leveres elektronisk (electronicSubmission).", evidence)
    end
    return fail("Konkurransen tar ikke imot tilbud elektronisk: tender.submissionMethod "
      .. (#methods == 0 and "er ikke oppgitt" or ("er " .. table.concat(methods, ", ")))
      .. ", men skal inneholde electronicSubmission. Bergen kommune gjennomfører alle "
      .. "konkurranser i konkurransegjennomføringsverktøyet (KGV).", evidence)
  end,
}
