-- hostile: moves a range of 10^15 elements in C
rule {
  id = "h.table-move-huge",
  title = "hostile table-move-huge",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    table.move({}, 1, 1e15, 2)
    return pass("moved")
  end,
}
