-- hostile: exhausts memory at load time
local s = "x"
while true do s = s .. s end
