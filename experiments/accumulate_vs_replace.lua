-- accumulate_vs_replace.lua — how keeping real data in the loop bounds the drift of a Gaussian mean.
--
-- The model is a Gaussian with known σ = 1 that fits only its mean, refitted each generation on
-- n documents. Three policies:
--   replace:     only the previous generation's samples (ratio 1): the mean's error grows ~ (g+1)/n;
--   fresh 50%:   half the training set is fresh human data every generation: the error settles at
--                σ²/(n·ρ(2−ρ)) with ρ = 0.5 (Bertrand et al., 2024);
--   accumulate:  every generation's data is kept ("all"): the error stays bounded (Gerstgrasser et al., 2024).
--
--   ouro run experiments/accumulate_vs_replace.lua --set seeds=50
local S = ouro.params.seeds or 200
local G = ouro.params.generations or 20
local n = ouro.params.n or 20
local seeds = {}
for i = 1, S do seeds[i] = i end

-- (mean of the evaluation sample)² minus its sampling variance σ²/m: an unbiased estimate of μ_g²
-- (the human mean is 0).
ouro.metrics.register("mean_sq_error", function(values)
  local s = 0
  for _, x in ipairs(values) do s = s + x end
  local m = #values
  return (s / m) ^ 2 - 1 / m
end, { kind = "numeric", description = "squared error of the model's mean (σ = 1 known)" })

-- After every cell ran (once, in the coordinating process): the curves beside the closed forms.
local function after(r)
  -- cells: accumulate × synthetic_ratio, the last varying fastest
  local names = { "replace, ratio 1", "replace, fresh 50%", "accumulate all, ratio 1", "accumulate all, fresh 50%" }
  print(("\nE[(μ_g − μ)²], n = %d, %d seeds; closed forms: replace σ²(g+1)/n, fresh ρ: σ²/(n·ρ(2−ρ)) = %.4f"):format(
    n, S, ouro.oracle.fresh_data_error{ sigma2 = 1, n = n, rho = 0.5 }))
  print(("  %3s" .. string.rep("  %22s", 4) .. "  %12s"):format("g", names[1], names[2], names[3], names[4], "replace (cf)"))
  local series = {}
  for c = 1, 4 do series[c] = r:series("mean_sq_error", { cell = c }) end
  for i, p in ipairs(series[1]) do
    if p.generation % 4 == 0 or p.generation == G - 1 then
      local row = { ("  %3d"):format(p.generation) }
      for c = 1, 4 do row[#row + 1] = ("  %14.4f ± %5.4f"):format(series[c][i].mean, series[c][i].ci95) end
      row[#row + 1] = ("  %12.4f"):format((p.generation + 1) / n)
      print(table.concat(row))
    end
  end
end

experiment {
  name = "accumulate_vs_replace",
  human = ouro.data.normal{ mean = 0, sd = 1, n = 200000, seed = 1 },
  model = ouro.model.gaussian{ known_sd = 1 },
  generations = G,
  train_size = n,
  synthetic_ratio = 1,
  fresh_human = true,
  accumulate = false,
  metrics = { "mean_sq_error" },
  eval_size = 2000,
  seeds = seeds,
  grid = { accumulate = { false, "all" }, synthetic_ratio = { 1, 0.5 } },
  after = after,
}
