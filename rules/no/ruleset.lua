-- The national rule set: what the law (anskaffelsesloven, anskaffelsesforskriften,
-- lærlingforskriften) asks of every Norwegian municipality. Municipal sets extend it.
ruleset {
  id = "no",
  name = "Nasjonalt regelverk (LOA, FOA, lærlingforskriften)",
  language = "nb",
  description = "Lov og forskrift om offentlige anskaffelser. Terskelverdiene står her som "
    .. "parametere med dato, så en kommune kan rette en verdi uten å endre kode.",
  params = {
    -- FOA § 5-1 første ledd: forskriften gjelder anskaffelser med anslått verdi fra 100 000 kr.
    regulation_floor = by_date {
      { "2017-01-01", 100000, source = "FOA § 5-1 (1), i kraft 2017-01-01" },
    },
    -- FOA § 5-3: del II (nasjonal kunngjøring) fra den nasjonale terskelverdien.
    national_threshold = by_date {
      { "2017-01-01", 1100000, source = "FOA § 5-3 (1) slik den lød fra 2017-01-01" },
      { "2018-01-01", 1300000, source = "FOA § 5-3 (1), endret med virkning fra 2018-01-01" },
    },
    -- FOA § 5-3 (2) bokstav b: EØS-terskelverdi for vare- og tjenestekontrakter i kommuner.
    eea_goods_services = by_date {
      { "2017-01-01", 1750000, source = "FOA § 5-3 (2) b, fra 2017-01-01" },
      { "2018-01-01", 2000000, source = "FOA § 5-3 (2) b, justert fra 2018-01-01" },
      { "2020-02-12", 2050000, source = "FOA § 5-3 (2) b, justert fra 2020-02-12" },
      { "2022-01-01", 2200000, source = "FOA § 5-3 (2) b, justert fra 2022-01-01" },
      { "2024-03-01", 2300000, source = "FOA § 5-3 (2) b, justert fra 2024-03-01" },
    },
    -- FOA § 5-3 (2) c: EØS-terskelverdi for bygge- og anleggskontrakter.
    eea_works = by_date {
      { "2017-01-01", 44000000, source = "FOA § 5-3 (2) c, fra 2017-01-01" },
      { "2018-01-01", 51000000, source = "FOA § 5-3 (2) c, justert fra 2018-01-01" },
      { "2020-02-12", 51500000, source = "FOA § 5-3 (2) c, justert fra 2020-02-12" },
      { "2022-01-01", 56000000, source = "FOA § 5-3 (2) c, justert fra 2022-01-01" },
      { "2024-03-01", 57800000, source = "FOA § 5-3 (2) c, justert fra 2024-03-01" },
    },
  },
}
