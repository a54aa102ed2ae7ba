-- shumailov_gmm.lua — Shumailov et al. (Nature 2024): a Gaussian mixture refitted by EM on its own
-- samples loses its tails and collapses.
--
-- Human data: ½N(−3, 1) + ½N(3, 1). Each generation fits a 2-component GMM by EM to n rows drawn
-- from the previous generation's mixture (replace). Closed form: an EM M-step keeps the sample's
-- mean and MLE variance, so the fitted mixture's variance follows the Gaussian MLE loop,
-- E[σ²_g] = σ²·((n−1)/n)^(g+1), and its mean drifts, E[(μ_g − μ)²] = σ²·(1 − ((n−1)/n)^(g+1)),
-- whatever the mixture's shape. Both are read off the fitted model (metrics of kind "model").
-- The tails: the mixture's mass more than 2 from its components' means (4.6% for the human data)
-- shrinks as the components narrow (no closed form; printed).
--
--   ouro run experiments/classics/shumailov_gmm.lua               (400 seeds, 40 generations)
--   ouro run experiments/classics/shumailov_gmm.lua --set seeds=40
local classics = require("classics")
local n, G = ouro.params.n or 100, ouro.params.generations or 40
local human = ouro.data.mixture{ components = { { weight = 0.5, mean = -3, sd = 1 }, { weight = 0.5, mean = 3, sd = 1 } },
                                 n = 100000, seed = 1 }
local mu, s2 = 0, 0                                    -- the human pool's own mean and variance
for _, x in ipairs(human:values()) do mu = mu + x end
mu = mu / human:count()
for _, x in ipairs(human:values()) do s2 = s2 + (x - mu) ^ 2 end
s2 = s2 / human:count()

ouro.metrics.register("mix_variance", function(m) return m.variance end, { kind = "model", description = "the fitted mixture's variance" })
ouro.metrics.register("mix_mean_drift", function(m) return (m.mean - mu) ^ 2 end, { kind = "model", description = "(μ_g − μ)²" })
local function upper(z)                                -- P(Z > z) (Abramowitz–Stegun 26.2.17, error < 1e-7)
  local t = 1 / (1 + 0.2316419 * z)
  return math.exp(-z * z / 2) / math.sqrt(2 * math.pi) * t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))))
end
ouro.metrics.register("tail_mass", function(m)          -- mass beyond 2 (the human sd) from each component's mean
  local s = 0
  for c, w in ipairs(m.weights) do s = s + w * 2 * upper(2 / math.sqrt(m.variances[c])) end
  return s
end, { kind = "model", description = "Σ w_c P(|x − μ_c| > 2)" })

local function report(r)
  local a = classics.compare(("mixture variance, n = %d"):format(n), r:series("mix_variance"),
    function(g) return ouro.oracle.mle_variance{ sigma2 = s2, n = n, g = g } end, 5)
  local b = classics.compare("(μ_g − μ)²", r:series("mix_mean_drift"),
    function(g) return ouro.oracle.mle_mean_drift{ sigma2 = s2, n = n, g = g } end, 5)
  print("\ntail mass Σ w_c P(|x − μ_c| > 2) of the fitted mixture (human data: 0.0455; no closed form)")
  for _, p in ipairs(r:series("tail_mass")) do
    if p.generation % 10 == 0 or p.generation == G - 1 then print(("  g = %2d: %.4f"):format(p.generation, p.mean)) end
  end
  print(("\nworst |z| = %.2f"):format(math.max(a, b)))
end

experiment {
  name = "shumailov_gmm", human = human, model = ouro.model.gmm{ k = 2 },
  generations = G, train_size = n, synthetic_ratio = 1, fresh_human = false, accumulate = false,
  metrics = { "mix_variance", "mix_mean_drift", "tail_mass" }, eval_size = 1, seeds = classics.seeds(400),
  after = report,
}
