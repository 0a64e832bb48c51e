-- FOA del III: from the EEA threshold of its category a competition is also announced in
-- TED (the EU's Tenders Electronic Daily). Same exception handling as no.doffin-notice.
local notices = require "notices"
local thresholds = require "anbud.thresholds"

rule {
  id = "no.ted-notice",
  title = "Kunngjort i TED (EØS)",
  source = "Anskaffelsesforskriften (FOA) § 21-1 (del III): anskaffelser med anslått verdi "
    .. "fra EØS-terskelverdien (§ 5-3; egen verdi for bygge- og anleggskontrakter) skal "
    .. "kunngjøres i TED. Unntak (FOA § 13-3 og § 13-4) må begrunnes.",
  stages = { "tender", "award" },
  severity = "error",
  applies = function(p, params)
    local eea, which = thresholds.eea(p, params)
    return notices.applies(p, eea, notices.eea_name(which))
  end,
  check = function(p, params)
    local eea, which = thresholds.eea(p, params)
    return notices.check(p, "ted", "TED", eea, notices.eea_name(which))
  end,
}
