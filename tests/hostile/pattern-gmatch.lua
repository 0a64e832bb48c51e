-- hostile: backtracks in gmatch
rule {
  id = "h.pattern-gmatch",
  title = "hostile pattern-gmatch",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local n = 0
    for w in ("a"):rep(30000):gmatch("a-a-a-a-b") do n = n + 1 end
    return pass(n .. "")
  end,
}
