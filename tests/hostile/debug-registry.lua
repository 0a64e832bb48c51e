-- hostile: reaches the registry with debug
rule {
  id = "h.debug-registry",
  title = "hostile debug-registry",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local r = debug.getregistry()
    return pass(tostring(r))
  end,
}
