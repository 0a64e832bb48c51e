-- hostile: raises a 10 MB error message
rule {
  id = "h.error-huge-message",
  title = "hostile error-huge-message",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    error(string.rep("x", 1e7))
  end,
}
