-- hostile: recurses without end under pcall
rule {
  id = "h.deep-recursion-pcall",
  title = "hostile deep-recursion-pcall",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local function f(n) local ok = pcall(f, n + 1) return f(n + 1) end
    return pass(tostring(f(1)))
  end,
}
