-- floor: the rule bench/floor declares six times (r1.lua to r6.lua, one rule per file):
-- it reads one field of the procurement and returns pass, so that bench/eval measures what
-- a rule call costs before the rule does any work.
return function(n)
  return {
    id = "floor.r" .. n,
    title = "Leser ett felt",
    source = "bench/floor: ingen kilde, bare en måling",
    stages = { "planning", "tender", "award", "contract", "implementation" },
    severity = "info",
    check = function(p)
      local _ = p.value
      return pass("ok")
    end,
  }
end
