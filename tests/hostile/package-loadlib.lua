-- hostile: loads C code with package.loadlib
rule {
  id = "h.package-loadlib",
  title = "hostile package-loadlib",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local f = package.loadlib("/lib/x86_64-linux-gnu/libc.so.6", "system")
    return pass(tostring(f))
  end,
}
