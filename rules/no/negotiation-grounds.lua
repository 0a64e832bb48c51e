-- FOA § 13-2 (1): above the EEA threshold, competition with negotiation and competitive
-- dialogue are allowed only on the grounds in letters a to d.
local thresholds = require "anbud.thresholds"

local GROUNDS = {
  adaptation = "a) behovet kan ikke dekkes uten tilpasning av tilgjengelige løsninger",
  designOrInnovation = "b) anskaffelsen omfatter design eller innovative løsninger",
  complexity = "c) kontrakten kan ikke tildeles uten forhandlinger på grunn av særlige forhold "
    .. "ved art, kompleksitet, rettslig eller finansiell struktur eller risiko",
  specification = "d) de tekniske spesifikasjonene kan ikke utarbeides med tilstrekkelig "
    .. "presisjon",
}

local PROCEDURES = { negotiated = "konkurranse med forhandling",
  dialogue = "konkurransepreget dialog" }

rule {
  id = "no.negotiation-grounds",
  title = "Grunnlag for konkurranse med forhandling eller konkurransepreget dialog",
  source = "Anskaffelsesforskriften (FOA) § 13-2 første ledd bokstav a–d: over "
    .. "EØS-terskelverdien kan oppdragsgiveren bruke konkurranse med forhandling eller "
    .. "konkurransepreget dialog bare når ett av vilkårene i bokstav a til d er oppfylt.",
  stages = { "tender" },
  severity = "error",
  applies = function(p, params)
    local procedure = p.tender and p.tender.procedure_type
    if not PROCEDURES[procedure] then
      return false, "Prosedyren er verken konkurranse med forhandling eller konkurransepreget "
        .. "dialog (tender.procedureType)."
    end
    local eea = thresholds.eea(p, params)
    return thresholds.at_least(p, eea), "Anslått verdi er ukjent eller under "
      .. "EØS-terskelverdien (" .. kr(eea) .. "); FOA § 13-2 gjelder del III."
  end,
  check = function(p)
    local tender = p.tender
    local ground = tender.negotiation_justification
    local evidence = { procedure_type = tender.procedure_type, negotiation_justification = ground,
      value = p.value }
    local procedure = PROCEDURES[tender.procedure_type]
    if GROUNDS[ground] then
      return pass("Grunnlaget for " .. procedure .. " er FOA § 13-2 (1) " .. GROUNDS[ground]
        .. ".", evidence)
    end
    local valid = {}
    for _, k in ipairs({ "adaptation", "designOrInnovation", "complexity", "specification" }) do
      valid[#valid + 1] = k
    end
    return fail("Anskaffelsen bruker " .. procedure .. " over EØS-terskelverdien, men "
      .. (ground == nil and "grunnlaget er ikke oppgitt"
        or ("grunnlaget «" .. tostring(ground) .. "» er ikke et av vilkårene"))
      .. " i FOA § 13-2 (1) a–d. Oppgi tender.negotiationJustification som en av "
      .. table.concat(valid, ", ") .. ".", evidence)
  end,
}
