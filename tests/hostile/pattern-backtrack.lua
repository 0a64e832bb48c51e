-- hostile: matches a pattern that backtracks for hours
rule {
  id = "h.pattern-backtrack",
  title = "hostile pattern-backtrack",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local s = string.rep("a", 50000)
    return pass(tostring(s:find(".-.-.-.-.-b")))
  end,
}
