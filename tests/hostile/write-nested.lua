-- hostile: writes to a nested object
rule {
  id = "h.write-nested",
  title = "hostile write-nested",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    p.tender.title = "PWNED"
    return pass("written")
  end,
}
