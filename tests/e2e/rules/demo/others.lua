rule {
  id = "demo.others",
  title = "Andre prosessar",
  source = "test: store",
  stages = { "planning", "tender", "award", "contract" },
  severity = "info",
  check = function(p)
    local ids = {}
    for _, o in ipairs(p:others()) do
      ids[#ids + 1] = o.ocid .. "@" .. o.stage
    end
    table.sort(ids)
    return info(#ids .. " andre: " .. table.concat(ids, " "), { others = ids })
  end,
}
