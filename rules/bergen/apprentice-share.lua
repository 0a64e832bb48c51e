-- During the contract: the share of hours done by apprentices in each trade, from the
-- monthly hour reports so far (Bergen follows this in HMSREG).
local hours = require "anbud.hours"
local text = require "anbud.text"

rule {
  id = "bergen.apprentice-share",
  title = "Andel lærlingtimer per fag i gjennomføringen",
  source = "Lærlingeklausulen (byrådsvedtak 1425/14) og bystyrets merknad 2 til "
    .. "Anskaffelsesstrategi for Bergen kommune 2022–2025: «øke kravet om andel lærlinger fra "
    .. "10 % til 15 % innenfor hvert fag på enkeltkontrakter». Om HMSREG: systemet «gir "
    .. "kommunen anledning til å følge opp andel arbeid som utføres av lærlinger, "
    .. "fagarbeidere og ufaglærte».",
  stages = { "implementation" },
  severity = "error",
  params = { min_share = 0.10 },
  applies = function(p)
    local req = p.tender and p.tender.apprentice_requirement
    return req ~= nil and req.required == true,
      "Kontrakten har ingen lærlingeklausul (tender.apprenticeRequirement.required)."
  end,
  check = function(p, params)
    local contracts = hours.contracts(p)
    local rows, below = {}, {}
    local reported = 0
    for _, c in ipairs(contracts) do
      for _, s in ipairs(hours.by_trade(c.reports)) do
        reported = reported + s.reports
        local row = hours.plain(s, "apprentice")
        row.contract = c.id
        rows[#rows + 1] = row
        local trade = s.trade or "(fag ikke oppgitt)"
        if #contracts > 1 then
          trade = trade .. " (kontrakt " .. tostring(c.id) .. ")"
        end
        if row.share ~= nil and row.share < params.min_share then
          below[#below + 1] = trade .. ": " .. text.percent_down(row.share) .. " ("
            .. text.number(s.apprentice) .. " av " .. text.number(s.total) .. " timer)"
        end
      end
    end
    local evidence = { min_share = params.min_share, trades = rows }
    if reported == 0 then
      return info("Ingen timerapporter er registrert ennå "
        .. "(contracts[].implementation.hourReports); andelen lærlingtimer per fag beregnes "
        .. "når de første månedsrapportene kommer.", evidence)
    end
    if #below > 0 then
      return fail("Andelen lærlingtimer er under " .. percent(params.min_share) .. " i "
        .. #below .. " fag (alle timerapporter så langt): "
        .. table.concat(below, "; ") .. ". Følg opp leverandøren etter lærlingeklausulen.",
        evidence)
    end
    return pass("Andelen lærlingtimer er minst " .. percent(params.min_share)
      .. " i alle " .. #rows .. " fag med rapporterte timer.", evidence)
  end,
}
