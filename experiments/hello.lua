-- hello.lua — a first look at Ouro's Lua surface. Run it with:  ouro run experiments/hello.lua
-- Parameters come from the command line:               ouro run experiments/hello.lua --set name=Ada
local name = ouro.params.name or "world"
print(("Hello, %s! This is Ouro %s."):format(name, ouro.version))

-- A table printed readably, and a timer.
local t0 = ouro.now()
local squares = {}
for i = 1, 5 do squares[i] = i * i end
print("squares:", ouro.pretty(squares))
print(("took %.3f ms"):format((ouro.now() - t0) * 1000))
