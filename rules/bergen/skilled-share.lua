-- Merknad 1: at least half of the hours on building contracts by skilled workers
-- (fagarbeidere); per trade once Bergen decides so (per_trade = true in overrides).
local hours = require "anbud.hours"
local text = require "anbud.text"

rule {
  id = "bergen.skilled-share",
  title = "Andel timer utført av fagarbeidere",
  source = "Bystyrets merknad 1 til Anskaffelsesstrategi for Bergen kommune 2022–2025: "
    .. "«Bystyret ber byrådet arbeide for at man på sikt kan definere fagarbeidertimer per "
    .. "kontrakt på fag og ikke i sum på kontrakter. Målet om at 50 % andel av timene på "
    .. "kontrakter skal utføres av fagarbeidere bør gradvis økes.»",
  stages = { "implementation" },
  severity = "error",
  params = { min_share = 0.50, per_trade = false },
  applies = function(p)
    return p.category == "works", "Kravet om fagarbeidere gjelder bygge- og "
      .. "anleggskontrakter."
  end,
  check = function(p, params)
    local reports = hours.all_reports(p)
    local evidence = { min_share = params.min_share, per_trade = params.per_trade }
    if #reports == 0 then
      return info("Ingen timerapporter er registrert ennå "
        .. "(contracts[].implementation.hourReports); andelen fagarbeidertimer beregnes når "
        .. "de første månedsrapportene kommer.", evidence)
    end
    if params.per_trade then
      local rows, below = {}, {}
      for _, s in ipairs(hours.by_trade(reports)) do
        local row = hours.plain(s, "skilled")
        rows[#rows + 1] = row
        if row.share ~= nil and row.share < params.min_share then
          below[#below + 1] = (s.trade or "(fag ikke oppgitt)") .. ": "
            .. text.percent_down(row.share)
            .. " (" .. text.number(s.skilled) .. " av " .. text.number(s.total) .. " timer)"
        end
      end
      evidence.trades = rows
      if #below > 0 then
        return fail("Andelen timer utført av fagarbeidere er under "
          .. percent(params.min_share) .. " i: " .. table.concat(below, "; ")
          .. " (bystyrets merknad 1).", evidence)
      end
      return pass("Andelen fagarbeidertimer er minst " .. percent(params.min_share)
        .. " i alle fag.", evidence)
    end
    local t = hours.totals(reports)
    local share = hours.share(t.skilled, t.total)
    evidence.total = hours.plain(t, "skilled")
    if share == nil then
      return info("Timerapportene har ingen timer ennå (totalHours er 0).", evidence)
    end
    if share < params.min_share then
      return fail("Bare " .. text.percent_down(share) .. " av timene (" .. text.number(t.skilled)
        .. " av " .. text.number(t.total) .. ") er utført av fagarbeidere; målet er minst "
        .. percent(params.min_share) .. " (bystyrets merknad 1).", evidence)
    end
    return pass(percent(share) .. " av timene (" .. text.number(t.skilled) .. " av "
      .. text.number(t.total) .. ") er utført av fagarbeidere (minst "
      .. percent(params.min_share) .. ").", evidence)
  end,
}
