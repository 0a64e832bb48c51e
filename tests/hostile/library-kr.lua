-- hostile: replaces a library helper through require
rule {
  id = "h.library-kr",
  title = "hostile library-kr",
  source = "tests/hostile",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local lib = require("anbud")
    lib.kr = function() return "PWNED" end
    return pass("tampered")
  end,
}
