-- kazdan_subsample.lua — Kazdan et al. (2024), "Collapse or Thrive?": accumulate-subsample, a fixed
-- training budget drawn from everything generated so far (human data included), lies between
-- replace (collapse) and accumulate-all (bounded error).
--
-- A Gaussian mean with known σ = 1, n rows per generation, all synthetic after generation 0.
-- Closed forms for E[(μ_g − μ)²]: replace σ²(g+1)/n; accumulate σ²/n·Σ_{k≤g+1} 1/k²; subsample:
-- the exact moment recursion of ouro.oracle.gaussian_mean_error (Oracles.gaussianMeanError).
--
--   ouro run experiments/classics/kazdan_subsample.lua          (400 seeds, 20 generations)
local classics = require("classics")
local n, G = ouro.params.n or 20, ouro.params.generations or 20
local human = ouro.data.normal{ mean = 0, sd = 1, n = 100000, seed = 1 }
local mu = ouro.metrics.compute(human, { "mean" }).mean

ouro.metrics.register("mean_error", function(m) return (m.mean - mu) ^ 2 end, { kind = "model", description = "(μ_g − μ)²" })

local function report(r)
  local worst = 0
  for cell, mode in ipairs({ "replace", "accumulate", "subsample" }) do
    worst = math.max(worst, classics.compare(("E[(μ_g − μ)²], %s, n = %d"):format(mode, n), r:series("mean_error", { cell = cell }),
      function(g) return ouro.oracle.gaussian_mean_error{ n = n, g = g, mode = mode } end, 4))
  end
  print(("\nworst |z| = %.2f"):format(worst))
end

experiment {
  name = "kazdan_subsample", human = human, model = ouro.model.gaussian{ known_sd = 1 },
  generations = G, train_size = n, synthetic_ratio = 1, fresh_human = false,
  metrics = { "mean_error" }, eval_size = 1, seeds = classics.seeds(400),
  grid = { { accumulate = "replace" }, { accumulate = "all" }, { accumulate = "subsample" } },
  after = report,
}
