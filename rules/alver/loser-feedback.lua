-- Delmål 3, tiltak 4: tell the losing tenderers the outcome and why, so they can do better
-- next time. Applies when at least two bids or tenderers took part.
local suppliers = require "anbud.suppliers"

-- how many bids, and how many distinct tenderers, the process shows
local function participation(p)
  local bids = p.bids and p.bids.details or {}
  local tenderers = {}
  for _, b in ipairs(bids) do
    for _, s in ipairs(b.tenderers or {}) do
      tenderers[#tenderers + 1] = s
    end
  end
  for _, s in ipairs(p.tender and p.tender.tenderers or {}) do
    tenderers[#tenderers + 1] = s
  end
  local unique = suppliers.distinct(tenderers)
  local n = #unique
  local declared = p.tender and p.tender.number_of_tenderers
  if type(declared) == "number" and declared > n then
    n = declared
  end
  return #bids, n, unique
end

rule {
  id = "alver.loser-feedback",
  title = "Tilbakemelding til tapande tilbydarar",
  source = "Innkjøpsstrategi for Alver kommune 2020–2025, delmål 3, prioritert tiltak 4: «Gje "
    .. "tilbakemelding til tapande tilbydarar så dei kan forbetre seg til neste konkurranse.»",
  stages = { "award" },
  severity = "warning",
  applies = function(p)
    local bids, tenderers = participation(p)
    return bids >= 2 or tenderers >= 2, "Færre enn to tilbod eller tilbydarar; det er ingen "
      .. "tapande tilbydar å gje tilbakemelding til."
  end,
  check = function(p)
    local bids, tenderers, unique = participation(p)
    local rows, missing = {}, {}
    for i, a in ipairs(p.awards or {}) do
      if a.status ~= "cancelled" and a.status ~= "unsuccessful" then
        rows[#rows + 1] = { award = a.id or i, unsuccessful_notified = a.unsuccessful_notified }
        if a.unsuccessful_notified ~= true then
          missing[#missing + 1] = tostring(a.title or ("tildeling " .. tostring(a.id or i)))
        end
      end
    end
    local evidence = { bids = bids, tenderers = tenderers,
      tenderer_names = map(unique, suppliers.label), awards = rows }
    if #rows == 0 then
      return na("Ingen tildeling er registrert enno (awards).")
    end
    if #missing > 0 then
      return warn("Det er ikkje registrert at dei tapande tilbydarane har fått melding om "
        .. "utfallet og grunngjeving (awards[].unsuccessfulNotified) for "
        .. table.concat(missing, ", ") .. "; " .. bids .. " tilbod frå " .. tenderers
        .. " tilbydarar. Gje tilbakemelding så dei kan forbetre seg til neste konkurranse.",
        evidence)
    end
    return pass("Dei tapande tilbydarane har fått tilbakemelding (" .. bids .. " tilbod, "
      .. tenderers .. " tilbydarar).", evidence)
  end,
}
