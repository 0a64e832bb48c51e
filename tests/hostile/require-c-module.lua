-- hostile: requires a C module
rule {
  id = "h.require-c-module",
  title = "hostile require-c-module",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local m = require("lpeg")
    return pass(tostring(m))
  end,
}
