-- properties.lua — finding 3 of the reference study (PAPER.md): which properties of the human data
-- predict the shift? (Study: higher lexical diversity → larger shift, higher semantic diversity → smaller.)
--
-- A pooled corpus (2,000 documents each of tweets, movie_reviews, nyt_editorials, fortunes, amazon_reviews)
-- is cut into k ≈ 100 clusters (k-means++ on TF-IDF + SVD, seed 1); clusters with fewer than MIN documents
-- are dropped. Each cluster is the human data of a loop (1 seed, ratios 1/8 and 1/4, fresh finetune of a
-- base model each generation, temperature 1.5 / min_p 0.2). Clusters are small, so the human data is a
-- fixed slice (fresh_human = false: later generations redraw their human share from the cluster's first
-- train_size documents) and the loop runs `generations` generations (shift = mean of the last 5 ÷ g0).
-- Properties of each cluster: `ouro.data.properties` on MIN documents (the same n for every cluster, so the
-- AIC "gaussianity" is comparable), quality against the base model. Then OLS (standardized, p-values,
-- 10-fold CV R², VIF) of the shift of semantic diversity and of quality on the properties, per ratio.
--
--   ouro run experiments/paper/properties.lua --jobs 2                   (k = 100, 12 generations)
--   ouro run experiments/paper/properties.lua --jobs 2 --set quick=true  (k = 24, 7 generations)
-- Other parameters: --set k=N generations=N train_size=N eval_size=N min=N by=tfidf|embedding
--   ouro run experiments/paper/properties.lua --set model=llm           (quick LLM grid, below)
--
-- With --set model=llm the model is SmolLM2-135M-Instruct given a fresh rank-16 LoRA every generation
-- (the study's recipe, stdlib/study.lua), prompted "Generate a short text." (a cluster mixes domains).
-- The quick grid — k = 14 clusters (≥ 9 needed for 7 properties), ratio 1/4, 2 seeds, 6 generations,
-- 20 training documents and 20 samples of ≤ 48 tokens a generation, the LLM judge (judge_quality, the
-- quality target) on 4 of them — fits in under an hour on 2 cores; with so few clusters the regression
-- can only show large effects, and the second seed halves the noise of each cluster's shift.
local study = require("study")   -- the protocol the paper files share (stdlib/study.lua)
local P = study.params({ k = { 100, 24 }, generations = { 12, 7 }, seeds = 1, train_size = 50, eval_size = 50, min = 60 },
                       { k = 14, generations = 6, seeds = 2, train_size = 20, eval_size = 20, judge_n = 4, max_new_tokens = 48 })
local K, G, T, EVAL, MIN = P.k, P.generations, P.train_size, P.eval_size, P.min
local ratios = P.model == "llm" and { 1 / 4 } or { 1 / 8, 1 / 4 }
-- With the LLM the n-gram quality proxy (0 on LLM text) gives way to the LLM judge (study.metrics).
local METRICS = study.metrics{ "semantic_diversity", "lexical_diversity", "quality" }
local QUALITY = METRICS[#METRICS]

local clean = study.clean
local parts = {}
for i, set in ipairs{ "tweets", "movie_reviews", "nyt_editorials", "fortunes", "amazon_reviews" } do
  parts[i] = ouro.data.load(set):filter(clean):sample(2000, { seed = i })
end
local corpus = ouro.data.concat(parts)
local clusters = {}
for _, c in ipairs(corpus:cluster{ k = K, by = P.by or "tfidf", seed = 1 }) do
  if c:count() >= math.max(MIN, T) then clusters[#clusters + 1] = c end
end
print(("%d of %d clusters hold at least %d documents"):format(#clusters, K, math.max(MIN, T)))

local base = ouro.model.ngram{ order = 3 }:fit(ouro.data.concat{
  ouro.data.load("sotu"):filter(clean):sample(3000, { seed = 7 }),
  ouro.data.load("amazon_reviews"):filter(clean):sample(1000, { seed = 8 }),
})

-- After every cell ran (once, in the coordinating process): the summary.
local function after(r)

  local NAMES = { "length", "lexical_diversity", "semantic_diversity", "positivity", "quality", "toxicity", "gaussianity" }
  local props = {}
  for i, c in ipairs(clusters) do props[i] = ouro.data.properties(c, { n = MIN, seed = 1, reference = base }) end

  local last = math.min(5, G - 1)
  for j, ratio in ipairs(ratios) do
    for _, target in ipairs{ "semantic_diversity", QUALITY } do
      local y, x = {}, {}
      for _, n in ipairs(NAMES) do x[n] = {} end
      for i = 1, #clusters do
        local s = r:shift(target, { cell = (i - 1) * #ratios + j, last = last })
        if s.ratio == s.ratio then             -- skip NaN
          y[#y + 1] = s.ratio
          for _, n in ipairs(NAMES) do x[n][#x[n] + 1] = props[i][n] end
        end
      end
      if #y <= #NAMES + 1 then
        print(("\n%s at ratio 1/%d: %d clusters are too few for %d properties (use a larger k)")
          :format(target, math.floor(1 / ratio + 0.5), #y, #NAMES))
        goto continue
      end
      local m = ouro.stats.ols{ y = y, x = x, standardize = true, folds = 10, seed = 1 }
      print(("\nShift of %s at ratio 1/%d on standardized properties (n = %d clusters): R² = %.3f, adj. R² = %.3f, 10-fold CV R² = %.3f\n")
        :format(target, math.floor(1 / ratio + 0.5), m.n, m.r2, m.adj_r2, m.cv_r2))
      print("| property | β | se | p | 95% CI | VIF |")
      print("|---|---|---|---|---|---|")
      for _, n in ipairs(NAMES) do
        print(("| %s | %+.3f | %.3f | %.3g | [%+.3f, %+.3f] | %.2f |"):format(n, m.coef[n], m.se[n], m.p[n],
          m.ci95[n][1], m.ci95[n][2], m.vif[n] or 0 / 0))
      end
      ::continue::
    end
  end
  if P.model == "llm" then
    for _, i in ipairs{ 1, #clusters } do
      study.examples(r, (i - 1) * #ratios + 1, G - 1, 3, ("cluster %d, ratio %s"):format(i, study.ratio_label(ratios[1])))
    end
  end
  print("\nreport: " .. r:report())
end

study.experiment {   -- fresh finetune (0.8), accumulate, T 1.5 / min_p 0.2
  name = P.model == "llm" and "paper_llm_properties" or "paper_properties",
  prompt = "Generate a short text.",    -- the LLM's instruction (unused by n-gram models)
  human = clusters[1],                  -- replaced by the grid
  base = base,
  generations = G,
  train_size = T,
  synthetic_ratio = ratios[1],
  fresh_human = false,                  -- clusters are small: a fixed human slice
  sampling = { temperature = 1.5, min_p = 0.2, max_new_tokens = P.max_new_tokens or 60 },
  metrics = METRICS,
  eval_size = EVAL,
  seeds = P.seeds,
  grid = { human = clusters, synthetic_ratio = ratios },   -- cell = (cluster − 1) · 2 + ratio index
  after = after,
}
