-- Bergen kommune: the national set plus what Bergen's own decisions ask of every
-- procurement (Anskaffelsesstrategi for Bergen kommune 2022-2025, bystyresak 195/22, with
-- the city council's remarks 1-4, and the instructions it lists under "Lokale føringer").
-- Bergen hosts the purchasing cooperation (rules/bergen-innkjopssamarbeid); its own
-- processes are checked with this set.
ruleset {
  id = "bergen",
  name = "Bergen kommune",
  language = "nb",
  municipalities = { "4601" },
  extends = { "no" },
  description = "Anskaffelsesstrategi for Bergen kommune 2022–2025 (bystyresak 195/22) med "
    .. "bystyrets merknader, instruks om reserverte og inkluderende kontrakter (byrådsvedtak "
    .. "1198/17) og lærlingeklausulen (byrådsvedtak 1425/14).",
}
