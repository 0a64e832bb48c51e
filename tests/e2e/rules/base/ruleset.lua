-- A small base set for the end-to-end tests: one dated parameter, nothing else.
ruleset {
  id = "base",
  name = "Test base",
  params = {
    limit = by_date { { "2020-01-01", 1000 }, { "2024-01-01", 2000 } },
  },
}
