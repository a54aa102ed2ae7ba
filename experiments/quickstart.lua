-- quickstart.lua — Ouro's main job: a recursive training loop on real tweets, end to end.
--
-- Human data: the 4,200 tweets of the VADER ground-truth set (`ouro data` builds the catalog).
-- Each generation trains an order-3 Kneser–Ney model on `train_size` tweets, a mix of fresh human
-- tweets and the previous generation's output (accumulated, as in Kovač et al. 2025), samples new
-- tweets at temperature 1.5 / min_p 0.2, and measures them. Three synthetic ratios × 3 seeds ×
-- 10 generations; a few minutes on 2 cores. Smaller first?  --set generations=4
--
--   ouro run experiments/quickstart.lua            (writes results/quickstart.db and its report)
local tweets = ouro.data.load("tweets"):filter{ strip_links = true, dedup = true, min_tokens = 3 }
print(("human data: %s"):format(tostring(tweets)))
local G = ouro.params.generations or 10

-- After every cell ran (once, in the coordinating process): the summary.
local function after(r)
  print(("\n%-18s %10s %10s %10s"):format("shift (last 5 / g0)", "ratio 1/4", "ratio 1/2", "ratio 1"))
  for _, metric in ipairs{ "semantic_diversity", "self_bleu", "distinct_2", "positivity", "length" } do
    local row = { ("%-18s"):format(metric) }
    for cell = 1, 3 do row[#row + 1] = ("%10.3f"):format(r:shift(metric, { cell = cell, last = 5 }).ratio) end
    print(table.concat(row, " "))
  end
  print("\nsome generated tweets (ratio 1, seed 1, last generation):")
  local texts = r:texts{ cell = 3, seed = 1, generation = G - 1 }
  for i = 1, math.min(3, #texts) do print("  • " .. texts[i]) end
  print("\nreport: " .. r:report())
end

experiment {
  name = "quickstart",
  human = tweets,
  model = ouro.model.ngram{ order = 3 },                  -- fitted fresh every generation
  generations = G,
  train_size = 400,
  synthetic_ratio = 0.5,                                  -- replaced by the grid below
  fresh_human = true,                                     -- a disjoint slice of human tweets per generation
  accumulate = true,                                      -- train on a pool of all generations ≥ 1
  sampling = { temperature = 1.5, min_p = 0.2, max_new_tokens = 50 },
  metrics = { "semantic_diversity", "self_bleu", "distinct_2", "word_entropy", "positivity", "length", "js_unigram" },
  eval_size = 150,
  seeds = { 1, 2, 3 },
  grid = { synthetic_ratio = { 0.25, 0.5, 1 } },
  after = after,
}
