-- hostile: runs a file with dofile
rule {
  id = "h.dofile",
  title = "hostile dofile",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    dofile("/etc/passwd")
    return pass("x")
  end,
}
