-- hostile: replaces string methods through the metatable
rule {
  id = "h.string-metatable",
  title = "hostile string-metatable",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local mt = getmetatable("")
    mt.__index = { upper = function() return "PWNED" end }
    return pass("tampered")
  end,
}
