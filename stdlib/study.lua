--- study — what the experiment files of the reference study (experiments/paper/*.lua, PAPER.md)
--- share: run sizes from `--set`, the data filter, the loop protocol, the shift tables.
---
---   local study = require("study")
---   local P = study.params{ generations = { 20, 8 }, seeds = { 5, 3 }, train_size = 200 }
---   local e = study.experiment{ name = "x", human = d, base = base, generations = P.generations,
---                               train_size = P.train_size, synthetic_ratio = 0.25, seeds = P.seeds,
---                               metrics = { "semantic_diversity" }, eval_size = 100 }
---   study.print_table({ "set", "ratio", "semantic_diversity" }, rows)
local ouro = ouro
local study = {}

--- The documents the study's loops keep: links stripped, exact duplicates dropped, 3–120 tokens.
study.clean = { strip_links = true, dedup = true, min_tokens = 3, max_tokens = 120 }

--- Run sizes from the command line's `--set` (ouro.params). Each default is a number or a pair
--- `{ full, quick }` (`--set quick=true` takes the second); `--set NAME=V` overrides either.
--- Returns the sizes by name plus `quick`; `seeds` is returned as the list 1…S; `--set sets=a,b`
--- gives `sets` as a list of names (otherwise `defaults.sets`).
function study.params(defaults)
  local P = ouro.params
  local quick = P.quick == true or P.quick == "true" or P.quick == 1
  local out = { quick = quick }
  for k, v in pairs(defaults) do
    if type(v) == "table" and k ~= "sets" then v = quick and v[2] or v[1] end
    out[k] = v
  end
  for k, v in pairs(P) do
    if k ~= "quick" and k ~= "sets" then out[k] = v end
  end
  if type(out.seeds) == "number" then
    local list = {}
    for i = 1, out.seeds do list[i] = i end
    out.seeds = list
  end
  if P.sets then
    out.sets = {}
    for s in tostring(P.sets):gmatch("[^,]+") do out.sets[#out.sets + 1] = s end
  end
  return out
end

--- `experiment(spec)` with the study's loop where `spec` says nothing else: every generation a
--- fresh finetune of the base model (`finetune = { weight = 0.8 }`, i.e. 0.2·p_base + 0.8·p_train),
--- fresh human documents (`fresh_human = true`) mixed with synthetic ones drawn from the pool of all
--- earlier generations (`accumulate = true`), sampled at temperature 1.5 / min_p 0.2, at most 60
--- new tokens.
function study.experiment(spec)
  local defaults = {
    finetune = { weight = 0.8 },
    fresh_human = true,
    accumulate = true,
    sampling = { temperature = 1.5, min_p = 0.2, max_new_tokens = 60 },
  }
  for k, v in pairs(defaults) do
    if spec[k] == nil then spec[k] = v end
  end
  return experiment(spec)
end

--- A synthetic ratio as the study writes it: 1, 1/2, 1/16.
function study.ratio_label(r)
  return r == 1 and "1" or ("1/%d"):format(math.floor(1 / r + 0.5))
end

--- The shift of `metric` in `cell` as a table entry: the ratio (mean of the last `last` generations ÷
--- generation 0) with 3 decimals; for positivity, near 0, the signed difference instead.
function study.shift(r, metric, cell, last)
  local s = r:shift(metric, { cell = cell, last = last })
  if metric == "positivity" then return ("%+.3f"):format(s.difference) end
  return ("%.3f"):format(s.ratio)
end

--- Prints a Markdown table: the header names, then one line per row (arrays of strings).
function study.print_table(header, rows)
  print("| " .. table.concat(header, " | ") .. " |")
  print("|" .. string.rep("---|", #header))
  for _, row in ipairs(rows) do print("| " .. table.concat(row, " | ") .. " |") end
end

return study
