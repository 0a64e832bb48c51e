-- Innkjøpssamarbeidet Bergen kommune er vert for: what its members share. It serves no
-- kommunenummer itself; a member's own set lists it in `extends` (see rules/alver).
--
-- Members: Anskaffelsesstrategi for Bergen kommune 2022-2025 (shared/seeds/003) says the
-- formal cooperation "etter kommunereformen består av 14 kommuner, 2 statsetater og Bergen
-- kirkelige fellesråd", but does not name the municipalities. The list below holds the
-- members the project's sources name: Alver (4631; RULES.md and Alver's own strategy,
-- "Ha større innverknad på anskaffingar gjennomført av Bergen kommune
-- (samarbeidsavtalen)", shared/seeds/004). Add the other thirteen from the cooperation
-- agreement, by their kommunenummer as of 2024 (after the 2020 reform).
ruleset {
  id = "bergen-innkjopssamarbeid",
  name = "Innkjøpssamarbeidet med Bergen kommune som vertskommune",
  language = "nb",
  host = "4601",
  members = { "4631" },
  params = {
    -- the host again, for rules: the engine does not hand a rule its set's `host`
    cooperation_host = "4601",
    -- the written language of messages of the cooperation's rules; a member that writes
    -- nynorsk sets message_language = "nn" in its own manifest's params
    message_language = "nb",
  },
  description = "Felles regler for medlemmene i innkjøpssamarbeidet (14 kommuner, 2 "
    .. "statsetater og Bergen kirkelige fellesråd) med Bergen kommune som vertskommune: "
    .. "avtalelojalitet til rammeavtalene samarbeidet og medlemmet har inngått.",
}
