-- gaussian_collapse.lua — a Gaussian refitted on its own samples collapses (Shumailov et al., Nature 2024).
--
-- Each generation fits a Gaussian to `train_size` = n points drawn from the previous generation's
-- model (generation 0 fits on human data, N(0, 1)). With the MLE variance (divide by n),
-- E[σ²_g] = ((n−1)/n)^(g+1); with the unbiased one, E[σ²_g] stays 1 yet E[σ_g] = α^(g+1) → 0.
-- The file runs the experiment, then prints the measured curves beside the closed forms.
--
--   ouro run experiments/gaussian_collapse.lua                     (100 seeds, 20 generations)
--   ouro run experiments/gaussian_collapse.lua --set seeds=20      (a quicker look)
local S = ouro.params.seeds or 100
local G = ouro.params.generations or 20
local seeds = {}
for i = 1, S do seeds[i] = i end

-- The standard deviation of the evaluation sample (the model's σ_g, up to sampling noise).
ouro.metrics.register("sd", function(values)
  local n, s, s2 = #values, 0, 0
  for _, x in ipairs(values) do s = s + x; s2 = s2 + x * x end
  local mean = s / n
  return math.sqrt((s2 - n * mean * mean) / (n - 1))
end, { kind = "numeric", description = "sample standard deviation" })

local mle = ouro.model.gaussian{ estimator = "mle" }
local unbiased = ouro.model.gaussian{ estimator = "unbiased" }

-- After every cell ran (once, in the coordinating process): the curves beside the closed forms.
local function after(r)
  -- Cells follow the grid: keys in alphabetical order (model, then train_size), the last varying fastest.
  local cells = {
    { cell = 1, estimator = "mle", n = 10 }, { cell = 2, estimator = "mle", n = 100 },
    { cell = 3, estimator = "unbiased", n = 10 }, { cell = 4, estimator = "unbiased", n = 100 },
  }
  for _, c in ipairs(cells) do
    local metric = c.estimator == "mle" and "variance" or "sd"
    print(("\n%s, n = %d: %s per generation (mean over %d seeds ± 95%% CI) vs closed form"):format(
      c.estimator, c.n, metric == "variance" and "E[σ²]" or "E[σ]", S))
    print(("  %3s  %10s  %8s  %10s"):format("g", "measured", "± ci95", "closed"))
    for _, p in ipairs(r:series(metric, { cell = c.cell })) do
      local closed = metric == "variance" and ouro.oracle.mle_variance{ sigma2 = 1, n = c.n, g = p.generation }
                                         or ouro.oracle.unbiased_sd{ sigma = 1, n = c.n, g = p.generation }
      if p.generation % 4 == 0 or p.generation == G - 1 then
        print(("  %3d  %10.4f  %8.4f  %10.4f"):format(p.generation, p.mean, p.ci95, closed))
      end
    end
  end
end

experiment {
  name = "gaussian_collapse",
  human = ouro.data.normal{ mean = 0, sd = 1, n = 100000, seed = 1 },
  model = mle,
  generations = G,
  train_size = 10,
  synthetic_ratio = 1,          -- every generation trains only on the previous model's samples
  fresh_human = false,
  accumulate = false,           -- replace
  metrics = { "variance", "sd" },
  eval_size = 500,
  seeds = seeds,
  grid = { model = { mle, unbiased }, train_size = { 10, 100 } },
  after = after,
}
