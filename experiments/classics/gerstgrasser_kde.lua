-- gerstgrasser_kde.lua — Gerstgrasser et al. (2024): a kernel density estimate refitted on its own
-- samples. Replacing the data inflates the estimate (its variance tends to n·h², far from the
-- human σ²); accumulating every generation's data keeps it near σ² (it grows like h²·ln g).
--
-- Gaussian kernel, fixed bandwidth h; n rows per generation; human data N(0, 1). A KDE's variance
-- is its data's MLE variance plus h², read off the fitted model (kind "model"). Closed form: the
-- exact moment recursion of ouro.oracle.kde_variance (Oracles.kdeVariance).
--
--   ouro run experiments/classics/gerstgrasser_kde.lua          (400 seeds, 20 generations)
local classics = require("classics")
local n, G, h = ouro.params.n or 50, ouro.params.generations or 20, ouro.params.bandwidth or 0.3
local human = ouro.data.normal{ mean = 0, sd = 1, n = 100000, seed = 1 }
local s2 = ouro.metrics.compute(human, { "variance" }).variance * (human:count() - 1) / human:count()

ouro.metrics.register("kde_variance", function(m) return m.variance end, { kind = "model", description = "the KDE's variance" })

local function report(r)
  local worst = 0
  for cell, mode in ipairs({ "replace", "accumulate" }) do
    worst = math.max(worst, classics.compare(("KDE variance, %s, n = %d, h = %g"):format(mode, n, h), r:series("kde_variance", { cell = cell }),
      function(g) return ouro.oracle.kde_variance{ sigma2 = s2, n = n, bandwidth = h, g = g, mode = mode } end, 4))
  end
  print(("\nreplace tends to n·h² = %.2f; worst |z| = %.2f"):format(n * h * h, worst))
end

experiment {
  name = "gerstgrasser_kde", human = human, model = ouro.model.kde{ bandwidth = h },
  generations = G, train_size = n, synthetic_ratio = 1, fresh_human = false,
  metrics = { "kde_variance" }, eval_size = 1, seeds = classics.seeds(400),
  grid = { accumulate = { false, "all" } },            -- cell 1: replace, cell 2: accumulate
  after = report,
}
