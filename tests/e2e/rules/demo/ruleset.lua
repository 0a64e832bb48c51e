-- The set the end-to-end tests check with: extends base, serves 4631.
ruleset {
  id = "demo",
  name = "Demo kommune",
  language = "nn",
  municipalities = { "4631" },
  extends = { "base" },
  overrides = { ["demo.quotes"] = { min = 2 } },
  disabled = { ["base.switched-off"] = "Demo tests that a disabled rule never runs." },
}
