-- hostile: stops the collector
rule {
  id = "h.collectgarbage-games",
  title = "hostile collectgarbage-games",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    collectgarbage("stop")
    collectgarbage("generational")
    return pass("stopped")
  end,
}
