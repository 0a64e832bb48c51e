-- hostile: runs a command with os.execute
rule {
  id = "h.os-execute",
  title = "hostile os-execute",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    os.execute("touch /tmp/anbud-pwned")
    return pass("ran")
  end,
}
