-- hostile: unpacks ten million values
rule {
  id = "h.unpack-huge",
  title = "hostile unpack-huge",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    return pass(select("#", table.unpack({}, 1, 1e7)) .. "")
  end,
}
