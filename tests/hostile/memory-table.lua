-- hostile: fills a table until memory runs out
rule {
  id = "h.memory-table",
  title = "hostile memory-table",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local t = {}
    for i = 1, 1e12 do t[i] = i end
    return pass(#t .. "")
  end,
}
