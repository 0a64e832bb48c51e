-- hostile: requires a module outside the tree
rule {
  id = "h.require-traversal",
  title = "hostile require-traversal",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local m = require("..etc.passwd")
    return pass(tostring(m))
  end,
}
