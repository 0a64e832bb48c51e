-- hostile: loops inside a coroutine that swallows errors
rule {
  id = "h.coroutine-swallow",
  title = "hostile coroutine-swallow",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local co = coroutine.create(function() while true do pcall(function() while true do end end) end end)
    local ok, e = coroutine.resume(co)
    while true do end
  end,
}
