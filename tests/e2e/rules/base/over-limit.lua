rule {
  id = "base.over-limit",
  title = "Over grensen",
  source = "test: dated parameter",
  stages = { "planning", "tender", "award" },
  severity = "warning",
  applies = function(p) return p.value ~= nil, "ingen verdi" end,
  check = function(p, params)
    if p.value >= params.limit then
      return warn("Over grensen " .. params.limit, { limit = params.limit, value = p.value })
    end
    return pass("Under grensen " .. params.limit, { limit = params.limit })
  end,
}
