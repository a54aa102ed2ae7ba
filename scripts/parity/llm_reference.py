"""Reference figures for Ouro's SmolLM2 (scripts/parity/llm.sh): transformers 5.24.0 + torch 2.13.0 CPU,
float32, loading the same pinned GGUF with `gguf_file=`. Writes the small fixture under
Tests/Fixtures/parity/llm/ that the Swift tests check against:

- prompts.json: 20 chat prompts (the chat template's ids), per position the top-5 logits, 16 probe logits
  and the log-sum-exp; greedy `generate` of 40 new tokens for each prompt (batch 1, no padding).
- tokenizer.json: ids of a sample of catalog texts and edge cases, and per catalog corpus a hash of the
  ids of every text (count, tokens, order-sensitive 64-bit hash) so the Swift test covers all of them.
- processors.json: transformers' logits processors (repetition penalty, temperature, top-k, top-p, min-p,
  alone and combined) on 1,000 vocabulary-sized vectors made from a counter-based SplitMix64: kept
  count, id sums, the first kept ids and probabilities, the largest probability.

The reference tokenizer's pre-tokenizer is set to the `smollm` one the GGUF names (every digit alone,
then GPT-2's split): transformers' GGUF loader installs the plain GPT-2 split.
"""
import json, os, sys, time
import numpy as np
import torch
from tokenizers import pre_tokenizers
from transformers import AutoModelForCausalLM, AutoTokenizer
from transformers.generation.logits_process import (MinPLogitsWarper, RepetitionPenaltyLogitsProcessor,
    TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper)

gguf_path, data_dir, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
threads = int(os.environ.get("THREADS", "2"))
torch.set_num_threads(threads)
os.makedirs(out_dir, exist_ok=True)
folder, name = os.path.split(os.path.abspath(gguf_path))

tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
tok.backend_tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
    pre_tokenizers.Digits(individual_digits=True),
    pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
t0 = time.time()
model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
model.eval()
print(f"transformers load: {time.time() - t0:.1f} s", flush=True)

MASK = (1 << 64) - 1
def mix(z):
    z = z.astype(np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))

def id_hash(ids):
    """Σ (id + 1) · mix(k) mod 2⁶⁴ over positions k of the concatenated ids."""
    a = np.asarray(ids, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return int(np.sum((a + np.uint64(1)) * mix(np.arange(len(a), dtype=np.uint64)), dtype=np.uint64))

# ---- prompts: logits and greedy ----
prompts = ["Generate a twitter post.", "Write a short review of a movie you liked.", "What is 17 times 23?",
    "Tell me a joke about cats.", "Summarize the plot of Hamlet in two sentences.", "Give three tips for sleeping better.",
    "Translate 'good morning' into French.", "Write a haiku about autumn rain.", "Who was the first president of the United States?",
    "Explain photosynthesis to a child.", "List the planets of the solar system.", "Write a tweet about the weather in 2024.",
    "What is the capital of Australia?", "Describe a sunset in one sentence.", "How do I boil an egg?",
    "Write a product review for a blender.", "Give me a motivational quote.", "What does DNA stand for?",
    "Write an opening line for a mystery novel.", "Hello! How are you today?"]
probe = [int(x) for x in mix(np.arange(16, dtype=np.uint64) + np.uint64(12345)) % np.uint64(49152)]
rows, greedy, prompt_ids = [], [], []
with torch.no_grad():
    for p in prompts:
        ids = tok.apply_chat_template([{"role": "user", "content": p}], add_generation_prompt=True, tokenize=True)
        if isinstance(ids, dict) or hasattr(ids, "keys"): ids = ids["input_ids"]
        ids = [int(i) for i in ids]
        prompt_ids.append(ids)
        x = torch.tensor([ids])
        logits = model(x).logits[0].float()
        top = torch.topk(logits, 5, dim=-1)
        rows.append({"top_ids": top.indices.tolist(), "top_vals": top.values.tolist(),
                     "probe_vals": logits[:, probe].tolist(), "lse": torch.logsumexp(logits.double(), -1).tolist()})
        g = model.generate(x, attention_mask=torch.ones_like(x), do_sample=False, max_new_tokens=40,
                           top_k=None, top_p=None, temperature=None, pad_token_id=2)
        new = [int(i) for i in g[0, len(ids):]]
        if 2 in new: new = new[:new.index(2)]
        greedy.append(new)
json.dump({"prompts": prompts, "prompt_ids": prompt_ids, "probe_ids": probe, "logits": rows, "greedy": greedy},
          open(os.path.join(out_dir, "prompts.json"), "w"), separators=(",", ":"))
print(f"prompts: {len(prompts)} (logits + greedy 40)", flush=True)

# ---- tokenizer ----
corpora = ["tweets", "movie_reviews", "amazon_reviews", "nyt_editorials", "sotu", "fortunes"]
sample, sample_ids, hashes = [], [], {}
for c in corpora:
    texts = [json.loads(l)["text"] for l in open(os.path.join(data_dir, c + ".jsonl"), encoding="utf-8")]
    enc = tok(texts, add_special_tokens=False)["input_ids"]
    flat = [i for e in enc for i in e]
    hashes[c] = {"texts": len(texts), "tokens": len(flat), "hash": str(id_hash(flat))}
    step = max(1, len(texts) // 40)
    for k in range(0, len(texts), step):
        if len(texts[k]) <= 1500 and len(sample) < 40 * (corpora.index(c) + 1):
            sample.append(texts[k]); sample_ids.append(enc[k])
edge = ["\n\n  45", "Price: $1,234.56!!", "I'm   here\t\tand\nthere", "café naïve 東京 😀 ½ ²", "  leading and trailing  ",
        "don't WON'T we'll they're I've", "a\u00a0b\u2003c", "12345678901234567890", "<|im_start|>user\nhi<|im_end|>", ""]
for e in edge:
    sample.append(e); sample_ids.append(tok(e, add_special_tokens=False)["input_ids"])
json.dump({"texts": sample, "ids": sample_ids, "corpora": hashes}, open(os.path.join(out_dir, "tokenizer.json"), "w"),
          ensure_ascii=False, separators=(",", ":"))
print("tokenizer: " + ", ".join(f"{c} {h['texts']} texts {h['tokens']} tokens" for c, h in hashes.items()), flush=True)

# ---- processors ----
V = 49152
options = [("temperature", {"temperature": 1.5}), ("top_k", {"top_k": 50}), ("top_p", {"top_p": 0.9}),
           ("min_p", {"min_p": 0.1}), ("repetition_penalty", {"repetition_penalty": 1.3}),
           ("combined", {"repetition_penalty": 1.2, "temperature": 1.5, "top_k": 200, "top_p": 0.95, "min_p": 0.05})]
cases = []
for v in range(1000):
    u = (mix(np.uint64(v) * np.uint64(4 * V) + np.arange(4 * V, dtype=np.uint64)) >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    scale = 1.0 + (v % 5)
    vec = ((u[0::4] + u[1::4] + u[2::4] + u[3::4] - 2.0) * scale).astype(np.float32)
    seen = [int(x) for x in mix(np.arange(24, dtype=np.uint64) + np.uint64(v * 1000 + 7)) % np.uint64(V)]
    for oname, o in options:
        s = torch.from_numpy(vec.copy())[None, :]
        ids = torch.tensor([seen])
        if "repetition_penalty" in o: s = RepetitionPenaltyLogitsProcessor(o["repetition_penalty"])(ids, s)
        if "temperature" in o: s = TemperatureLogitsWarper(o["temperature"])(ids, s)
        if "top_k" in o: s = TopKLogitsWarper(o["top_k"])(ids, s)
        if "top_p" in o: s = TopPLogitsWarper(o["top_p"])(ids, s)
        if "min_p" in o: s = MinPLogitsWarper(o["min_p"])(ids, s)
        p = torch.softmax(s, -1)[0]
        kept = torch.nonzero(p > 0).flatten()
        kp = p[kept]
        k = kept.numpy().astype(np.int64)
        cases.append({"v": v, "o": oname, "n": int(len(k)), "sum": int(k.sum()), "sq": int((k * k).sum()),
                      "ids": k[:8].tolist(), "probs": [float(x) for x in kp[:8]], "max": float(kp.max())})
def compact(c):
    """One case as [vector, option index, kept count, Σ ids, Σ ids², first 4 ids, their 4 probabilities, max probability]."""
    ids = (c["ids"] + [-1] * 4)[:4]
    probs = (c["probs"] + [0.0] * 4)[:4]
    return [c["v"], [o for o, _ in options].index(c["o"]), c["n"], c["sum"], c["sq"]] + ids + \
        [float(f"{x:.9g}") for x in probs] + [float(f"{c['max']:.9g}")]
json.dump({"vocab": V, "options": [o for o, _ in options], "seen": 24, "cases": [compact(c) for c in cases]},
          open(os.path.join(out_dir, "processors.json"), "w"), separators=(",", ":"))
print(f"processors: {len(cases)} cases", flush=True)
