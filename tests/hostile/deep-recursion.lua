-- hostile: recurses without end
rule {
  id = "h.deep-recursion",
  title = "hostile deep-recursion",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local function f(n) return 1 + f(n + 1) end
    return pass(tostring(f(1)))
  end,
}
