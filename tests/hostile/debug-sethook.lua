-- hostile: removes the budget hook
rule {
  id = "h.debug-sethook",
  title = "hostile debug-sethook",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    debug.sethook()
    while true do end
  end,
}
