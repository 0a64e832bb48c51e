rule {
  id = "demo.assessed",
  title = "Vurdering av reservert kontrakt",
  source = "test: gate",
  stages = { "planning", "tender" },
  gate = { "tender" },
  severity = "error",
  check = function(p)
    local a = p.tender and p.tender.reserved_assessment
    if a and justified(a.justification) then
      return pass("Vurdert: " .. a.justification)
    end
    if p.stage == "planning" then
      return warn("Reservert kontrakt er ikkje vurdert enno.")
    end
    return fail("Reservert kontrakt er ikkje vurdert.")
  end,
}
