--- The Lua half of the `ouro` module: helpers written in Lua, added to the `ouro` table that the
--- engine created. Loaded once per state, before the user's file.
---
---   ouro.pretty({ a = 1, b = { 2, 3 } })   --> "{ a = 1, b = { 2, 3 } }"
local ouro = ouro

local function is_identifier(s)
  return type(s) == "string" and s:match("^[%a_][%w_]*$") ~= nil
end

--- Renders a value readably: tables as constructors (sorted keys, nested to `depth`, cycles marked),
--- strings quoted, everything else through tostring.
function ouro.pretty(value, depth, seen)
  depth = depth or 3
  if type(value) == "string" then return string.format("%q", value) end
  if type(value) ~= "table" or getmetatable(value) and getmetatable(value).__tostring then
    return tostring(value)
  end
  seen = seen or {}
  if seen[value] then return "<cycle>" end
  if depth <= 0 then return "{…}" end
  seen[value] = true
  local parts, n = {}, #value
  for i = 1, n do parts[#parts + 1] = ouro.pretty(value[i], depth - 1, seen) end
  local keys = {}
  for k in pairs(value) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b)
    if type(a) == type(b) and (type(a) == "string" or type(a) == "number") then return a < b end
    return type(a) < type(b)
  end)
  for _, k in ipairs(keys) do
    local key = is_identifier(k) and k or "[" .. ouro.pretty(k, 1, seen) .. "]"
    parts[#parts + 1] = key .. " = " .. ouro.pretty(value[k], depth - 1, seen)
  end
  seen[value] = nil
  if #parts == 0 then return "{}" end
  return "{ " .. table.concat(parts, ", ") .. " }"
end

require("experiment")

return ouro
