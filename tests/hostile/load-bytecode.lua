-- hostile: loads bytecode
rule {
  id = "h.load-bytecode",
  title = "hostile load-bytecode",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local f = load("\27LuaT\0\25\147\r\n\26\n")
    return pass(tostring(f))
  end,
}
