-- hostile: catches memory errors and keeps allocating
rule {
  id = "h.memory-swallow",
  title = "hostile memory-swallow",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local keep = {}
    while true do pcall(function() keep[#keep + 1] = string.rep("z", 1e6) end) end
  end,
}
