-- hostile: counts to infinity
rule {
  id = "h.endless-numeric-for",
  title = "hostile endless-numeric-for",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local n = 0
    for i = 1, math.huge do n = n + i end
    return pass(tostring(n))
  end,
}
