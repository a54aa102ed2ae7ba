-- fuzz.lua — random and mutated calls of every `ouro` function and every method of every Ouro
-- object, with random arguments of every Lua type (boundary numbers, NaN/inf, deep and cyclic
-- tables, huge strings, NUL bytes, invalid UTF-8, paths that try to escape, callbacks that fail).
--
-- It runs as an ordinary, sandboxed experiment file; scripts/fuzz/run.sh starts it in a scratch
-- folder (with tiny.jsonl beside it), many processes in a row, and reports any process that dies
-- (a host crash) with a minimal reproducer. Every call is generated as Lua source text, printed
-- (`CALL <n> <text>`) before it runs, so the last line of a dead process is the call that killed it.
--
--   ouro run fuzz.lua --set seed=1 --set calls=3000 [--set quiet=true]
--   ouro run fuzz.lua --set call='<text>'                      (one call: a reproducer)
-- A call's error is fine (that is the API rejecting bad input); only the process dying is a finding.
-- Prints `DONE <calls> <errors>` at the end.

local seed = math.tointeger(ouro.params.seed) or 1
local calls = math.tointeger(ouro.params.calls) or 1000
local quiet = ouro.params.quiet == true
math.randomseed(seed)
-- The fuzzer's own generator (64-bit LCG, top 53 bits): a call under test may reseed math.random
-- (`e:plan()` and `e:run()` do, so experiments are deterministic), which would replay the same
-- calls over and over.
local rng_state = seed * 2654435761 + 1
local function random(m, n)
  rng_state = rng_state * 6364136223846793005 + 1442695040888963407   -- integers wrap
  local r = (rng_state >> 11) / 2.0 ^ 53
  if n == nil then m, n = 1, m end
  return m + math.floor(r * (n - m + 1))
end

-- The objects every call may use, built the same way in every process and in every reproducer.
PRELUDE = [[
function deep(n, leaf) local t = leaf or {} for i = 1, n do t = { t } end return t end
function deepmap(n) local t = {} for i = 1, n do t = { x = t } end return t end
function cyclic() local t = { 1 } t[2] = t t.self = t return t end
function big(n) local t = {} for i = 1, n do t[i] = "w" .. (i % 97) end return t end
D = ouro.data.from{ "the cat sat on the mat", "a dog ran far away", "the red cat sat", "big dogs sat on a mat" }
M = ouro.model.ngram{ order = 2 }:fit(D)
N = ouro.data.normal{ n = 20, seed = 1 }
G = ouro.model.gaussian{}:fit(N)
K = ouro.data.categorical{ probs = { 0.5, 0.3, 0.2 }, n = 30, seed = 1 }
L = ouro.data.load("tiny.jsonl")
C = ouro.classifier.train(L, { label = "party", kind = "logistic" })
]]
assert(load(PRELUDE, "=prelude", "t"))()

-- An Experiment and its Results (once per process): their methods are fuzzed too.
local ok = pcall(function()
  E = experiment{ name = "fuzz" .. seed, human = D, model = ouro.model.ngram{ order = 1 }, generations = 1,
                  train_size = 2, eval_size = 2, metrics = { "length" }, seeds = { 1 } }
  R = E:run{ quiet = true, force = true }
end)
local objects = { "D", "M", "N", "G", "K", "L", "C", "E", "R" }

-- Every function reachable from `ouro` (new functions are covered without editing this file).
local functions = {}
local function collect(t, prefix, seen)
  if seen[t] then return end
  seen[t] = true
  local keys = {}
  for k in pairs(t) do if type(k) == "string" then keys[#keys + 1] = k end end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local v = rawget(t, k)
    local name = prefix .. "." .. k
    if type(v) == "function" then functions[#functions + 1] = name
    elseif type(v) == "table" and k ~= "params" and k ~= "_experiments" then collect(v, name, seen) end
  end
end
collect(ouro, "ouro", {})
functions[#functions + 1] = "experiment"

-- Every method of every object (the methods table is what getmetatable shows of an Ouro object).
local methods = {}
for _, o in ipairs(objects) do
  local v = _G[o]
  local mt = v ~= nil and getmetatable(v)
  local index = type(mt) == "table" and (rawget(mt, "__index") or {}) or {}
  if type(index) == "table" then
    local names = {}
    for k, f in pairs(index) do if type(f) == "function" and type(k) == "string" then names[#names + 1] = k end end
    table.sort(names)
    for _, k in ipairs(names) do methods[#methods + 1] = { o, k } end
  end
end

-- Random arguments, as Lua source text.
local function pick(t) return t[random(#t)] end
local numbers = { "0", "1", "-1", "2", "3", "7", "0.5", "-0.5", "1e-300", "1e300", "-1e300", "1/0", "-1/0", "0/0",
                  "math.maxinteger", "math.mininteger", "2^53", "2^31", "2^31 - 1", "-2^31", "2^63", "255", "65536",
                  "1e6", "100", "10", "0.1", "0.99", "1.5", "-7" }
local strings = { '""', '"a"', '"text"', '"the cat"', '"\\0"', '"a\\0b"', '("x"):rep(100000)', '("ab "):rep(20000)',
                  '"\\255\\254"', '"caf\\233"', '"%"', '"("', '"[a-"', '"%b()"', '"/etc/passwd"', '"../../../../etc/passwd"',
                  '"/etc/passwd\\0/" .. ("../"):rep(12) .. ouro.data_folder .. "/x.txt"', '"tweets"', '"results/x.db"',
                  '"tiny.jsonl"', '"out.jsonl"', '"x\\0.jsonl"', '"sub/dir/out.jsonl"', '"length"', '"self_bleu"',
                  '"party"', '"logistic"', '"kneser-ney"', '"mle"', '"word"', '"character"', '("é"):rep(1000)',
                  '"' .. ("y"):rep(300) .. '"', 'string.char(0, 1, 2, 200, 255)', '"\\n\\n"' }
local keys = { "n", "seed", "order", "k", "window", "temperature", "top_k", "top_p", "min_p", "repetition_penalty",
               "max_new_tokens", "prompt", "text", "tokenizer", "label", "kind", "weight", "mean", "sd", "probs", "g",
               "sigma2", "sigma", "h0", "rho", "metrics", "cells", "out", "jobs", "name", "smoothing", "min_tokens",
               "max_tokens", "strip_links", "dedup", "sample", "dimensions", "features", "folds", "shares",
               "estimator", "categories", "max_iterations", "paragraphs", "format", "last", "cell", "generation",
               "y", "x", "standardize", "quiet", "force", "resume", "png", "batch", "min_df", "c", "alpha", "bigrams",
               "tfidf", "human", "model", "generations", "train_size", "eval_size", "seeds", "grid", "invalid_utf8" }

local value
local function tableValue(depth)
  local r = random(14)
  if r == 1 then return "{}" end
  if r == 2 then return "deep(" .. pick({ "80", "99", "100", "101", "200", "5000" }) .. ")" end
  if r == 3 then return "deepmap(" .. pick({ "100", "150", "3000" }) .. ")" end
  if r == 4 then return "cyclic()" end
  if r == 5 then return "big(" .. pick({ "10", "1000", "100000" }) .. ")" end
  if r == 6 then return "{ [1.5] = 1 }" end
  if r == 7 then return "{ [true] = 1, [2] = 3 }" end
  if r == 8 then return "{ 1, nil, 3 }" end
  if r == 9 then return "{ 0.25, 0.5, 1 }" end
  if r == 10 then return "{ D, D }" end
  -- an option table with keys from the pool
  local parts = {}
  for _ = 1, random(0, 4) do
    if random(5) == 1 then parts[#parts + 1] = value(depth + 1)
    else parts[#parts + 1] = pick(keys) .. " = " .. value(depth + 1) end
  end
  return "{ " .. table.concat(parts, ", ") .. " }"
end
function value(depth)
  depth = depth or 0
  local r = random(depth > 1 and 7 or 10)
  if r <= 3 then return pick(numbers) end
  if r <= 5 then return pick(strings) end
  if r == 6 then return pick({ "nil", "true", "false" }) end
  if r == 7 then return pick(objects) end
  if r == 8 then
    return pick({ "function() end", "function() error('boom') end", "function() return 1 end",
                  "function(x) return x end", "function() return {} end", "function() for i = 1, 1e5 do end return 0.5 end",
                  "print", "coroutine.create(function() end)", "function() return ('z'):rep(1e6) end" })
  end
  return tableValue(depth)
end

local function args()
  local a = {}
  for i = 1, random(0, 4) do a[i] = value() end
  return a
end

local function callText(kind, target, a)
  local list = table.concat(a, ", ")
  if kind == "f" then return ("%s(%s)"):format(target, list) end
  if kind == "m" then return ("%s:%s(%s)"):format(target[1], target[2], list) end
  return ("%s.%s(%s)"):format(target[1], target[2], list)   -- a method with a wrong self
end

local env = setmetatable({}, { __index = _G })
local function run(text)
  local f, err = load("local _ = " .. text, "=call", "t", env)
  if not f then f, err = load(text, "=call", "t", env) end
  if not f then return false, err end
  return pcall(f)
end

local single = ouro.params.call
if type(single) == "string" then
  io.write("CALL 1 ", single, "\n")
  local okc, err = run(single)
  io.write("RESULT ", tostring(okc), " ", tostring(err), "\n")
  io.write("DONE 1 ", okc and 0 or 1, "\n")
  return
end

-- The loop: mostly fresh calls; a third mutate a call that succeeded (one argument replaced).
local good = {}
local errors = 0
for n = 1, calls do
  local kind, target, a
  if #good > 0 and random(3) == 1 then
    local g = good[random(#good)]
    kind, target = g[1], g[2]
    a = { table.unpack(g[3]) }
    if #a > 0 then a[random(#a)] = value() else a[1] = value() end
  else
    local r = random(10)
    if r <= 5 then kind, target = "f", pick(functions)
    elseif r <= 9 then kind, target = "m", pick(methods)
    else kind, target = "s", pick(methods) end
    a = args()
  end
  local text = callText(kind, target, a)
  if not quiet then io.write("CALL ", n, " ", text, "\n") end
  local okc = run(text)
  if okc then
    if #good < 500 then good[#good + 1] = { kind, target, a } else good[random(500)] = { kind, target, a } end
  else
    errors = errors + 1
  end
  if n % 200 == 0 then collectgarbage() end
end
-- Experiments the calls declared are not run after the file (only what the fuzzer called ran).
for _, e in ipairs(rawget(ouro, "_experiments") or {}) do if type(e) == "table" then e.done = true end end
io.write("DONE ", calls, " ", errors, "\n")
