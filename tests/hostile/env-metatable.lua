-- hostile: reaches the library through its environment
rule {
  id = "h.env-metatable",
  title = "hostile env-metatable",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local mt = getmetatable(_ENV)
    if type(mt) == "table" then mt.__index.pass = function() return "PWNED" end end
    error("environment metatable is hidden")
  end,
}
