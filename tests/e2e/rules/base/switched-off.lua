rule {
  id = "base.switched-off",
  title = "Slått av i demo",
  source = "test: disabled",
  stages = { "planning" },
  severity = "error",
  check = function() return fail("should never run in demo") end,
}
