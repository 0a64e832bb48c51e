-- hostile: replaces table.concat
rule {
  id = "h.table-library",
  title = "hostile table-library",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    table.concat = function() return "PWNED" end
    return pass("tampered")
  end,
}
