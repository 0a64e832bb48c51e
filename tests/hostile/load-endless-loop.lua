-- hostile: loops forever at load time
while true do end
