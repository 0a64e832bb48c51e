-- Delmål 2, tiltak 3: every procurement under LOA/FOA runs in the competition tool, so
-- tenders arrive electronically.
local submission = require "anbud.submission"

rule {
  id = "alver.competition-tool",
  title = "Konkurransen går i konkurransegjennomføringsverktøy",
  source = "Innkjøpsstrategi for Alver kommune 2020–2025, delmål 2, prioritert tiltak 3: «Alle "
    .. "anskaffingar omfatta av LOA og FOA vil bli gjennomført ved bruka av "
    .. "konkurransegjennomføringsverktøy.» Fotnote 2: «Anskaffing er brukt i dette dokumentet "
    .. "om innkjøp over kr 100 000».",
  stages = { "tender" },
  severity = "error",
  params = { min_value = 100000 },
  applies = function(p, params)
    if type(p.value) ~= "number" or p.value <= 0 then
      return false, "Verdien er ikkje anslått; sjå no.estimated-value."
    end
    return p.value >= params.min_value, "Anslått verdi " .. kr(p.value) .. " er under "
      .. kr(params.min_value) .. "."
  end,
  check = function(p)
    local electronic, methods = submission.is_electronic(p.tender)
    local evidence = { submission_method = methods }
    if electronic then
      return pass("Tilbod vert levert elektronisk (electronicSubmission).", evidence)
    end
    return fail("Konkurransen tek ikkje imot tilbod elektronisk: tender.submissionMethod "
      .. (#methods == 0 and "er ikkje oppgjeven" or ("er " .. table.concat(methods, ", ")))
      .. ", men skal innehalde electronicSubmission. Alle anskaffingar etter LOA og FOA skal "
      .. "gjennomførast i konkurransegjennomføringsverktøyet (delmål 2, tiltak 3).", evidence)
  end,
}
