-- hostile: recurses by tail call forever
rule {
  id = "h.endless-tail-call",
  title = "hostile endless-tail-call",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local function f(n) return f(n + 1) end
    return f(1)
  end,
}
