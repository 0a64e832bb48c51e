-- hostile: returns text instead of an outcome
rule {
  id = "h.returns-string",
  title = "hostile returns-string",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    return "pass"
  end,
}
