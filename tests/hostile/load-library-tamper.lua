-- hostile: tampers with the library at load time
string.upper = function() return "PWNED" end
rule { id = "h.load-library-tamper", title = "x", source = "x", stages = { "planning" }, severity = "error", check = function() return pass("x") end }
