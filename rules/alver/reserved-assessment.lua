-- Delmål 5, tiltak 1: when a purchase is planned, assess whether the contract can be
-- reserved (FOA on reserved contracts), and justify the conclusion. Missing at planning:
-- a reminder; missing when the competition opens: fail (and the move is refused).
local assessment = require "anbud.assessment"

local GAP = {
  missing = "manglar",
  no_conclusion = "har ingen konklusjon (suitable må vere true eller false)",
  not_justified = "er ikkje grunngjeven (justification må ha minst 20 teikn)",
}

rule {
  id = "alver.reserved-assessment",
  title = "Vurdering av reservert kontrakt",
  source = "Innkjøpsstrategi for Alver kommune 2020–2025, delmål 5, prioritert tiltak 1: «Ved "
    .. "planlegging av eit innkjøp skal det gjerast ei vurdering av om kontrakten kan egne seg "
    .. "som ei reservert kontrakt etter reglane om slike kontraktar i anskaffingsforskrifta. "
    .. "Konklusjonen skal grunngjevast, anten i innkjøpsprotokoll eller i eige notat.» "
    .. "Fotnote 2: «Anskaffing er brukt i dette dokumentet om innkjøp over kr 100 000».",
  stages = { "planning", "tender" },
  gate = { "tender" },
  severity = "error",
  params = { min_value = 100000 },
  applies = function(p, params)
    if type(p.value) ~= "number" or p.value <= 0 then
      return false, "Verdien er ikkje anslått; sjå no.estimated-value."
    end
    return p.value >= params.min_value, "Anslått verdi " .. kr(p.value) .. " er under "
      .. kr(params.min_value) .. "; strategien gjeld anskaffingar frå " .. kr(params.min_value)
      .. "."
  end,
  check = function(p)
    local c = assessment.chain(p.tender)
    local evidence = assessment.evidence(c)
    if c.reserved_gap then
      local msg = "Vurderinga av om kontrakten kan vere ein reservert kontrakt "
        .. "(tender.reservedAssessment) " .. GAP[c.reserved_gap] .. ". Alver kommune skal "
        .. "vurdere reservert kontrakt ved planlegging av kvart innkjøp og grunngje "
        .. "konklusjonen (delmål 5, tiltak 1)."
      if p.stage == "planning" then
        return warn(msg .. " Gjer vurderinga før konkurransen vert kunngjord.", evidence)
      end
      return fail(msg, evidence)
    end
    if c.reserved.suitable and #c.reserved_participation == 0 then
      return warn("Kontrakten er vurdert som eigna som reservert kontrakt, men konkurransen er "
        .. "ikkje reservert (tender.otherRequirements.reservedParticipation er tom). Reserver "
        .. "konkurransen, eller grunngje kvifor ikkje.", evidence)
    end
    if c.reserved.suitable then
      return pass("Reservert kontrakt er vurdert som eigna og konkurransen er reservert ("
        .. table.concat(c.reserved_participation, ", ") .. ").", evidence)
    end
    return pass("Reservert kontrakt er vurdert som ikkje eigna, med grunngjeving. Sjå "
      .. "alver.inclusive-assessment for inkluderande kontrakt.", evidence)
  end,
}
