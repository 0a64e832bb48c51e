-- hostile: grows a string with gsub
rule {
  id = "h.memory-gsub",
  title = "hostile memory-gsub",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local s = string.rep("x", 1e6):gsub("x", string.rep("y", 1000))
    return pass(#s .. "")
  end,
}
