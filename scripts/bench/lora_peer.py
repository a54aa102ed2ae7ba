"""The torch + peft peer of `ouro bench llm --train` (scripts/bench/lora.sh): torch 2.13.0 CPU + transformers 5.24.0
+ peft 0.21.2 on the same GGUF, float32. Prints one JSON line per part.

    lora_peer.py train GGUF DATA [--threads N] [--batch 16] [--seq 256] [--steps 3] [--warmup 1] [--checkpointing]
        LoRA training throughput: rank 16, alpha 16, all seven projections, AdamW (fused, as the Trainer's default
        adamw_torch_fused) with the linear schedule. Each row is `seq` tokens of the catalog's tweets packed end to end
        (each tweet's ids then <|im_end|>, no chat template, no padding, attention mask all ones, labels = input ids),
        so every token is a real (non-pad) input token: tokens/s = steps × batch × seq / seconds of those steps, the
        `warmup` steps before them not timed. Gradient checkpointing off unless --checkpointing.
    lora_peer.py loop GGUF DATA [--threads N] [--posts 200] [--post-tokens 64] [--n 250] [--new 60]
        One loop step of the study in miniature: a fresh LoRA (rank 16, peft's default init) fine-tuned 1 epoch on the
        first `posts` catalog tweets of ≤ `post-tokens` tokens (the study's example format: chat prompt "Generate a
        twitter post.", the post, <|im_end|>; prompt masked; batch 16, lr 2e-4 linear to 0, right padding per batch),
        then the adapter merged into the weights (merge_and_unload) and `n` posts of ≤ `new` tokens generated in one
        batched `generate` at T 1.5, min_p 0.2, top_k 0, top_p 1. Prints each part's seconds.
"""
import argparse, json, math, os, resource, time
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, get_linear_schedule_with_warmup
from peft import LoraConfig, get_peft_model

ap = argparse.ArgumentParser()
ap.add_argument("mode", choices=["train", "loop"]); ap.add_argument("gguf"); ap.add_argument("data")
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--batch", type=int, default=16); ap.add_argument("--seq", type=int, default=256)
ap.add_argument("--steps", type=int, default=3); ap.add_argument("--warmup", type=int, default=1)
ap.add_argument("--checkpointing", action="store_true")
ap.add_argument("--posts", type=int, default=200); ap.add_argument("--post-tokens", type=int, default=64)
ap.add_argument("--n", type=int, default=250); ap.add_argument("--new", type=int, default=60)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)
folder, name = os.path.split(os.path.abspath(a.gguf))
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
EOS = 2
t0 = time.perf_counter()
tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
base = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
load_s = time.perf_counter() - t0
model = get_peft_model(base, LoraConfig(r=16, lora_alpha=16, lora_dropout=0.0, bias="none", target_modules=TARGETS,
                                        task_type="CAUSAL_LM"))
params = [p for p in model.parameters() if p.requires_grad]
texts = [json.loads(l)["text"] for l in open(os.path.join(a.data, "tweets.jsonl"), encoding="utf-8")]


def optimizer(steps):
    opt = torch.optim.AdamW(params, lr=2e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, fused=True)
    return opt, get_linear_schedule_with_warmup(opt, 0, steps)


def step(opt, sched, ids, labels, mask):
    opt.zero_grad(set_to_none=True)
    loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
    loss.backward()
    opt.step(); sched.step()
    return loss.item()


if a.mode == "train":
    if a.checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.enable_input_require_grads()
    model.train()
    need = (a.warmup + a.steps) * a.batch * a.seq
    stream = []
    for t in texts:
        stream += tok(t, add_special_tokens=False)["input_ids"] + [EOS]
        if len(stream) >= need: break
    rows = torch.tensor(stream[:need]).view(a.warmup + a.steps, a.batch, a.seq)
    opt, sched = optimizer(a.warmup + a.steps)
    mask = torch.ones(a.batch, a.seq, dtype=torch.long)
    for k in range(a.warmup):
        step(opt, sched, rows[k], rows[k], mask)
    t0 = time.perf_counter()
    losses = [step(opt, sched, rows[a.warmup + k], rows[a.warmup + k], mask) for k in range(a.steps)]
    s = time.perf_counter() - t0
    print(json.dumps({"part": "train", "tokens_per_s": a.steps * a.batch * a.seq / s, "threads": torch.get_num_threads(),
                      "batch": a.batch, "seq": a.seq, "steps": a.steps, "warmup_steps": a.warmup, "seconds": s,
                      "checkpointing": a.checkpointing, "losses": losses, "load_seconds": load_s,
                      "trainable_params": sum(p.numel() for p in params),
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
else:
    prompt = "Generate a twitter post."
    p_ids = tok.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=True)
    if hasattr(p_ids, "keys"): p_ids = p_ids["input_ids"]
    p_ids = [int(i) for i in p_ids]
    exs = []
    for t in texts:
        c = tok(t, add_special_tokens=False)["input_ids"]
        if len(c) <= a.post_tokens:
            ids = (p_ids + c + [EOS])[:256]
            exs.append((ids, ([-100] * len(p_ids) + c + [EOS])[:256]))
            if len(exs) == a.posts: break
    batches = [exs[i:i + 16] for i in range(0, len(exs), 16)]
    model.train()
    opt, sched = optimizer(len(batches))
    t0 = time.perf_counter()
    tokens, losses = 0, []
    for b in batches:
        L = max(len(e[0]) for e in b)
        ids = torch.tensor([e[0] + [EOS] * (L - len(e[0])) for e in b])
        labels = torch.tensor([e[1] + [-100] * (L - len(e[1])) for e in b])
        mask = torch.tensor([[1] * len(e[0]) + [0] * (L - len(e[0])) for e in b])
        tokens += int(mask.sum())
        losses.append(step(opt, sched, ids, labels, mask))
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    merged = model.merge_and_unload().eval()
    merge_s = time.perf_counter() - t0
    x = torch.tensor([p_ids] * a.n)
    with torch.inference_mode():
        t0 = time.perf_counter()
        g = merged.generate(x, attention_mask=torch.ones_like(x), do_sample=True, temperature=1.5, min_p=0.2, top_k=0,
                            top_p=1.0, max_new_tokens=a.new, pad_token_id=EOS)
        gen_s = time.perf_counter() - t0
    new_ids = g[:, len(p_ids):].tolist()
    gen_tokens = sum((r.index(EOS) + 1) if EOS in r else len(r) for r in new_ids)
    total = train_s + merge_s + gen_s
    print(json.dumps({"part": "loop", "threads": torch.get_num_threads(), "posts": len(exs), "steps": len(batches),
                      "train_tokens": tokens, "train_seconds": train_s, "train_tokens_per_s": tokens / train_s,
                      "merge_seconds": merge_s, "generate_n": a.n, "generate_tokens": gen_tokens, "generate_seconds": gen_s,
                      "generate_tokens_per_s": gen_tokens / gen_s, "seconds": total,
                      "train_share": train_s / total, "generate_share": gen_s / total, "losses": losses,
                      "sample": tok.decode(new_ids[0], skip_special_tokens=True),
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
