-- Pure helpers of one number made cheaper by keeping what they returned (library use).

local M = {}

-- remembered(fn) --> fn for one number, with its texts kept: the same amounts and shares
-- come up in many rules' messages for one procurement. At most LIMIT texts are kept.
local LIMIT = 4096
function M.remembered(fn)
  local texts, n = {}, 0
  return function(x)
    if type(x) ~= "number" or x ~= x or x == 0 then -- (-0.0 and 0 are one key)
      return fn(x)
    end
    local text = texts[x]
    if text == nil then
      text = fn(x)
      if n >= LIMIT then
        texts, n = {}, 0
      end
      texts[x], n = text, n + 1
    end
    return text
  end
end

return M
