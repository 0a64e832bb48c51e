-- hostile: changes the metatable of the string library
rule {
  id = "h.string-setmetatable",
  title = "hostile string-setmetatable",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    setmetatable(string, { __index = function() return "PWNED" end })
    return pass("tampered")
  end,
}
