-- hostile: rawsets into an object
rule {
  id = "h.write-rawset-object",
  title = "hostile write-rawset-object",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    rawset(p, "ocid", "x")
    return pass("written")
  end,
}
