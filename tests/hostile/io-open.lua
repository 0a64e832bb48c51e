-- hostile: reads a file with io
rule {
  id = "h.io-open",
  title = "hostile io-open",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local f = io.open("/etc/passwd")
    return pass(f:read("a"))
  end,
}
