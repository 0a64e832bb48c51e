-- hostile: declares no rule
local x = 1
