rule {
  id = "demo.today",
  title = "Dato",
  source = "test: clock and paths",
  stages = { "planning", "tender", "award", "contract" },
  severity = "info",
  check = function(p)
    return info("today " .. today() .. " relevant " .. p.relevant_date .. " title "
      .. tostring(p:get("tender/title")) .. " buyer " .. tostring(p.buyer.municipality_code))
  end,
}
