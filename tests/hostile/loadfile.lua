-- hostile: loads a file with loadfile
rule {
  id = "h.loadfile",
  title = "hostile loadfile",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local f = loadfile("/etc/passwd")
    return pass(tostring(f))
  end,
}
