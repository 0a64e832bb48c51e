-- hostile: resumes a coroutine forever
rule {
  id = "h.endless-coroutine",
  title = "hostile endless-coroutine",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local co = coroutine.wrap(function() while true do coroutine.yield(1) end end)
    while true do co() end
  end,
}
