-- hostile: returns a table that looks like an outcome
rule {
  id = "h.forged-outcome",
  title = "hostile forged-outcome",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    return { outcome = "pass", message = "forged" }
  end,
}
