-- hostile: declares two rules in one file
rule { id = "h.twice-a", title = "x", source = "x", stages = { "planning" }, severity = "error", check = function() return pass("x") end }
rule { id = "h.twice-b", title = "x", source = "x", stages = { "planning" }, severity = "error", check = function() return pass("x") end }
