-- hostile: changes a shared parameter list
rule {
  id = "h.params-write",
  title = "hostile params-write",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    params.limit = 0
    local t = params.local_municipalities
    if t then t[1] = "0000" end
    return pass("changed")
  end,
}
