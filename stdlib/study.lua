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

--- The LLM of `--set model=llm` (issue #17): SmolLM2-135M-Instruct, a fresh LoRA each generation.
study.LLM = "smollm2-135m-instruct"

--- The study's instruction per domain ("Generate a twitter post."), by catalog set name.
study.prompts = {
  tweets = "Generate a twitter post.",
  movie_reviews = "Generate a movie review.",
  nyt_editorials = "Generate a newspaper editorial.",
  fortunes = "Generate a fortune cookie quote.",
  amazon_reviews = "Generate a product review.",
  sotu = "Generate a paragraph of a State of the Union address.",
}

--- Run sizes from the command line's `--set` (ouro.params). Each default is a number or a pair
--- `{ full, quick }` (`--set quick=true` takes the second); `--set NAME=V` overrides either.
--- `--set model=llm` runs the loops with the LLM (`study.LLM`) instead of n-gram models and takes the
--- sizes in `llm` (the quick LLM grid: an LLM generation costs ~1,000× an n-gram one) over `defaults`.
--- Returns the sizes by name plus `quick` and `model` ("ngram" or "llm"); `seeds` is returned as the
--- list 1…S; `--set sets=a,b` gives `sets` as a list of names (otherwise `defaults.sets`).
function study.params(defaults, llm)
  local P = ouro.params
  local quick = P.quick == true or P.quick == "true" or P.quick == 1
  local model = P.model or "ngram"
  if model ~= "ngram" and model ~= "llm" then
    error(("--set model must be 'ngram' or 'llm', got '%s'"):format(tostring(model)), 2)
  end
  local out = { quick = quick, model = model }
  for k, v in pairs(defaults) do
    if type(v) == "table" and k ~= "sets" then v = quick and v[2] or v[1] end
    out[k] = v
  end
  if model == "llm" then
    for k, v in pairs(llm or {}) do out[k] = v end
  end
  for k, v in pairs(P) do
    if k ~= "quick" and k ~= "sets" and k ~= "model" then out[k] = v end
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
  study.model = model
  study.judge_n = out.judge_n or study.judge_n
  return out
end

--- The metric names an experiment computes: `names`; when the loops run with the LLM, `quality` (the
--- n-gram proxy) is replaced by `judge_quality` (the LLM judge, below).
function study.metrics(names)
  local out = {}
  for _, n in ipairs(names) do
    -- The n-gram proxy saturates on LLM text (its perplexity under an order-3 model of a few dozen
    -- reference documents exceeds the vocabulary size: quality 0 every generation); the judge replaces it.
    if not (study.model == "llm" and n == "quality") then out[#out + 1] = n end
  end
  if study.model == "llm" then
    study.register_judge()
    out[#out + 1] = "judge_quality"
  end
  return out
end

--- Registers the metric `judge_quality`: the study's LLM judge (quality 0–100: `m:judge` with the
--- built-in "quality" rubric, the expected rating from the digit probabilities) of the first `judge_n`
--- texts of a generation's evaluation sample (`--set judge_n=N`, default 16; ~1.2 s a text on 2 cores).
--- The judge is the base SmolLM2, never a fine-tuned generation; docs/RESULTS.md says how far a 135M
--- judge can be trusted.
--- Texts the judge scores per generation (`--set judge_n=N` through study.params).
study.judge_n = 16

--- Seconds the judge takes per text on 2 cores (scale 100, a tweet-length text; measured), for the estimate.
study.JUDGE_SECONDS = 1.2

function study.register_judge()
  if study._judge then return end
  study._judge = ouro.model.llm(study.LLM)
  local n = study.judge_n
  ouro.metrics.register("judge_quality", function(texts)
    local first = {}
    for i = 1, math.min(n, #texts) do first[i] = texts[i] end
    local s = study._judge:judge(first, { rubric = "quality" })
    local sum = 0
    for i = 1, #s do sum = sum + s[i] end
    return sum / #s
  end, { description = ("LLM judge: expected quality rating 0-100 (%s) of the first %d texts"):format(study.LLM, n),
         seconds = study.JUDGE_SECONDS * n })
end

--- `experiment(spec)` with the study's loop where `spec` says nothing else: every generation a
--- fresh finetune of the base model, fresh human documents (`fresh_human = true`) mixed with
--- synthetic ones drawn from the pool of all earlier generations (`accumulate = true`), sampled at
--- temperature 1.5 / min_p 0.2, at most 60 new tokens.
--- `--set model=ngram`: the finetune is `{ weight = 0.8 }` (0.2·p_base + 0.8·p_train of `spec.base`).
--- `--set model=llm`: the base is `study.LLM`, given a fresh LoRA each generation with the study's
--- recipe (rank 16, alpha 16, all seven projections, AdamW 2e-4 → 0, batch 16, 1 epoch: the engine's
--- defaults for what `spec.llm_finetune` leaves out), prompted with `spec.prompt` (a string or
--- function(text); see `study.prompts`); `spec.base` is then unused.
function study.experiment(spec)
  local llm = study.model == "llm"
  if llm then
    if spec.prompt == nil then error("study.experiment: an LLM loop needs prompt = \"…\" (see study.prompts)", 2) end
    spec.base = ouro.model.llm(study.LLM)
    spec.finetune = spec.llm_finetune
  else
    spec.prompt = nil
  end
  spec.llm_finetune = nil
  local defaults = {
    finetune = (not llm) and { weight = 0.8 } or nil,
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
--- generation 0) with 3 decimals and the half-width of its 95% confidence interval over the seeds;
--- for positivity, near 0, the signed difference instead.
--- The half-width of a 95% confidence interval as a table entry ("±0.123"); "" when there is none (NaN: one seed).
function study.ci(x) return x == x and ("±%.3f"):format(x) or "" end

function study.shift(r, metric, cell, last)
  local s = r:shift(metric, { cell = cell, last = last })
  local ci = study.ci
  if metric == "positivity" then return ("%+.3f%s"):format(s.difference, ci(s.difference_ci95)) end
  return ("%.3f%s"):format(s.ratio, ci(s.ratio_ci95))
end

--- Prints `k` texts of generation 0 and of generation `last` of `cell` (seed 1), one line each.
function study.examples(r, cell, last, k, label)
  for _, g in ipairs{ 0, last } do
    print(("\n%s, generation %d (seed 1):"):format(label or ("cell " .. cell), g))
    local texts = r:texts{ cell = cell, seed = 1, generation = g }
    for i = 1, math.min(k or 3, #texts) do print("  • " .. texts[i]:gsub("\n", " ")) end
  end
end

--- Prints a Markdown table: the header names, then one line per row (arrays of strings).
function study.print_table(header, rows)
  print("| " .. table.concat(header, " | ") .. " |")
  print("|" .. string.rep("---|", #header))
  for _, row in ipairs(rows) do print("| " .. table.concat(row, " | ") .. " |") end
end

return study
