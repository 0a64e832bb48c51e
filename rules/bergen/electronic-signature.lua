-- Bergen signs contracts electronically in its contract tool; paper is a warning.
rule {
  id = "bergen.electronic-signature",
  title = "Kontrakten er signert elektronisk",
  source = "Anskaffelsesstrategi for Bergen kommune 2022–2025, Satsingsområde 2, mål på at vi "
    .. "lykkes: «Flere kontrakter signeres elektronisk.» Strategien: «Det er i samme periode "
    .. "signert nærmere 700 kontrakter elektronisk i det samme verktøyet.»",
  stages = { "contract" },
  severity = "warning",
  check = function(p)
    local rows, other = {}, {}
    for i, c in ipairs(p.contracts or {}) do
      local method = c.signature_method
      rows[#rows + 1] = { contract = c.id or i, signature_method = method }
      if method ~= "electronic" then
        other[#other + 1] = tostring(c.title or ("kontrakt " .. tostring(c.id or i))) .. " ("
          .. (method == "paper" and "signert på papir" or "signeringsmåte ikke oppgitt") .. ")"
      end
    end
    local evidence = { contracts = rows }
    if #rows == 0 then
      return na("Prosessen har ingen kontrakter ennå.")
    end
    if #other > 0 then
      return warn("Ikke signert elektronisk: " .. table.concat(other, ", ") .. ". Bergen "
        .. "kommune signerer kontrakter elektronisk i kontraktadministrasjonsverktøyet "
        .. "(contracts[].signatureMethod = electronic).", evidence)
    end
    return pass("Kontrakten er signert elektronisk.", evidence)
  end,
}
