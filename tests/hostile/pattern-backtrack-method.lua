-- hostile: backtracks through the string metatable
rule {
  id = "h.pattern-backtrack-method",
  title = "hostile pattern-backtrack-method",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local s = ("a"):rep(20000)
    return pass(tostring(s:match("a*a*a*a*a*b")))
  end,
}
