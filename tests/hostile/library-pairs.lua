-- hostile: reaches the library table through pairs
rule {
  id = "h.library-pairs",
  title = "hostile library-pairs",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local _, real = pairs(string)
    if type(real) == "table" then rawset(real, "upper", function() return "PWNED" end) end
    error("no table reached")
  end,
}
