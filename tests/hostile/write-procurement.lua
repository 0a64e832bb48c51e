-- hostile: writes to the procurement
rule {
  id = "h.write-procurement",
  title = "hostile write-procurement",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    p.ocid = "ocds-pwned"
    return pass("written")
  end,
}
