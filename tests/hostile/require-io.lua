-- hostile: requires the io library
rule {
  id = "h.require-io",
  title = "hostile require-io",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local io2 = require("io")
    return pass(tostring(io2))
  end,
}
