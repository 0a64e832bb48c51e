-- hostile: loops forever catching the budget error
rule {
  id = "h.endless-loop-pcall",
  title = "hostile endless-loop-pcall",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    while true do pcall(function() while true do end end) end
  end,
}
