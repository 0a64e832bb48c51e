-- FOA del II: from the national threshold a competition is announced in Doffin. Without a
-- notice the rule only accepts a limited or direct procedure whose grounds are written
-- down, and even then a person must check them (warn).
local notices = require "notices"

rule {
  id = "no.doffin-notice",
  title = "Kunngjort i Doffin",
  source = "Anskaffelsesforskriften (FOA) § 8-17 (del II) og § 21-1 (del III): anskaffelser "
    .. "med anslått verdi fra nasjonal terskelverdi skal kunngjøres i Doffin. Unntak "
    .. "(anskaffelse uten forutgående kunngjøring, FOA § 13-3 og § 13-4) må begrunnes.",
  stages = { "tender", "award" },
  severity = "error",
  applies = function(p, params)
    return notices.applies(p, params.national_threshold, "den nasjonale terskelverdien")
  end,
  check = function(p, params)
    return notices.check(p, "doffin", "Doffin", params.national_threshold,
      "den nasjonale terskelverdien")
  end,
}
