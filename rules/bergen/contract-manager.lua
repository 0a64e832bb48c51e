-- Every contract has a named contract manager (kontraktsforvalter) registered.
rule {
  id = "bergen.contract-manager",
  title = "Kontraktsforvalter er registrert",
  source = "Anskaffelsesstrategi for Bergen kommune 2022–2025, Satsingsområde 2, mål på at vi "
    .. "lykkes: «Alle kontrakter har en kontraktsforvalter fra sin organisasjonslinje "
    .. "registrert i kontraktadministrasjonsverktøyet.»",
  stages = { "contract", "implementation" },
  severity = "error",
  check = function(p)
    local rows, missing = {}, {}
    for i, c in ipairs(p.contracts or {}) do
      local m = c.manager
      local name = m and type(m.name) == "string" and trim(m.name) ~= "" and trim(m.name) or nil
      rows[#rows + 1] = { contract = c.id or i, title = c.title, manager = name }
      if not name then
        missing[#missing + 1] = tostring(c.title or ("kontrakt " .. tostring(c.id or i)))
      end
    end
    local evidence = { contracts = rows }
    if #rows == 0 then
      return na("Prosessen har ingen kontrakter ennå.")
    end
    if #missing > 0 then
      return fail("Kontraktsforvalter mangler for " .. table.concat(missing, ", ")
        .. ". Registrer en kontraktsforvalter med navn (contracts[].contractManager.name).",
        evidence)
    end
    local names = {}
    for _, r in ipairs(rows) do
      names[#names + 1] = r.manager
    end
    return pass("Kontraktsforvalter er registrert: " .. table.concat(names, ", ") .. ".",
      evidence)
  end,
}
