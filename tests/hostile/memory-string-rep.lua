-- hostile: builds a 10 GB string
rule {
  id = "h.memory-string-rep",
  title = "hostile memory-string-rep",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local s = string.rep("x", 1e10)
    return pass(#s .. "")
  end,
}
