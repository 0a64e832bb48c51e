-- hostile: doubles a string until memory runs out
rule {
  id = "h.memory-concat",
  title = "hostile memory-concat",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local s = "x"
    while true do s = s .. s end
  end,
}
