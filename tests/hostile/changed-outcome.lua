-- hostile: changes an outcome after making it
rule {
  id = "h.changed-outcome",
  title = "hostile changed-outcome",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local o = pass("x")
    o.outcome = "bogus"
    return o
  end,
}
