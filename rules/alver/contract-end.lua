-- Delmål 4: Alver keeps an overview of which agreements must be renewed in time; a
-- contract without an end date cannot be renewed in time (see alver.renewal).
rule {
  id = "alver.contract-end",
  title = "Kontrakten har sluttdato",
  source = "Innkjøpsstrategi for Alver kommune 2020–2025, delmål 4: «Alver kommune skal til ei "
    .. "kvar tid ha ei god og tilgjengeleg oversikt over kva innkjøpsavtaler som er inngått og "
    .. "kva avtaler som skal fornyast til rett tid.»",
  stages = { "contract" },
  severity = "error",
  check = function(p)
    local rows, missing = {}, {}
    for i, c in ipairs(p.contracts or {}) do
      rows[#rows + 1] = { contract = c.id or i, start_date = c.start_date, end_date = c.end_date }
      if date(c.end_date) == nil then
        missing[#missing + 1] = tostring(c.title or ("kontrakt " .. tostring(c.id or i)))
      end
    end
    local evidence = { contracts = rows }
    if #rows == 0 then
      return na("Prosessen har ingen kontraktar enno.")
    end
    if #missing > 0 then
      return fail("Sluttdato manglar for " .. table.concat(missing, ", ")
        .. " (contracts[].period.endDate). Utan sluttdato kan ikkje avtalen fornyast til rett "
        .. "tid (delmål 4).", evidence)
    end
    local ends = {}
    for _, r in ipairs(rows) do
      ends[#ends + 1] = r.end_date:sub(1, 10)
    end
    return pass("Kontrakten har sluttdato " .. table.concat(ends, ", ") .. ".", evidence)
  end,
}
