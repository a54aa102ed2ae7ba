-- judge_agreement.lua — how far can a 135M LLM judge be trusted? (issue #17; docs/RESULTS.md)
--
-- The study scores quality with an LLM judge; Ouro's judge is SmolLM2-135M-Instruct asked for a 0–100
-- rating with a fixed rubric, the score being the expected rating under its digit probabilities
-- (m:judge, docs/llm.md). Three checks on N human tweets (VADER's ground-truth set, each with a mean human
-- sentiment rating from −4 to +4):
--   1. the positivity judge against the human sentiment ratings (and VADER against them, for scale);
--   2. the quality judge against the n-gram quality proxy (ouro.score.quality, docs/metrics.md);
--   3. the quality judge on the tweets against the same tweets with their words shuffled (word salad):
--      a judge worth its name rates the real tweets higher, nearly always.
-- Agreement is the standardized OLS slope of one score on the other (= Pearson's r) with its 95% CI, and
-- the same on ranks (Spearman's ρ).
--
--   ouro run experiments/judge_agreement.lua                 (N = 100: ~5 minutes on 2 cores)
--   ouro run experiments/judge_agreement.lua --set n=300
local N = ouro.params.n or 100
local m = ouro.model.llm("smollm2-135m-instruct")
local tweets = ouro.data.load("tweets"):filter{ strip_links = true, dedup = true, min_tokens = 3 }:sample(N, { seed = 11 })
local human = tweets:column("sentiment")

local function ranks(v)
  local order = {}
  for i = 1, #v do order[i] = i end
  table.sort(order, function(a, b) if v[a] ~= v[b] then return v[a] < v[b] end return a < b end)
  local r, i = {}, 1
  while i <= #order do            -- ties share their mean rank
    local j = i
    while j < #order and v[order[j + 1]] == v[order[i]] do j = j + 1 end
    for k = i, j do r[order[k]] = (i + j) / 2 end
    i = j + 1
  end
  return r
end

local function agreement(label, y, x)
  local function line(kind, yy, xx)
    local f = ouro.stats.ols{ y = yy, x = { x = xx }, standardize = true, folds = 0 }
    return ("%s %+.3f [%+.3f, %+.3f] (p = %.2g)"):format(kind, f.coef.x, f.ci95.x[1], f.ci95.x[2], f.p.x)
  end
  print(("| %s | %s | %s |"):format(label, line("r", y, x), line("ρ", ranks(y), ranks(x))))
end

local function mean(v) local s = 0; for i = 1, #v do s = s + v[i] end; return s / #v end

local t0 = os.time()
local texts, h, vader = tweets:texts(), {}, {}
for i = 1, #texts do h[i] = tonumber(human[i]); vader[i] = ouro.score.vader(texts[i]).compound end
local pos, pos_mass = m:judge(texts, { rubric = "positivity" })
local qual, qual_mass = m:judge(texts, { rubric = "quality" })
-- The proxy's reference: quality.lua's judge of general English (amazon_reviews + 3,000 SOTU paragraphs).
local clean = { strip_links = true, dedup = true, min_tokens = 3, max_tokens = 120 }
local reference = ouro.model.ngram{ order = 3 }:fit(ouro.data.concat{
  ouro.data.load("amazon_reviews"):filter(clean),
  ouro.data.load("sotu"):filter(clean):sample(3000, { seed = 7 }),
})
local proxy = ouro.score.quality(tweets, { reference = reference, per_document = true })

-- Word salad: each tweet's words in a seeded random order (the same words, no syntax).
local g = 12345
local function rand(n) g = (g * 1103515245 + 12345) % 2147483648; return g % n + 1 end
local salad = {}
for i, t in ipairs(texts) do
  local w = {}
  for word in t:gmatch("%S+") do w[#w + 1] = word end
  for k = #w, 2, -1 do local j = rand(k); w[k], w[j] = w[j], w[k] end
  salad[i] = table.concat(w, " ")
end
local qsalad = m:judge(salad, { rubric = "quality" })
local wins = 0
for i = 1, #texts do if qual[i] > qsalad[i] then wins = wins + 1 end end

print(("%d human tweets (VADER ground truth, seed 11); judge = %s, expected rating 0–100\n"):format(#texts, m.name))
print("| scores compared | Pearson | Spearman |")
print("|---|---|---|")
agreement("positivity judge vs human sentiment", h, pos)
agreement("VADER compound vs human sentiment", h, vader)
agreement("quality judge vs n-gram quality proxy", proxy, qual)
agreement("positivity judge vs quality judge", qual, pos)
print(("\nmean positivity judge %.1f (P(number) %.2f), mean quality judge %.1f (P(number) %.2f)")
  :format(mean(pos), mean(pos_mass), mean(qual), mean(qual_mass)))
print(("quality judge: real tweets %.1f vs their words shuffled %.1f; the real tweet rated higher in %d of %d (%.0f%%)")
  :format(mean(qual), mean(qsalad), wins, #texts, 100 * wins / #texts))
print(("\n%d s"):format(os.time() - t0))
