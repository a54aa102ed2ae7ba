-- gerstgrasser_linreg.lua — Gerstgrasser et al. (2024), after Dohmatob et al. (2024): linear
-- regression trained on its own predictions. Replacing the data makes the error grow linearly;
-- accumulating every generation's data keeps it bounded.
--
-- Fixed design: T human rows (x ~ N(0, I_d), y = x·w* + σz); each generation fits least squares
-- (no intercept) and generates new targets for the same design. Closed forms, c = σ²d/(T − d − 1):
--   replace    E‖ŵ_g − w*‖² = c·(g + 1)
--   accumulate E‖ŵ_g − w*‖² = c·Σ_{k=1..g+1} 1/k²  <  c·π²/6
-- (‖ŵ − w*‖² is also the excess test error for x ~ N(0, I).) ouro.stats.ols always fits an
-- intercept, which changes the constant to σ²d/(T − d − 2): the oracle takes intercept = true.
--
--   ouro run experiments/classics/gerstgrasser_linreg.lua       (400 seeds, 20 generations)
local classics = require("classics")
local T, G, sigma = ouro.params.n or 20, ouro.params.generations or 20, 1
local w = { 1, -1, 0.5, 2, -0.5 }

ouro.metrics.register("w_error", function(m)
  local s = 0
  for j, wj in ipairs(w) do s = s + (m.coefficients[j] - wj) ^ 2 end
  return s
end, { kind = "model", description = "‖ŵ − w*‖²" })

local function report(r)
  local worst = 0
  for cell, mode in ipairs({ "replace", "accumulate" }) do
    worst = math.max(worst, classics.compare(("‖ŵ_g − w*‖², %s, T = %d, d = %d"):format(mode, T, #w), r:series("w_error", { cell = cell }),
      function(g) return ouro.oracle.linreg_error{ sigma2 = sigma ^ 2, n = T, d = #w, g = g, mode = mode } end, 4))
  end
  print(("\naccumulate bound c·π²/6 = %.4f; worst |z| = %.2f"):format(sigma ^ 2 * #w / (T - #w - 1) * math.pi ^ 2 / 6, worst))
end

experiment {
  name = "gerstgrasser_linreg",
  human = ouro.data.linear{ weights = w, noise = sigma, n = 100000, seed = 1 },
  model = ouro.model.linreg{ noise = sigma, design = "fixed" },
  generations = G, train_size = T, synthetic_ratio = 1, fresh_human = false,
  metrics = { "w_error" }, eval_size = 1, seeds = classics.seeds(400),
  grid = { accumulate = { false, "all" } },            -- cell 1: replace, cell 2: accumulate
  after = report,
}
