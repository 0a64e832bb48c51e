-- Merknad 3: suppliers document that the work is done by permanent full-time staff, and
-- explain any exceptions.
local thresholds = require "anbud.thresholds"

local function exception_text(e)
  if type(e) == "string" then
    return e
  end
  if e ~= nil then
    local parts = {}
    for _, x in ipairs(e) do
      if type(x) == "string" then
        parts[#parts + 1] = x
      elseif x ~= nil and type(x.description) == "string" then
        parts[#parts + 1] = x.description
      end
    end
    return table.concat(parts, " ")
  end
  return nil
end

rule {
  id = "bergen.full-time",
  title = "Dokumentasjon av faste heltidsansatte",
  source = "Bystyrets merknad 3 til Anskaffelsesstrategi for Bergen kommune 2022–2025: "
    .. "«Bystyret ber byrådet vurdere hvordan man i konkurranser kan kreve at tilbydere "
    .. "dokumenterer at arbeidet vil utføres av heltidsansatte i faste stillinger, og at "
    .. "eventuelle unntak redegjøres for.»",
  stages = { "contract" },
  severity = "warning",
  applies = function(p, params)
    if p.category ~= "works" and p.category ~= "services" then
      return false, "Gjelder bygge- og anleggskontrakter og tjenestekontrakter."
    end
    if not thresholds.known(p) then
      return false, "Verdien er ikke anslått; se no.estimated-value."
    end
    if thresholds.at_least(p, params.national_threshold) then
      return true
    end
    return false, "Anslått verdi " .. kr(p.value)
      .. " er under den nasjonale terskelverdien (" .. kr(params.national_threshold) .. ")."
  end,
  check = function(p)
    local rows, missing = {}, {}
    for i, c in ipairs(p.contracts or {}) do
      local doc = c.full_time_documentation
      local documented = doc ~= nil and doc.documented == true
      local exceptions = doc and exception_text(doc.exceptions)
      local ok = documented or justified(exceptions)
      rows[#rows + 1] = { contract = c.id or i, documented = documented,
        exceptions = exceptions }
      if not ok then
        missing[#missing + 1] = tostring(c.title or ("kontrakt " .. tostring(c.id or i)))
      end
    end
    local evidence = { contracts = rows }
    if #rows == 0 then
      return na("Prosessen har ingen kontrakter ennå.")
    end
    if #missing > 0 then
      return warn("Leverandøren har ikke dokumentert at arbeidet utføres av heltidsansatte i "
        .. "faste stillinger, og unntak er ikke redegjort for: " .. table.concat(missing, ", ")
        .. " (contracts[].fullTimeDocumentation.documented eller begrunnede exceptions, "
        .. "bystyrets merknad 3).", evidence)
    end
    for _, r in ipairs(rows) do
      if not r.documented then
        return pass("Unntak fra faste heltidsstillinger er redegjort for.", evidence)
      end
    end
    return pass("Leverandøren har dokumentert at arbeidet utføres av heltidsansatte i faste "
      .. "stillinger.", evidence)
  end,
}
