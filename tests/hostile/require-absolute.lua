-- hostile: requires a module by path
rule {
  id = "h.require-absolute",
  title = "hostile require-absolute",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local m = require("/etc/passwd")
    return pass(tostring(m))
  end,
}
