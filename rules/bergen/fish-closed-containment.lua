-- Merknad 4: when Bergen buys fish, consider giving priority to fish from closed farms or
-- wild catch. A reminder (info) for procurements with fish among their CPV codes.
rule {
  id = "bergen.fish-closed-containment",
  title = "Fisk fra lukkede anlegg eller villfisk",
  source = "Bystyrets merknad 4 til Anskaffelsesstrategi for Bergen kommune 2022–2025: "
    .. "«Bystyret ber byrådet om å støtte opp om utviklingen i retning av utslippsfrie "
    .. "oppdrettsanlegg gjennom å vurdere hvordan Bergen kommune kan prioritere aktører som "
    .. "leverer fisk fra lukkede anlegg eller av villfisk.»",
  stages = { "planning", "tender" },
  severity = "info",
  params = { cpv_prefixes = { "03311", "152" } },
  applies = function(p, params)
    for _, code in ipairs(p.cpv_codes) do
      for _, prefix in ipairs(params.cpv_prefixes) do
        if code:sub(1, #prefix) == prefix then
          return true
        end
      end
    end
    return false, "Anskaffelsen gjelder ikke fisk (CPV 03311 eller 152)."
  end,
  check = function(p, params)
    local hits = {}
    for _, code in ipairs(p.cpv_codes) do
      for _, prefix in ipairs(params.cpv_prefixes) do
        if code:sub(1, #prefix) == prefix then
          hits[#hits + 1] = code
          break
        end
      end
    end
    return info("Anskaffelsen gjelder fisk (CPV " .. table.concat(hits, ", ") .. "). Vurder "
      .. "hvordan leverandører som leverer fisk fra lukkede oppdrettsanlegg eller villfisk kan "
      .. "prioriteres, for eksempel i kravspesifikasjonen eller tildelingskriteriene "
      .. "(bystyrets merknad 4).", { cpv_codes = hits })
  end,
}
