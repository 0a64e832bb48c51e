-- hostile: joins a huge table
rule {
  id = "h.memory-table-concat",
  title = "hostile memory-table-concat",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local t = {}
    for i = 1, 1e7 do t[i] = "abcdefghij" end
    return pass(#table.concat(t) .. "")
  end,
}
