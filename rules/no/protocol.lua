-- FOA § 7-1: every procurement from the regulation's floor keeps a procurement protocol.
-- The rule looks for a tender document of type procurementProtocol once the award is
-- made, when the protocol must record the choice of supplier.
local thresholds = require "anbud.thresholds"

rule {
  id = "no.protocol",
  title = "Anskaffelsesprotokoll er ført",
  source = "Anskaffelsesforskriften (FOA) § 7-1: oppdragsgiveren skal føre en "
    .. "anskaffelsesprotokoll for anskaffelser med anslått verdi fra 100 000 kr ekskl. mva., "
    .. "med de vesentlige forholdene og viktige beslutninger gjennom hele anskaffelsen.",
  stages = { "award", "contract" },
  severity = "error",
  applies = function(p, params)
    if not thresholds.known(p) then
      return false, "Verdien er ikke anslått, så plikten til protokoll kan ikke vurderes; "
        .. "se no.estimated-value."
    end
    return thresholds.at_least(p, params.regulation_floor),
      "Anslått verdi " .. kr(p.value) .. " er under " .. kr(params.regulation_floor)
        .. ": anskaffelsesforskriften gjelder ikke, og protokoll etter FOA § 7-1 kreves ikke."
  end,
  check = function(p, params)
    local found = {}
    for _, doc in ipairs(p.tender and p.tender.documents or {}) do
      if doc.document_type == "procurementProtocol" then
        found[#found + 1] = { id = doc.id, title = doc.title, url = doc.url,
          date_published = doc.date_published }
      end
    end
    local evidence = { value = p.value, regulation_floor = params.regulation_floor,
      protocols = found }
    if #found == 0 then
      return fail("Anskaffelsesprotokoll mangler: anskaffelsen har anslått verdi " .. kr(p.value)
        .. " (fra " .. kr(params.regulation_floor) .. " skal protokoll føres), men "
        .. "tender.documents har ikke noe dokument av typen procurementProtocol. "
        .. "Før protokollen og legg den ved konkurransen.", evidence)
    end
    local title = found[1].title or found[1].id or "uten tittel"
    return pass("Anskaffelsesprotokoll finnes (" .. tostring(title) .. ").", evidence)
  end,
}
