-- llm_quickstart.lua — the reference study's loop with a real LLM, on a laptop: SmolLM2-135M-Instruct
-- fine-tuned with a fresh LoRA adapter every generation on a mix of human and synthetic tweets.
--
-- The study's protocol (issue #16): each generation fine-tunes a FRESH rank-16 LoRA on all seven
-- projections of the same base model (AdamW 2e-4 → 0, batch 16, 1 epoch, 256 tokens: the defaults of
-- `finetune`), on `train_size` tweets — fresh human tweets plus the previous generation's output,
-- accumulated in a pool — then samples new tweets with the same prompt at temperature 1.5 / min_p 0.2.
--
-- Sizes, chosen to finish in ≤ 20 minutes on 2 cores (release build; `ouro check` prints the estimate):
-- 2 synthetic ratios × 2 seeds × 3 generations = 12 generations; each fine-tunes on 200 tweets
-- (13 optimizer steps) and samples 100 tweets of ≤ 48 tokens; metrics on those 100. Measured:
-- 13 min 38 s with --jobs 1 (fine-tuning 58%, sampling 24%, metrics 18%; docs/llm.md).
--
--   ouro check experiments/llm_quickstart.lua     (the plan and its estimated run time)
--   ouro run experiments/llm_quickstart.lua       (writes results/llm_quickstart.db and its report)
local tweets = ouro.data.load("tweets"):filter{ strip_links = true, dedup = true, min_tokens = 3 }
local smol = ouro.model.llm("smollm2-135m-instruct")
local G = ouro.params.generations or 3

local function after(r)
  print(("\n%-18s %10s %10s"):format("shift (last / g0)", "ratio 1/4", "ratio 1/2"))
  for _, metric in ipairs{ "semantic_diversity", "self_bleu", "distinct_2", "length", "ppl_human" } do
    local row = { ("%-18s"):format(metric) }
    for cell = 1, 2 do row[#row + 1] = ("%10.3f"):format(r:shift(metric, { cell = cell, last = 1 }).ratio) end
    print(table.concat(row, " "))
  end
  print("\nsome generated tweets (ratio 1/2, seed 1, last generation):")
  local texts = r:texts{ cell = 2, seed = 1, generation = G - 1 }
  for i = 1, math.min(5, #texts) do print("  • " .. texts[i]) end
  print("\nreport: " .. r:report())
end

experiment {
  name = "llm_quickstart",
  human = tweets,
  base = smol,                                            -- fine-tuned afresh every generation
  finetune = { lora = { rank = 16, alpha = 16 }, learning_rate = 2e-4, epochs = 1, batch_size = 16 },
  prompt = "Generate a twitter post.",                    -- the user turn of every example and sample
  generations = G,
  train_size = 200,
  fresh_human = true,                                     -- a disjoint slice of human tweets per generation
  accumulate = true,                                      -- train on a pool of all generations ≥ 1
  sampling = { temperature = 1.5, min_p = 0.2, max_new_tokens = 48 },
  metrics = { "semantic_diversity", "self_bleu", "distinct_2", "length", "positivity", "ppl_human" },
  eval_size = 100,
  seeds = { 1, 2 },
  grid = { synthetic_ratio = { 0.25, 0.5 } },
  after = after,
}
