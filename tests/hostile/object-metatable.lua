-- hostile: reaches the object metatable
rule {
  id = "h.object-metatable",
  title = "hostile object-metatable",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local mt = getmetatable(p)
    mt.__index = nil
    return pass("tampered")
  end,
}
