-- FOA § 5-4: the buyer must estimate the value before choosing a procedure; every
-- threshold rule depends on it.
rule {
  id = "no.estimated-value",
  title = "Anskaffelsens verdi er anslått",
  source = "Anskaffelsesforskriften (FOA) § 5-4: oppdragsgiveren skal beregne anskaffelsens "
    .. "anslåtte verdi (ekskl. mva.) før konkurransen; verdien avgjør hvilke regler som gjelder.",
  stages = { "planning", "tender" },
  severity = "error",
  check = function(p)
    local value = p.value
    if value == nil then
      return fail("Anslått verdi mangler (tender.value.amount). Anslå verdien i NOK ekskl. mva. "
        .. "før konkurransen, så terskelverdiene kan vurderes.")
    end
    if value <= 0 then
      return fail("Anslått verdi er " .. kr(value) .. ", men må være større enn 0.",
        { value = value })
    end
    return pass("Anslått verdi er " .. kr(value) .. " ekskl. mva.", { value = value })
  end,
}
