-- hostile: raises a table
rule {
  id = "h.error-table",
  title = "hostile error-table",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    error({ code = 1 })
  end,
}
