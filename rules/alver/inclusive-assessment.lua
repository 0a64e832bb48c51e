-- Delmål 5, tiltak 2-3: when the contract is not suited as a reserved contract, assess
-- whether it suits an inclusive contract (a share of staff with reduced working capacity
-- or other difficulties on the labour market), and justify the conclusion.
local assessment = require "anbud.assessment"

local GAP = {
  missing = "manglar",
  no_conclusion = "har ingen konklusjon (suitable må vere true eller false)",
  not_justified = "er ikkje grunngjeven (justification må ha minst 20 teikn)",
}

rule {
  id = "alver.inclusive-assessment",
  title = "Vurdering av inkluderande kontrakt",
  source = "Innkjøpsstrategi for Alver kommune 2020–2025, delmål 5, prioritert tiltak 2: "
    .. "«Dersom kontrakten ikkje egnar seg som ein reservert kontrakt, skal det gjerast ei "
    .. "vurdering av om kontrakten egnar seg som ein inkluderande kontrakt. [...] Konklusjonen "
    .. "skal grunngjevast, anten i innkjøpsprotokoll eller i eige notat.» Tiltak 3: «Dersom "
    .. "korkje reservert kontrakt eller inkluderande kontrakt vert vurdert som egna, vert "
    .. "innkjøpet utlyst på vanleg måte».",
  stages = { "planning", "tender" },
  gate = { "tender" },
  severity = "error",
  params = { min_value = 100000 },
  applies = function(p, params)
    if type(p.value) ~= "number" or p.value <= 0 then
      return false, "Verdien er ikkje anslått; sjå no.estimated-value."
    end
    if p.value < params.min_value then
      return false, "Anslått verdi " .. kr(p.value) .. " er under " .. kr(params.min_value)
        .. "; strategien gjeld anskaffingar frå " .. kr(params.min_value) .. "."
    end
    local c = assessment.chain(p.tender)
    if not c.reserved.concluded then
      return false, "Vurderinga av reservert kontrakt er ikkje konkludert enno; sjå "
        .. "alver.reserved-assessment."
    end
    return c.needs_inclusive, "Kontrakten er vurdert som eigna som reservert kontrakt, så "
      .. "inkluderande kontrakt treng ikkje vurderast."
  end,
  check = function(p)
    local c = assessment.chain(p.tender)
    local evidence = assessment.evidence(c)
    if c.inclusive_gap then
      local msg = "Reservert kontrakt er vurdert som ikkje eigna. Då skal det vurderast om "
        .. "kontrakten egnar seg som inkluderande kontrakt, men den vurderinga "
        .. "(tender.inclusiveAssessment) " .. GAP[c.inclusive_gap] .. " (delmål 5, tiltak 2)."
      if p.stage == "planning" then
        return warn(msg .. " Gjer vurderinga før konkurransen vert kunngjord.", evidence)
      end
      return fail(msg, evidence)
    end
    if c.inclusive.suitable and not c.inclusive_requirement then
      return warn("Kontrakten er vurdert som eigna som inkluderande kontrakt, men konkurransen "
        .. "har ikkje noko krav om inkludering (tender.inclusiveRequirement med del av dei "
        .. "tilsette eller skildring). "
        .. (p.stage == "planning" and "Set kravet inn i konkurransegrunnlaget før kunngjering."
          or "Set kravet inn, eller grunngje kvifor ikkje."), evidence)
    end
    if c.inclusive.suitable then
      return pass("Inkluderande kontrakt er vurdert som eigna, og konkurransen har krav om "
        .. "inkludering.", evidence)
    end
    return pass("Inkluderande kontrakt er vurdert som ikkje eigna, med grunngjeving; "
      .. "innkjøpet vert utlyst på vanleg måte (delmål 5, tiltak 3).", evidence)
  end,
}
