-- Alver kommune: the national set, the purchasing cooperation Bergen hosts (Alver is a
-- member: "samarbeidsavtalen", shared/seeds/004), and Alver's own strategy
-- (Innkjøpsstrategi for Alver kommune 2020–2025, vedteken i kommunestyret 07.04.2022).
ruleset {
  id = "alver",
  name = "Alver kommune",
  language = "nn",
  municipalities = { "4631" },
  extends = { "no", "bergen-innkjopssamarbeid" },
  params = {
    -- the cooperation's rules write nynorsk for Alver
    message_language = "nn",
    -- local suppliers (alver.local-quotes): default Alver's own kommunenummer. Alver may
    -- widen it to the region here, e.g. { "4631", "4632", "4633", "4634", "4629" }.
    -- local_municipalities = { "4631" },
  },
  description = "Innkjøpsstrategi for Alver kommune 2020–2025 (vedteken i kommunestyret "
    .. "07.04.2022): lokale pristilbod, reserverte og inkluderande kontraktar, "
    .. "konkurransegjennomføringsverktøy, marknadsdialog, tilbakemelding til tapande "
    .. "tilbydarar og avtaleforvaltning.",
}
