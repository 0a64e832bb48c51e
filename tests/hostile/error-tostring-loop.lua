-- hostile: raises an error whose __tostring loops
rule {
  id = "h.error-tostring-loop",
  title = "hostile error-tostring-loop",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    error(setmetatable({}, { __tostring = function() while true do end end }))
  end,
}
