-- datasets.lua — finding 1 of the reference study (PAPER.md): does the shift depend on the human data set?
--
-- Four human sets (tweets, movie_reviews, nyt_editorials, fortunes) × synthetic ratios 1/16 … 1, the
-- study's protocol: every generation trains on `train_size` documents, fresh human documents mixed with
-- synthetic ones drawn from an accumulating pool (fresh_human + accumulate), and the model of each
-- generation is a *fresh finetune of one base model*: base = an order-3 Kneser–Ney model pretrained on
-- text that is none of the four sets (amazon_reviews + 3,000 State of the Union paragraphs), finetuned as
-- the mixture (1 − w)·p_base + w·p_train with w = 0.8. Sampling at temperature 1.5 / min_p 0.2.
--
-- train_size = 200: with fresh human data a cell needs T + Σ_{g≥1} (T − round(r·T)) documents, i.e.
-- 200 + 19 · 187 = 3,753 at r = 1/16 and 20 generations; tweets (4,200, ~4.1k after dedup) is the binding
-- constraint (T = 220 would need 4,121 and leave no margin).
--
-- One experiment (and results database) per human set: results/paper_datasets_<set>.db + report.
--   ouro run experiments/paper/datasets.lua --jobs 2                  (full grid: 4 × 5 ratios × 5 seeds × 20 g)
--   ouro run experiments/paper/datasets.lua --jobs 2 --set quick=true (4 × 3 ratios × 3 seeds × 8 g)
-- Other parameters: --set generations=N seeds=N train_size=N eval_size=N sets=tweets,fortunes
local study = require("study")   -- the protocol the paper files share (stdlib/study.lua)
local P = study.params{ generations = { 20, 8 }, seeds = { 5, 3 }, train_size = 200, eval_size = { 100, 60 },
                        sets = { "tweets", "movie_reviews", "nyt_editorials", "fortunes" } }
local G, T = P.generations, P.train_size
local ratios = P.quick and { 1 / 16, 1 / 4, 1 } or { 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1 }
local clean = study.clean

-- The "pretrained" base model: general text that is none of the four study sets.
local pretraining = ouro.data.concat{
  ouro.data.load("amazon_reviews"):filter(clean),
  ouro.data.load("sotu"):filter(clean):sample(3000, { seed = 7 }),
}
local base = ouro.model.ngram{ order = 3 }:fit(pretraining)

-- quality = dict_rate × fluency under an order-3 model of the human reference sample (docs/metrics.md).
local METRICS = { "semantic_diversity", "lexical_diversity", "quality", "positivity", "length" }

-- After each set's experiment: its report and its rows of the shift table; after all of them: the table.
local rows = {}
for _, set in ipairs(P.sets) do
  study.experiment {   -- fresh finetune (0.8), T 1.5 / min_p 0.2
    name = "paper_datasets_" .. set,
    human = ouro.data.load(set):filter(clean),
    base = base,
    generations = G,
    train_size = T,
    synthetic_ratio = 0.25,                -- replaced by the grid
    metrics = METRICS,
    eval_size = P.eval_size,
    seeds = P.seeds,
    grid = { synthetic_ratio = ratios },
    after = function(r)
      print(("%s: report: %s"):format(set, r:report()))
      for cell, ratio in ipairs(ratios) do
        local row = { set, study.ratio_label(ratio) }
        for _, m in ipairs(METRICS) do row[#row + 1] = study.shift(r, m, cell, math.min(5, G - 1)) end
        rows[#rows + 1] = row
      end
    end,
  }
end

after_all(function()
  print(("\nShift = mean of the last %d generations ÷ generation 0, mean over %d seeds (positivity: difference)\n"):format(math.min(5, G - 1), #P.seeds))
  study.print_table({ "set", "ratio", table.unpack(METRICS) }, rows)
end)
