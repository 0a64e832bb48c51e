-- Tiltak 9: Bergen considers limiting hired staff from staffing agencies on building
-- sites. The rule reports the share of hired hours; it warns only when the municipality
-- has set a ceiling (max_hired_share in the manifest's overrides).
local hours = require "anbud.hours"
local text = require "anbud.text"

rule {
  id = "bergen.staffing-agency",
  title = "Innleie fra bemanningsforetak på byggeplassen",
  source = "Anskaffelsesstrategi for Bergen kommune 2022–2025, Satsingsområde 3: «Tiltak 9) "
    .. "Vurdere å avgrense bruk av innleie fra bemanningsforetak i byggebransjen.» Mål på at "
    .. "vi lykkes: «Vi ser en nedgang i antall innleide på våre byggeplasser.»",
  stages = { "implementation" },
  severity = "info",
  -- false: no ceiling decided; a share (0.15) makes the rule warn above it
  params = { max_hired_share = false },
  applies = function(p)
    return p.category == "works", "Gjelder bygge- og anleggskontrakter."
  end,
  check = function(p, params)
    local reports = hours.all_reports(p)
    local t = hours.totals(reports)
    local share = hours.share(t.hired, t.total)
    local max = params.max_hired_share
    local evidence = { total = hours.plain(t, "hired"), max_hired_share = max or nil }
    if share == nil then
      return info("Ingen timer er rapportert ennå (contracts[].implementation.hourReports), så "
        .. "andelen innleide kan ikke beregnes.", evidence)
    end
    local fact = percent(share) .. " av timene (" .. text.number(t.hired) .. " av "
      .. text.number(t.total) .. ") er utført av innleide fra bemanningsforetak"
    if type(max) == "number" and share > max then
      return warn(fact .. ", over kommunens grense på " .. percent(max) .. " (tiltak 9).",
        evidence)
    end
    return info(fact .. (type(max) == "number" and (" (grense " .. percent(max) .. ")") or "")
      .. ".", evidence)
  end,
}
