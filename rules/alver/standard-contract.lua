-- Delmål 4, tiltak 5: as a main rule, Alver uses its own standard contracts.
rule {
  id = "alver.standard-contract",
  title = "Alver kommune sin standardkontrakt er nytta",
  source = "Innkjøpsstrategi for Alver kommune 2020–2025, delmål 4, prioritert tiltak 5: "
    .. "«Alver kommune skal som hovudregel nytta eigne standardiserte kontraktar.»",
  stages = { "contract" },
  severity = "warning",
  check = function(p)
    local rows, other = {}, {}
    for i, c in ipairs(p.contracts or {}) do
      local t = c.template
      local standard = t ~= nil and t.standard == true
      rows[#rows + 1] = { contract = c.id or i, standard = standard, template = t and t.name }
      if not standard then
        other[#other + 1] = tostring(c.title or ("kontrakt " .. tostring(c.id or i)))
          .. (t and t.name and (" (mal: " .. t.name .. ")") or "")
      end
    end
    local evidence = { contracts = rows }
    if #rows == 0 then
      return na("Prosessen har ingen kontraktar enno.")
    end
    if #other > 0 then
      return warn("Kommunen sin eigen standardkontrakt er ikkje nytta for "
        .. table.concat(other, ", ") .. " (contracts[].template.standard). Hovudregelen er "
        .. "eigne standardiserte kontraktar; skriv i protokollen kvifor ein annan mal er nytta.",
        evidence)
    end
    return pass("Kommunen sin standardkontrakt er nytta"
      .. (rows[1].template and (" (" .. rows[1].template .. ")") or "") .. ".", evidence)
  end,
}
