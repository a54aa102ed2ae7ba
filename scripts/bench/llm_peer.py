"""The peer of `ouro bench llm` (see scripts/bench/llm.sh): transformers 5.24.0 + torch 2.13.0 CPU on the same
GGUF, float32, same threads. argv: gguf texts.json threads n new prompt. Prints one JSON line."""
import json, os, resource, sys, time
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

gguf, texts_path, threads, n, new, prompt = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
torch.set_num_threads(threads)
folder, name = os.path.split(os.path.abspath(gguf))
t0 = time.perf_counter()
tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32).eval()
load = time.perf_counter() - t0
ids = tok.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=True)
if hasattr(ids, "keys"): ids = ids["input_ids"]
x = torch.tensor([ids] * n)
torch.manual_seed(1)
with torch.inference_mode():
    t0 = time.perf_counter()
    g = model.generate(x, attention_mask=torch.ones_like(x), do_sample=True, temperature=1.5, min_p=0.2, top_k=0, top_p=1.0,
                       max_new_tokens=new, pad_token_id=2)
    gen_s = time.perf_counter() - t0
new_ids = g[:, len(ids):].tolist()
gen_tokens = sum((row.index(2) + 1) if 2 in row else len(row) for row in new_ids)
texts = json.load(open(texts_path, encoding="utf-8"))
enc = [tok(t, add_special_tokens=False)["input_ids"] for t in texts]
enc = [e for e in enc if len(e) >= 1]
nll, scored, toks = 0.0, 0, sum(len(e) for e in enc)
with torch.inference_mode():
    t0 = time.perf_counter()
    for i in range(0, len(enc), 32):
        b = enc[i:i + 32]
        L = max(len(e) for e in b)
        inp = torch.tensor([e + [2] * (L - len(e)) for e in b])
        mask = torch.tensor([[1] * len(e) + [0] * (L - len(e)) for e in b])
        logits = model(inp, attention_mask=mask).logits.float()
        lp = torch.log_softmax(logits[:, :-1], -1).gather(-1, inp[:, 1:, None])[..., 0]
        m = mask[:, 1:].bool()
        nll -= float(lp[m].double().sum()); scored += int(m.sum())
    ppl_s = time.perf_counter() - t0
import math
print(json.dumps({"gen_seconds": gen_s, "gen_tokens": float(gen_tokens), "ppl_seconds": ppl_s, "ppl_tokens": float(toks),
                  "ppl": math.exp(nll / max(1, scored)), "load_seconds": load, "threads": float(torch.get_num_threads()),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
