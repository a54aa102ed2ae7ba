-- political.lua — finding 4 of the reference study (PAPER.md): what recursive training does to the
-- political lean of text: reduction (towards 0), amplification (further from 0) or inversion (sign flip).
--
-- Human data: State of the Union paragraphs mixed 100/0, 75/25, 50/50, 25/75, 0/100 Democratic/Republican
-- (`ouro.data.mix_labels`). Each generation is a fresh finetune (weight 0.8) of a base order-3 model
-- pretrained on non-political text (amazon_reviews + 2,000 nyt_editorials), trained on `train_size`
-- documents at synthetic ratio 0.75 (fresh human + accumulate), sampled at temperature 1.5 / min_p 0.2.
-- Lean = mean P(Republican) − P(Democratic) of the shipped `party` classifier (logistic, tf-idf; held-out
-- accuracy 0.76 on paragraphs), a Lua metric. The human lean of each mix is printed beside it.
--
--   ouro run experiments/paper/political.lua --jobs 2                   (5 mixes × 5 seeds × 20 g)
--   ouro run experiments/paper/political.lua --jobs 2 --set quick=true  (5 mixes × 3 seeds × 8 g)
--   ouro run experiments/paper/political.lua --set model=llm           (quick LLM grid, below)
--
-- With --set model=llm the model is SmolLM2-135M-Instruct given a fresh rank-16 LoRA every generation
-- (the study's recipe, stdlib/study.lua), prompted "Generate a paragraph of a State of the Union
-- address."; the quick grid — the mixes 100/0, 50/50 and 0/100 × 2 seeds × 6 generations, 48 training
-- paragraphs and 48 samples of ≤ 80 tokens a generation — fits in about 45 minutes on 2 cores.
local study = require("study")   -- the protocol the paper files share (stdlib/study.lua)
local P = study.params({ generations = { 20, 8 }, seeds = { 5, 3 }, train_size = 200, eval_size = { 150, 80 }, ratio = 0.75 },
                       { generations = 6, seeds = 2, train_size = 48, eval_size = 48, max_new_tokens = 80 })
local G, T, RATIO = P.generations, P.train_size, P.ratio

local clf = ouro.classifier.load("party")
ouro.metrics.register("lean", function(texts) return clf:lean(texts) end,
  { description = "mean P(Republican) − P(Democratic) of the party classifier" })

local clean = { strip_links = true, dedup = true, min_tokens = 5, max_tokens = 120 }
local sotu = ouro.data.load("sotu"):filter(clean)
-- The pool a cell needs with fresh human data: T + (G − 1)·(T − round(ratio·T)), plus a margin.
local need = T + (G - 1) * (T - math.floor(RATIO * T + 0.5)) + 50
local shares = P.model == "llm" and { 1, 0.5, 0 } or { 1, 0.75, 0.5, 0.25, 0 }
local mixes, names = {}, {}
for i, dem in ipairs(shares) do
  local s = {}
  if dem > 0 then s.Democratic = dem end
  if dem < 1 then s.Republican = 1 - dem end
  names[i] = ("%d/%d"):format(math.floor(dem * 100 + 0.5), math.floor((1 - dem) * 100 + 0.5))
  mixes[i] = ouro.data.mix_labels(sotu, { label = "party", shares = s, n = need, seed = 1 }):named("D/R " .. names[i])
end

local pretraining = ouro.data.concat{
  ouro.data.load("amazon_reviews"):filter(clean),
  ouro.data.load("nyt_editorials"):filter(clean):sample(2000, { seed = 7 }),
}
local base = ouro.model.ngram{ order = 3 }:fit(pretraining)

-- After every cell ran (once, in the coordinating process): the summary.
local function after(r)
  local last = math.min(5, G - 1)
  print(("\nLean (P(R) − P(D)), mean over %d seeds; 'human' = the whole mix, g0 = the model trained on human data only"):format(#P.seeds))
  print("(± the half-width of the 95% confidence interval over the seeds, where there is more than one)")
  print("\n| D/R mix | human | g0 | last " .. last .. " g | last − g0 | change vs human | verdict |")
  print("|---|---|---|---|---|---|---|")
  for cell, mix in ipairs(mixes) do
    local human = clf:lean(mix)
    local series = r:series("lean", { cell = cell })
    local s = r:shift("lean", { cell = cell, last = last })   -- s.difference = mean of the last generations − g0
    local g0 = series[1].mean
    local tail = g0 + s.difference
    local verdict
    if math.abs(tail - human) < 0.02 then verdict = "unchanged (±0.02)"
    elseif human * tail < 0 and math.abs(tail) > 0.02 then verdict = "inversion"
    elseif math.abs(tail) > math.abs(human) then verdict = "amplification"
    else verdict = "reduction" end
    print(("| %s | %+.3f | %+.3f%s | %+.3f | %+.3f%s | %+.3f | %s |"):format(names[cell], human, g0, study.ci(series[1].ci95), tail,
      s.difference, study.ci(s.difference_ci95), tail - human, verdict))
  end
  print("\nper generation (cell = mix):")
  for cell = 1, #mixes do
    local row = {}
    for _, p in ipairs(r:series("lean", { cell = cell })) do row[#row + 1] = ("%+.2f"):format(p.mean) end
    print(("  %-6s %s"):format(names[cell], table.concat(row, " ")))
  end
  if P.model == "llm" then
    for cell, mix in ipairs(names) do study.examples(r, cell, G - 1, 2, "D/R " .. mix) end
  end
  print("\nreport: " .. r:report())
end

study.experiment {   -- fresh finetune (0.8), fresh human + accumulate, T 1.5 / min_p 0.2
  name = P.model == "llm" and "paper_llm_political" or "paper_political",
  prompt = study.prompts.sotu,           -- the LLM's instruction (unused by n-gram models)
  human = mixes[1],                      -- replaced by the grid: cell i = mix i (D/R shares above)
  base = base,
  generations = G,
  train_size = T,
  synthetic_ratio = RATIO,
  metrics = { "lean", "semantic_diversity", "length" },
  sampling = { temperature = 1.5, min_p = 0.2, max_new_tokens = P.max_new_tokens or 60 },
  eval_size = P.eval_size,
  seeds = P.seeds,
  grid = { human = mixes },
  after = after,
}
