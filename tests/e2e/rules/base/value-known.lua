rule {
  id = "base.value-known",
  title = "Verdien er kjent",
  source = "test: base",
  stages = { "planning", "tender" },
  severity = "error",
  check = function(p)
    if p.value == nil then
      return fail("Verdien mangler.")
    end
    return pass("Verdi " .. kr(p.value))
  end,
}
