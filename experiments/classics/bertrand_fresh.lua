-- bertrand_fresh.lua — Bertrand et al. (ICLR 2024): retraining on a mix of synthetic and fresh real
-- data is stable when the real fraction ρ is large enough; with ρ = 0 the error grows without bound.
--
-- A Gaussian mean with known σ = 1, n rows per generation of which ρ·n are fresh human rows
-- (synthetic_ratio = 1 − ρ, fresh_human, replace). Closed form: e_g = (1−ρ)·e_{g−1} + ε, so
-- E[(μ_g − μ)²] = σ²/n · Σ_{k=0..g} (1−ρ)^(2k) → σ²/(n·ρ(2−ρ)) (ouro.oracle.fresh_data_error).
--
--   ouro run experiments/classics/bertrand_fresh.lua            (400 seeds, 20 generations)
local classics = require("classics")
local n, G = ouro.params.n or 20, ouro.params.generations or 20
local human = ouro.data.normal{ mean = 0, sd = 1, n = 200000, seed = 1 }
local mu = ouro.metrics.compute(human, { "mean" }).mean
local ratios = { 1, 0.9, 0.5 }                         -- ρ = 0, 0.1, 0.5 (ρ·n whole)

ouro.metrics.register("mean_error", function(m) return (m.mean - mu) ^ 2 end, { kind = "model", description = "(μ_g − μ)²" })

local function report(r)
  local worst = 0
  for cell, ratio in ipairs(ratios) do
    local rho = 1 - ratio
    worst = math.max(worst, classics.compare(("E[(μ_g − μ)²], fresh fraction ρ = %g, n = %d"):format(rho, n), r:series("mean_error", { cell = cell }),
      function(g) return ouro.oracle.fresh_data_error{ n = n, rho = rho, g = g } end, 4))
    if rho > 0 then print(("  stationary σ²/(n·ρ(2−ρ)) = %.5f"):format(ouro.oracle.fresh_data_error{ n = n, rho = rho })) end
  end
  print(("\nworst |z| = %.2f"):format(worst))
end

experiment {
  name = "bertrand_fresh", human = human, model = ouro.model.gaussian{ known_sd = 1 },
  generations = G, train_size = n, fresh_human = true, accumulate = false,
  metrics = { "mean_error" }, eval_size = 1, seeds = classics.seeds(400),
  grid = { synthetic_ratio = ratios },
  after = report,
}
