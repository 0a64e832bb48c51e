-- hostile: puts a function in the evidence
rule {
  id = "h.evidence-function",
  title = "hostile evidence-function",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    return pass("x", { f = function() end })
  end,
}
