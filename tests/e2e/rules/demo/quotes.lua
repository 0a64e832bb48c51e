rule {
  id = "demo.quotes",
  title = "Lokale tilbod",
  source = "test: objects",
  stages = { "award" },
  severity = "error",
  params = { min = 3 },
  check = function(p, params)
    local seen, n = {}, 0
    for _, q in ipairs(p.tender.quote_requests or {}) do
      local s = q.supplier
      if s and s.is_local and not seen[s.org_number] then
        seen[s.org_number] = true
        n = n + 1
      end
    end
    if n >= params.min then
      return pass(n .. " lokale", { count = n })
    end
    return fail(n .. " lokale, krav " .. params.min, { count = n, today = today() })
  end,
}
