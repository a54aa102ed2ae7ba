-- categorical_drift.lua — Wright–Fisher drift: a categorical model refitted on n of its own draws.
--
-- Heterozygosity H = 1 − Σp² (the chance that two draws differ) decays as H₀·(1 − 1/n)^t, where t
-- counts refits (generation g has been fitted g + 1 times); each type eventually takes over with
-- probability equal to its initial share.
--
--   ouro run experiments/categorical_drift.lua --set seeds=50
local S = ouro.params.seeds or 200
local G = ouro.params.generations or 30
local n = ouro.params.n or 50
local probs = { 0.5, 0.3, 0.2 }
local seeds = {}
for i = 1, S do seeds[i] = i end

-- After every cell ran (once, in the coordinating process): the curves beside the closed forms.
local function after(r)
  local h0 = 1
  for _, p in ipairs(probs) do h0 = h0 - p * p end
  print(("\nheterozygosity, n = %d, %d seeds: measured (on 2000 draws per generation) vs H₀·(1 − 1/n)^(g+1)"):format(n, S))
  print(("  %3s  %10s  %8s  %10s"):format("g", "measured", "± ci95", "closed"))
  for _, p in ipairs(r:series("heterozygosity")) do
    -- An m-draw sample's 1 − Σp̂² has expectation (1 − 1/m)·H; undo that factor.
    local measured = p.mean / (1 - 1 / 2000)
    if p.generation % 5 == 0 or p.generation == G - 1 then
      print(("  %3d  %10.4f  %8.4f  %10.4f"):format(p.generation, measured, p.ci95,
        ouro.oracle.heterozygosity{ h0 = h0, n = n, g = p.generation }))
    end
  end
end

experiment {
  name = "categorical_drift",
  human = ouro.data.categorical{ probs = probs, n = 100000, seed = 1 },
  model = ouro.model.categorical{ categories = #probs },
  generations = G,
  train_size = n,
  synthetic_ratio = 1,
  fresh_human = false,
  accumulate = false,
  metrics = { "heterozygosity", "support" },
  eval_size = 2000,
  seeds = seeds,
  after = after,
}
