-- Walks every field of the procurement objects through the bindings: pairs, #, indexing by
-- every key pairs gives and by each computed field, tostring, p:get with the paths found,
-- p:others(), and objects handed back as evidence. Used by fuzz/fuzz_bindings.c.
local FIELDS = { "ocid", "stage", "value", "category", "method", "title",
  "relevant_date", "first_date", "municipality", "buyer", "tender", "awards",
  "contracts", "parties", "bids", "cpv_codes", "cpv_groups", "duration_days",
  "is_framework", "org_number", "municipality_code", "scale",
  "approved_apprentice_company", "sheltered_workshop", "is_local", "hour_reports",
  "manager", "start_date", "end_date", "name", "id", "details", "identifier",
  "suppliers", "tenderers", "items", "value", "amount", "award_id", "get", "others" }
rule {
  id = "fz.walk", title = "walk", source = "fuzz/fuzz_bindings.c", severity = "info",
  stages = { "planning", "tender", "award", "contract", "implementation", "closed" },
  check = function(p, params)
    local n, paths = 0, {}
    local function walk(v, depth, path)
      n = n + 1
      if n > 3000 or depth > 10 or type(v) ~= "userdata" then return end
      local len = #v
      local _ = tostring(v) .. len
      _ = v[0], v[-1], v[len + 1], v[1.5], v[true], v[""], v["_"], v["__index"]
      for _, f in ipairs(FIELDS) do
        local x = v[f]
        if depth < 2 then walk(x, depth + 1, path .. "/" .. f) end
      end
      for k, x in pairs(v) do
        local seg = tostring(k)
        if #seg >= 100 then seg = "?" end -- get() refuses path segments of 128 bytes or more
        if #paths < 300 then paths[#paths + 1] = path .. "/" .. seg end
        _ = v[k]
        walk(x, depth + 1, path .. "/" .. seg)
      end
      for i, x in ipairs(v) do walk(x, depth + 1, path .. "/" .. i) end
    end
    walk(p, 0, "")
    for _, path in ipairs(paths) do
      walk(p:get(path), 8, path)
      walk(p:get(path:sub(2)), 9, path)
    end
    for _, o in ipairs(p:others()) do walk(o, 7, "") end
    for _, o in ipairs(p:others { municipality = "4601" }) do walk(o, 8, "") end
    local contracts = p.contracts
    for _, c in ipairs(type(contracts) == "userdata" and contracts or {}) do
      if type(c) == "userdata" then walk(c.hour_reports, 8, ""); walk(c.manager, 9, "") end
    end
    return info("walked " .. n, { n = n, tender = p.tender, parties = p.parties,
      value = p.value, cpv = p.cpv_codes, groups = p.cpv_groups })
  end,
}
