-- hostile: returns nothing
rule {
  id = "h.returns-nothing",
  title = "hostile returns-nothing",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local _ = p
  end,
}
