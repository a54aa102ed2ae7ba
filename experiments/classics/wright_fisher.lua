-- wright_fisher.lua — Wright–Fisher drift: a categorical model refitted on n of its own draws loses
-- diversity and ends with one type, each type winning with its initial share.
--
-- Human data: types 0, 1, 2 with shares 0.5, 0.3, 0.2; each generation fits frequencies to n draws
-- (replace). Closed forms: E[1 − Σp²] of generation g's model = H₀·(1 − 1/n)^(g+1); type i takes
-- over with probability p_i (checked on the seeds' last generation: a binomial z per type); the
-- mean time to fixation ≈ −2n·Σ(1−p_i)ln(1−p_i) is a diffusion approximation (printed, not scored).
--
--   ouro run experiments/classics/wright_fisher.lua             (400 seeds, 120 generations)
local classics = require("classics")
local n, G = ouro.params.n or 20, ouro.params.generations or 120
local human = ouro.data.categorical{ probs = { 0.5, 0.3, 0.2 }, n = 100000, seed = 1 }
local p = { 0, 0, 0 }                                  -- the human pool's own shares
for _, x in ipairs(human:values()) do p[x + 1] = p[x + 1] + 1 / human:count() end
local h0 = 1 - (p[1] ^ 2 + p[2] ^ 2 + p[3] ^ 2)

ouro.metrics.register("model_h", function(m)
  local s = 0
  for _, q in ipairs(m.probabilities) do s = s + q * q end
  return 1 - s
end, { kind = "model", description = "1 − Σp² of the fitted model" })
ouro.metrics.register("winner", function(m)             -- the type that took over, −1 while several remain
  for i, q in ipairs(m.probabilities) do if q == 1 then return i - 1 end end
  return -1
end, { kind = "model", description = "the fixed type, or −1" })

local function report(r)
  local worst = classics.compare(("heterozygosity 1 − Σp², n = %d"):format(n), r:series("model_h"),
    function(g) return ouro.oracle.heterozygosity{ h0 = h0, n = n, g = g } end, 10)
  local wins, first, fixed = { [-1] = 0, [0] = 0, [1] = 0, [2] = 0 }, {}, 0
  for _, v in ipairs(r:values("winner")) do
    if v.value >= 0 and first[v.seed] == nil then first[v.seed] = v.generation + 1; fixed = fixed + 1 end
    if v.generation == G - 1 then wins[v.value] = wins[v.value] + 1 end
  end
  print(("\nfixation by generation %d: %d of %d seeds%s"):format(G - 1, fixed, fixed + wins[-1],
    wins[-1] > fixed / 100 and " (too few: early fixations favour the larger shares; give more generations)" or ""))
  for t = 0, 2 do
    local q = ouro.oracle.fixation_probability{ p = p[t + 1] }
    local z = fixed > 0 and (wins[t] - fixed * q) / math.sqrt(fixed * q * (1 - q)) or 0
    worst = math.max(worst, math.abs(z))
    print(("  type %d: won %3d times, expected %6.1f (share %.4f), z = %5.2f"):format(t, wins[t], fixed * q, q, z))
  end
  local total = 0
  for _, t in pairs(first) do total = total + t end
  print(("mean fixation time %.1f refits; diffusion approximation %.1f"):format(fixed > 0 and total / fixed or 0,
    ouro.oracle.mean_fixation_time{ shares = p, n = n }))
  print(("\nworst |z| = %.2f"):format(worst))
end

experiment {
  name = "wright_fisher", human = human, model = ouro.model.categorical{ categories = 3 },
  generations = G, train_size = n, synthetic_ratio = 1, fresh_human = false, accumulate = false,
  metrics = { "model_h", "winner" }, eval_size = 1, seeds = classics.seeds(400),
  after = report,
}
