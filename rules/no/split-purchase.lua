-- FOA § 5-4: a purchase may not be split to keep it under a threshold. The rule adds up
-- this buyer's processes in the same CPV group over the last 365 days; when they reach
-- the national threshold together, a person should look at them (warn).
local thresholds = require "anbud.thresholds"

rule {
  id = "no.split-purchase",
  title = "Mulig oppdeling av anskaffelse",
  source = "Anskaffelsesforskriften (FOA) § 5-4: oppdragsgiveren kan ikke dele opp en "
    .. "anskaffelse med det formål å unngå at forskriften eller reglene over en terskelverdi "
    .. "kommer til anvendelse; verdien av like og sammenhengende anskaffelser skal ses samlet.",
  stages = { "planning", "tender" },
  severity = "warning",
  params = { window_days = 365 },
  applies = function(p, params)
    if not thresholds.known(p) then
      return false, "Verdien er ikke anslått; se no.estimated-value."
    end
    if thresholds.below(p, params.national_threshold) then
      return true
    end
    return false, "Anslått verdi " .. kr(p.value)
      .. " er minst den nasjonale terskelverdien (" .. kr(params.national_threshold)
      .. "); anskaffelsen følger allerede del II."
  end,
  check = function(p, params)
    local groups = p.cpv_groups
    if #groups == 0 then
      return na("Anskaffelsen har ingen CPV-kode (tender.items[].classification), så den kan "
        .. "ikke sammenlignes med andre anskaffelser i samme CPV-gruppe.")
    end
    local here = p.relevant_date
    local threshold = params.national_threshold
    local worst
    local from = add_days(here, 1 - params.window_days)
    for _, g in ipairs(groups) do
      local members = { { ocid = p.ocid, title = p.title, value = p.value,
        relevant_date = here, this = true } }
      local total = p.value
      -- the store hands over only the buyer's processes in group g within the window
      for _, other in ipairs(p:others { cpv_group = g, from = from, to = here }) do
        local back = days_between(other.relevant_date, here)
        local cancelled = other.tender and other.tender.status == "cancelled"
        if not cancelled and back >= 0 and back < params.window_days
          and contains(other.cpv_groups, g) and type(other.value) == "number" then
          members[#members + 1] = { ocid = other.ocid, title = other.title, value = other.value,
            relevant_date = other.relevant_date, stage = other.stage }
          total = total + other.value
        end
      end
      if worst == nil or total > worst.total then
        worst = { group = g, total = total, processes = members }
      end
    end
    local evidence = { cpv_group = worst.group, total = worst.total,
      national_threshold = threshold, window_days = params.window_days,
      from = from, to = here, processes = worst.processes }
    if worst.total >= threshold and #worst.processes > 1 then
      local titles = {}
      for _, m in ipairs(worst.processes) do
        titles[#titles + 1] = tostring(m.title or m.ocid) .. " (" .. kr(m.value) .. ", "
          .. m.relevant_date .. ")"
      end
      return warn("Mulig oppdeling: " .. #worst.processes .. " anskaffelser i CPV-gruppe "
        .. worst.group .. " fra " .. evidence.from .. " til " .. here .. " har til sammen "
        .. kr(worst.total) .. ", minst den nasjonale terskelverdien (" .. kr(threshold)
        .. "). Vurder om de er én anskaffelse som skulle vært kunngjort (FOA § 5-4): "
        .. table.concat(titles, "; ") .. ".", evidence)
    end
    return pass("Anskaffelser i CPV-gruppe " .. worst.group .. " siste " .. params.window_days
      .. " dager har til sammen " .. kr(worst.total) .. ", under den nasjonale "
      .. "terskelverdien (" .. kr(threshold) .. ").", evidence)
  end,
}
