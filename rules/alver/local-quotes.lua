-- Delmål 3, tiltak 1: for purchases under 100 000 kr, ask at least three local suppliers
-- for a price quote "der det er mogeleg og formålstenlege". A supplier asked twice counts
-- once; a request counts whether it was answered or not. Fewer than three with a written
-- reason: warn (a person judges the reason); without one: fail.
local suppliers = require "anbud.suppliers"
local text = require "anbud.text"

rule {
  id = "alver.local-quotes",
  title = "Pristilbod frå minst tre lokale leverandørar",
  source = "Innkjøpsstrategi for Alver kommune 2020–2025, delmål 3, prioritert tiltak 1: «Ved "
    .. "kjøp under kr 100 000 skal kommunen, der det er mogeleg og formålstenlege, søke "
    .. "pristilbod frå min. 3 lokale leverandørar.»",
  stages = { "award", "contract" },
  severity = "error",
  params = { max_value = 100000, min_local = 3 },
  applies = function(p, params)
    if type(p.value) ~= "number" or p.value <= 0 then
      return false, "Verdien er ikkje anslått (tender.value.amount), så det er uklart om "
        .. "kjøpet er under " .. kr(params.max_value) .. "; sjå no.estimated-value."
    end
    return p.value < params.max_value, "Anslått verdi " .. kr(p.value) .. " er ikkje under "
      .. kr(params.max_value) .. "; tiltaket gjeld kjøp under " .. kr(params.max_value) .. "."
  end,
  check = function(p, params)
    local q = suppliers.quotes(p.tender)
    local local_names = map(q.local_ones, suppliers.label)
    local evidence = {
      requests = q.requests,
      local_suppliers = map(q.local_ones, suppliers.plain),
      other_suppliers = map(q.others, suppliers.plain),
      asked_more_than_once = map(q.repeated, suppliers.label),
      min_local = params.min_local,
      justification = p.tender.local_quotes_justification,
    }
    local n = #q.local_ones
    local twice = ""
    if #q.repeated > 0 then
      twice = " " .. text.and_list(map(q.repeated, suppliers.label)) .. " er spurd meir enn "
        .. "éin gong, men tel berre éin gong."
    end
    if n >= params.min_local then
      return pass("Pristilbod er bede om frå " .. n .. " lokale leverandørar: "
        .. text.and_list(local_names) .. "." .. twice, evidence)
    end
    local counted
    if q.requests == 0 then
      counted = "Det er ikkje registrert nokon førespurnad om pristilbod (tender.quoteRequests)."
    else
      local others = ""
      if #q.others == 1 then
        others = "; 1 annan leverandør er ikkje lokal eller manglar kommunenummer"
      elseif #q.others > 1 then
        others = "; " .. #q.others .. " andre er ikkje lokale eller manglar kommunenummer"
      end
      counted = "Berre " .. n .. (n == 1 and " lokal leverandør er spurd" or
        " lokale leverandørar er spurde") .. " om pristilbod"
        .. (n > 0 and (" (" .. text.and_list(local_names) .. ")") or "") .. others .. "."
        .. twice
    end
    if justified(p.tender.local_quotes_justification) then
      return warn(counted .. " Strategien krev minst " .. params.min_local .. " lokale der "
        .. "det er mogeleg og formålstenleg, og grunngjevinga i "
        .. "tender.localQuotesJustification må vurderast av ein person.", evidence)
    end
    return fail(counted .. " Alver kommune skal søkje pristilbod frå minst "
      .. params.min_local .. " lokale leverandørar (delmål 3, tiltak 1). Spør fleire, eller "
      .. "grunngje i tender.localQuotesJustification kvifor det ikkje var mogeleg eller "
      .. "formålstenleg.", evidence)
  end,
}
