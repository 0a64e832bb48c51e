-- Avtalelojalitet: when a framework agreement of the cooperation (the host's) or of the
-- member itself covers what is bought, the purchase should go to a supplier of that
-- agreement. Buying elsewhere is "avtalelekkasje". Needs the buyer's other processes.
local store = require "anbud.store"
local suppliers = require "anbud.suppliers"
local text = require "anbud.text"

local NB = {
  na_framework = "Anskaffelsen er selv en rammeavtale.",
  na_none = "Ingen rammeavtale i kraft %s hos medlemmet eller vertskommunen dekker "
    .. "CPV-gruppe %s.",
  na_no_cpv = "Anskaffelsen har ingen CPV-kode, så den kan ikke knyttes til en rammeavtale.",
  na_no_supplier = "Ingen leverandør er tildelt ennå (awards[].suppliers).",
  pass = "Tildelt %s, som er leverandør på rammeavtalen «%s» (%s).",
  warn = "Mulig avtalelekkasje: tildelt %s, men rammeavtalen «%s» (%s, i kraft %s, CPV-gruppe "
    .. "%s) har leverandør %s. Kjøp innenfor en rammeavtale skal gå til "
    .. "avtaleleverandøren; begrunn avviket eller bruk avtalen.",
}
local NN = {
  na_framework = "Anskaffinga er sjølv ein rammeavtale.",
  na_none = "Ingen rammeavtale i kraft %s hos medlemmen eller vertskommunen dekkjer "
    .. "CPV-gruppe %s.",
  na_no_cpv = "Anskaffinga har ingen CPV-kode, så ho kan ikkje knytast til ein rammeavtale.",
  na_no_supplier = "Ingen leverandør er tildelt enno (awards[].suppliers).",
  pass = "Tildelt %s, som er leverandør på rammeavtalen «%s» (%s).",
  warn = "Mogleg avtalelekkasje: tildelt %s, men rammeavtalen «%s» (%s, i kraft %s, CPV-gruppe "
    .. "%s) har leverandør %s. Kjøp innanfor ein rammeavtale skal gå til "
    .. "avtaleleverandøren; grunngje avviket eller bruk avtalen.",
}

-- the agreements that count: bought by the host (p:others{municipality = host}), run by
-- the host on the member's behalf (procuringEntity), or the member's own
local function counts(p, host)
  return function(other)
    if other.municipality == host or other.municipality == p.municipality then
      return true
    end
    local pe = other.tender and other.tender.procuring_entity
    return pe ~= nil and pe.municipality_code == host
  end
end

rule {
  id = "bergen-innkjopssamarbeid.framework-loyalty",
  title = "Avtalelojalitet til rammeavtaler",
  source = "Anskaffelsesstrategi for Bergen kommune 2022–2025, Satsingsområde 2, mål på at vi "
    .. "lykkes: «Avtalelekkasje er redusert, det vil si at vi gjør våre kjøp hos "
    .. "avtaleleverandører.» «Kartlegging av innkjøpsnettverk/miljøer i Norge» (for FAD, "
    .. "2007), 5.3.4 om svakheter: arbeid på store fellesavtaler fører til «avstand mellom "
    .. "innkjøp og brukeren og det rapporteres om noe manglende avtalelojalitet i "
    .. "organisasjonenes enkelte avdelinger».",
  stages = { "award", "contract" },
  severity = "warning",
  check = function(p, params)
    local t = params.message_language == "nn" and NN or NB
    if p.is_framework then
      return na(t.na_framework)
    end
    local groups = p.cpv_groups
    if #groups == 0 then
      return na(t.na_no_cpv)
    end
    local day = p.relevant_date
    local host = params.cooperation_host
    local agreements = {}
    for _, f in ipairs(store.frameworks_in_force(p, day, counts(p, host), host, groups)) do
      local shared = store.shared_groups(groups, f.groups)
      if #shared > 0 then
        f.shared = shared
        agreements[#agreements + 1] = f
      end
    end
    if #agreements == 0 then
      return na(string.format(t.na_none, day, table.concat(groups, ", ")))
    end
    local awarded = suppliers.awarded(p)
    if #awarded == 0 then
      return na(t.na_no_supplier)
    end
    local listed = {}
    for _, f in ipairs(agreements) do
      local fs = suppliers.awarded(f.process)
      local names = {}
      for _, s in ipairs(fs) do
        names[#names + 1] = suppliers.label(s)
      end
      listed[#listed + 1] = { ocid = f.process.ocid, title = f.process.title,
        buyer = f.process.buyer and f.process.buyer.name, contract = f.contract.id,
        start_date = f.contract.start_date, end_date = f.contract.end_date,
        cpv_groups = f.shared, suppliers = names }
      for _, s in ipairs(awarded) do
        for _, fsup in ipairs(fs) do
          if suppliers.same(s, fsup) then
            return pass(string.format(t.pass, suppliers.label(s), tostring(f.process.title),
              f.process.ocid), { agreement = listed[#listed] })
          end
        end
      end
    end
    local first = listed[1]
    local awarded_names = {}
    for _, s in ipairs(awarded) do
      awarded_names[#awarded_names + 1] = suppliers.label(s)
    end
    return warn(string.format(t.warn, text.and_list(awarded_names), tostring(first.title),
      first.ocid, tostring(first.start_date) .. "–" .. tostring(first.end_date),
      table.concat(first.cpv_groups, ", "), text.and_list(first.suppliers)),
      { awarded = map(awarded, suppliers.plain), agreements = listed })
  end,
}
