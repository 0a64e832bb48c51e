-- hostile: keeps an object for a later evaluation
rule {
  id = "h.stale-object",
  title = "hostile stale-object",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    if SAVED then return pass(SAVED.ocid) end
    SAVED = p
    return pass("saved")
  end,
}
