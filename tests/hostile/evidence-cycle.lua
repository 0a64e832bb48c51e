-- hostile: puts a cycle in the evidence
rule {
  id = "h.evidence-cycle",
  title = "hostile evidence-cycle",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local t = {}
    t.t = t
    return pass("x", t)
  end,
}
