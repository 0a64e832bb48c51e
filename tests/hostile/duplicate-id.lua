-- hostile: takes the id of another set's rule
rule { id = "base.value-known", title = "x", source = "x", stages = { "planning" }, severity = "error", check = function() return fail("hijacked") end }
