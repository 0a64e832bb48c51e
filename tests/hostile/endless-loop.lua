-- hostile: loops forever
rule {
  id = "h.endless-loop",
  title = "hostile endless-loop",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    while true do end
  end,
}
