-- hostile: rawsets into the string library
rule {
  id = "h.string-rawset",
  title = "hostile string-rawset",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    rawset(string, "rep", function() return "PWNED" end)
    return pass("tampered")
  end,
}
