--- classics — what the experiment files of experiments/classics/ share: the seed list from
--- `--set seeds=N`, and the table that sets a measured curve beside its closed form with a z-score
--- per generation (docs/classics.md).
---
---   local classics = require("classics")
---   local seeds = classics.seeds(400)
---   local worst = classics.compare("E[σ²], n = 10", r:series("var", { cell = 1 }),
---                                  function(g) return ouro.oracle.mle_variance{ n = 10, g = g } end)
local classics = {}

--- The seeds 1…S, S from `--set seeds=S` or `default`.
function classics.seeds(default)
  local s = {}
  for i = 1, ouro.params.seeds or default do s[i] = i end
  return s
end

--- Prints `series` (r:series output: mean, sd, n per generation) beside `closed(g)`, with
--- z = (mean − closed) / (sd / √n) for every generation; prints every `every`-th generation and the
--- last (all with every = 1). Where every seed has the same value (sd = 0, e.g. all fixed) z is
--- undefined: printed as "—", left out of the worst and counted. Returns the largest |z| over the
--- other generations (0 for an empty series, as `ouro check` gives: it runs nothing).
function classics.compare(title, series, closed, every)
  every = every or 5
  print(("\n%s (%d seeds)"):format(title, series[1] and series[1].n or 0))
  print(("  %4s  %12s  %10s  %12s  %7s"):format("g", "measured", "± se", "closed form", "z"))
  local worst, undefined = 0, 0
  for i, p in ipairs(series) do
    local se = p.sd / math.sqrt(p.n)
    local c = closed(p.generation)
    local z = se > 0 and (p.mean - c) / se or nil
    if z == nil then undefined = undefined + 1 elseif math.abs(z) > worst then worst = math.abs(z) end
    if p.generation % every == 0 or i == #series then
      print(("  %4d  %12.5f  %10.5f  %12.5f  %7s"):format(p.generation, p.mean, se, c, z and ("%.2f"):format(z) or "—"))
    end
  end
  print(("  worst |z| over %d generations: %.2f%s"):format(#series - undefined, worst,
    undefined > 0 and (" (%d generations without spread among seeds: z undefined)"):format(undefined) or ""))
  return worst
end

return classics
