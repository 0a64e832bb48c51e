-- hostile: installs a __gc finalizer that loops
rule {
  id = "h.gc-finalizer",
  title = "hostile gc-finalizer",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    setmetatable({}, { __gc = function() while true do end end })
    return pass("installed")
  end,
}
