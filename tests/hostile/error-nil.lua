-- hostile: raises nil
rule {
  id = "h.error-nil",
  title = "hostile error-nil",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    error(nil)
  end,
}
