-- hostile: is not valid Lua
rule { id = "h.syntax" 
