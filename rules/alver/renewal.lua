-- Delmål 4: agreements are renewed in time. Until `notice_days` before a contract ends the
-- rule passes and asks to run again on that day; from then on it warns unless a new
-- procurement for the same CPV group is under way (planning or tender) that started after
-- the contract was signed.
local store = require "anbud.store"
local text = require "anbud.text"

-- a successor: same buyer (p:others()), a shared CPV group, in planning or tender, first
-- release after the contract was signed (the store hands over only those)
local function successor(p, signed)
  local groups = p.cpv_groups
  local filter = { cpv_groups = groups, stages = { "planning", "tender" } }
  if signed ~= nil then
    filter.first_from = add_days(signed, 1)
  end
  for _, other in ipairs(p:others(filter)) do
    local stage = other.stage
    if (stage == "planning" or stage == "tender")
      and #store.shared_groups(groups, other.cpv_groups) > 0
      and (signed == nil or days_between(signed, other.first_date) > 0) then
      return other
    end
  end
  return nil
end

rule {
  id = "alver.renewal",
  title = "Avtalen vert fornya i tide",
  source = "Innkjøpsstrategi for Alver kommune 2020–2025, delmål 4: «Alver kommune skal til ei "
    .. "kvar tid ha ei god og tilgjengeleg oversikt over kva innkjøpsavtaler som er inngått og "
    .. "kva avtaler som skal fornyast til rett tid.» Vidare ambisjon: «Oversikt over behov for "
    .. "nye avtalar og igangsetting av planlegge i god tid.»",
  stages = { "contract", "implementation" },
  severity = "warning",
  params = { notice_days = 180 },
  applies = function(p)
    for _, c in ipairs(p.contracts or {}) do
      if date(c.end_date) then
        return true
      end
    end
    return false, "Ingen kontrakt har sluttdato (contracts[].period.endDate); sjå "
      .. "alver.contract-end."
  end,
  check = function(p, params)
    local now = today()
    local rows, late, waiting, renewed = {}, {}, {}, {}
    for i, c in ipairs(p.contracts or {}) do
      local finish = c.end_date
      if date(finish) and c.status ~= "terminated" and c.status ~= "cancelled" then
        finish = finish:sub(1, 10)
        local label = "«" .. tostring(c.title or p.title or ("kontrakt " .. tostring(c.id or i)))
          .. "»"
        local notice = add_days(finish, -params.notice_days)
        local signed = date(c.date_signed) and c.date_signed:sub(1, 10)
          or (date(c.start_date) and c.start_date:sub(1, 10)) or nil
        local row = { contract = c.id or i, end_date = finish, renew_from = notice,
          date_signed = signed }
        rows[#rows + 1] = row
        if days_between(now, notice) > 0 then
          waiting[#waiting + 1] = { label = label, finish = finish, notice = notice }
        else
          local found = successor(p, signed)
          if found then
            row.successor = store.plain(found)
            renewed[#renewed + 1] = label .. " vert fornya av «"
              .. tostring(found.title or found.ocid) .. "» (" .. found.ocid .. ", fase "
              .. found.stage .. ")"
          else
            local left = days_between(now, finish)
            late[#late + 1] = label .. (left >= 0 and (" går ut " .. finish .. " (om " .. left
              .. " dagar)") or (" gjekk ut " .. finish .. " (for " .. -left .. " dagar sidan)"))
          end
        end
      end
    end
    local evidence = { today = now, notice_days = params.notice_days, contracts = rows,
      cpv_groups = p.cpv_groups }
    if #rows == 0 then
      return na("Alle kontraktane med sluttdato er avslutta eller kansellerte.")
    end
    if #late > 0 then
      return warn(text.and_list(late) .. ", men det finst inga ny anskaffing i planlegging "
        .. "eller konkurranse for same CPV-gruppe (" .. table.concat(p.cpv_groups, ", ")
        .. ") starta etter at kontrakten vart signert. Frå " .. params.notice_days
        .. " dagar før slutt skal fornyinga vere i gang (delmål 4).", evidence)
    end
    local parts = {}
    if #renewed > 0 then
      parts[#parts + 1] = text.and_list(renewed) .. "."
    end
    local earliest
    for _, w in ipairs(waiting) do
      if earliest == nil or w.notice < earliest.notice then
        earliest = w
      end
    end
    if earliest then
      parts[#parts + 1] = "Kontrakten " .. earliest.label .. " går ut " .. earliest.finish
        .. "; fornyinga må vere i gang frå " .. earliest.notice .. " (" .. params.notice_days
        .. " dagar før), og regelen køyrer på nytt då."
      return pass(table.concat(parts, " "), evidence):again_on(earliest.notice)
    end
    return pass(table.concat(parts, " "), evidence)
  end,
}
