-- Bergen's instruction on reserved and inclusive contracts: every procurement from the
-- regulation's floor first assesses a reserved contract and, when that is not suitable,
-- an inclusive one, each with a written justification. Missing at planning: a reminder
-- (warn); missing when the competition opens: fail, and the move to tender is refused.
local assessment = require "anbud.assessment"
local thresholds = require "anbud.thresholds"

local GAP = {
  missing = "mangler",
  no_conclusion = "har ingen konklusjon (suitable må være true eller false)",
  not_justified = "er ikke begrunnet (justification må ha minst 20 tegn)",
}

rule {
  id = "bergen.reserved-then-inclusive",
  title = "Vurdering av reservert og deretter inkluderende kontrakt",
  source = "Anskaffelsesstrategi for Bergen kommune 2022–2025 (bystyresak 195/22), Lokale "
    .. "føringer: «Instruks om prosedyre for bruk av reserverte og inkluderende kontrakter "
    .. "(byrådsvedtak 1198/17).» Strategien: «Foreløpig er resultatene gode på området for "
    .. "arbeidsinkludering der det foretas en prioritering av inkluderende kontrakter».",
  stages = { "planning", "tender" },
  gate = { "tender" },
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
    local c = assessment.chain(p.tender)
    local evidence = assessment.evidence(c)
    local problems = {}
    if c.reserved_gap then
      problems[#problems + 1] = "Vurderingen av reservert kontrakt (tender.reservedAssessment) "
        .. GAP[c.reserved_gap] .. "."
    elseif c.inclusive_gap then
      problems[#problems + 1] = "Reservert kontrakt er vurdert som ikke egnet; da skal det "
        .. "vurderes om kontrakten egner seg som inkluderende kontrakt, men den vurderingen "
        .. "(tender.inclusiveAssessment) " .. GAP[c.inclusive_gap] .. "."
    end
    if #problems > 0 then
      local text = problems[1] .. " Bergen kommunes instruks (byrådsvedtak 1198/17) krever en "
        .. "begrunnet vurdering av reservert kontrakt, og deretter av inkluderende kontrakt."
      if p.stage == "planning" then
        return warn(text .. " Gjør vurderingen før konkurransen kunngjøres.", evidence)
      end
      return fail(text, evidence)
    end
    if c.reserved.suitable then
      return pass("Reservert kontrakt er vurdert som egnet, med begrunnelse.", evidence)
    end
    return pass("Reservert kontrakt er vurdert som ikke egnet, og inkluderende kontrakt er "
      .. "vurdert som " .. (c.inclusive.suitable and "egnet" or "ikke egnet")
      .. ", begge med begrunnelse.", evidence)
  end,
}
