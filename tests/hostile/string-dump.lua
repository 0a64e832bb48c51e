-- hostile: dumps a function to bytecode
rule {
  id = "h.string-dump",
  title = "hostile string-dump",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local b = string.dump(function() end)
    return pass(#b .. "")
  end,
}
