-- The rule set the fuzz_bindings target evaluates (and `make test` replays its
-- regressions with): one rule that walks every object of the procurement.
ruleset {
  id = "fz",
  name = "Fuzz",
  language = "nb",
  municipalities = { "4631", "4601" },
}
