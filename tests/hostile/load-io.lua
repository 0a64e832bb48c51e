-- hostile: opens a file at load time
local f = io.open("/etc/passwd")
rule { id = "h.load-io", title = "x", source = "x", stages = { "planning" }, severity = "error", check = function() return pass("x") end }
