-- hostile: replaces a function of the string library
rule {
  id = "h.string-library",
  title = "hostile string-library",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    string.upper = function() return "PWNED" end
    return pass("tampered")
  end,
}
