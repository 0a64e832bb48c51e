-- hostile: reads the environment
rule {
  id = "h.os-getenv",
  title = "hostile os-getenv",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    return pass(os.getenv("HOME"))
  end,
}
