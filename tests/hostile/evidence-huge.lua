-- hostile: puts a million values in the evidence
rule {
  id = "h.evidence-huge",
  title = "hostile evidence-huge",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local t = {}
    for i = 1, 1e6 do t[i] = i end
    return pass("x", t)
  end,
}
