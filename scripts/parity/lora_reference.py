"""Reference figures for Ouro's LoRA fine-tuning (scripts/parity/lora.sh): torch 2.13.0 CPU + transformers 5.24.0 +
peft 0.21.2, float32, loading the same pinned GGUF with `gguf_file=`. Definitions: docs/lora-reference.md.

    lora_reference.py GGUF DATA OUT                 # writes the CI fixture (Tests/Fixtures/parity/lora) into OUT
    lora_reference.py GGUF DATA OUT --full          # also runs the full-size recipe (rank 16, batch 16, 256) into
                                                    # a temporary folder and prints its figures
    lora_reference.py GGUF DATA OUT --adapter DIR   # logits of the base + the PEFT adapter DIR (e.g. one Ouro saved)
                                                    # on the 5 prompts, written to $TMPDIR/ouro-lora-adapter-logits.json
                                                    # and compared with OUT/{initial,final}_logits.json; then its
                                                    # loss and gradients on OUT/examples.json's gradient batch, to
                                                    # $TMPDIR/ouro-lora-adapter-grads.safetensors

CI fixture (OUT):
- examples.json    prompts, completions, token ids (input_ids, labels) per example, the batches of the 20 steps
- initial/         PEFT adapter (adapter_config.json + adapter_model.safetensors), A and B ~ N(0, 0.02²), seeded
- initial_logits.json  logits of base + initial on the 5 prompts (top-5, 16 probe ids, log-sum-exp per position)
- grads.safetensors    d loss / d every lora_A / lora_B tensor (float32, PEFT file names) for the batch of all examples
- grads_float64.safetensors  the same gradients computed in float64 end to end (stored as float32)
- grads.json       that loss, the number of tokens it averages, the global gradient norm
- steps.json       20 AdamW steps from initial: per step its batch, learning rate, loss, gradient norm
- final/           the adapter after the 20 steps (PEFT format); final_logits.json its logits on the 5 prompts
- figures.json     the run's figures (losses, gradient norms, the float64 gap, the round-trip checks)
"""
import argparse, json, math, os, shutil, sys, tempfile, time
import numpy as np
import torch
from safetensors.torch import save_file, load_file
from tokenizers import pre_tokenizers
from transformers import AutoModelForCausalLM, AutoTokenizer, get_linear_schedule_with_warmup
from peft import LoraConfig, PeftModel, get_peft_model

ap = argparse.ArgumentParser()
ap.add_argument("gguf"); ap.add_argument("data"); ap.add_argument("out")
ap.add_argument("--full", action="store_true", help="also run the full-size recipe into a temp folder")
ap.add_argument("--adapter", help="a PEFT adapter folder to evaluate on the 5 prompts")
args = ap.parse_args()
torch.set_num_threads(int(os.environ.get("THREADS", "1")))
torch.use_deterministic_algorithms(True)
folder, name = os.path.split(os.path.abspath(args.gguf))

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
EOS = 2  # <|im_end|>
PAD = 2  # right padding with <|im_end|>; attention_mask 0 and label -100 there, so the id does not matter
PROMPTS5 = ["Generate a twitter post.", "Write a short review of a movie you liked.", "What is 17 times 23?",
            "Tell me a joke about cats.", "Hello! How are you today?"]

tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
tok.backend_tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
    pre_tokenizers.Digits(individual_digits=True),
    pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
assert tok.convert_tokens_to_ids("<|im_end|>") == EOS


def load_base():
    m = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    assert m.config.tie_word_embeddings and m.lm_head.weight.data_ptr() == m.model.embed_tokens.weight.data_ptr()
    for p in m.parameters(): p.requires_grad_(False)
    return m


def prompt_ids(prompt):
    ids = tok.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=True)
    if hasattr(ids, "keys"): ids = ids["input_ids"]
    return [int(i) for i in ids]


def encode(prompt, completion, max_length):
    """prompt ids (chat template, default system message, generation prompt) + completion ids + eos, cut at
    max_length; labels -100 on the prompt."""
    p = prompt_ids(prompt)
    c = [int(i) for i in tok(completion, add_special_tokens=False)["input_ids"]] + [EOS]
    ids = (p + c)[:max_length]
    labels = ([-100] * len(p) + c)[:max_length]
    return {"prompt": prompt, "completion": completion, "prompt_len": len(p), "input_ids": ids, "labels": labels}


def collate(exs):
    L = max(len(e["input_ids"]) for e in exs)
    ids = torch.tensor([e["input_ids"] + [PAD] * (L - len(e["input_ids"])) for e in exs])
    labels = torch.tensor([e["labels"] + [-100] * (L - len(e["labels"])) for e in exs])
    mask = torch.tensor([[1] * len(e["input_ids"]) + [0] * (L - len(e["input_ids"])) for e in exs])
    return ids, labels, mask


def batch_loss(model, exs):
    """transformers' causal LM loss: logits[:, t] predicts labels[:, t+1], summed over the batch's labels != -100
    and divided by their count (the same as the Trainer's num_items_in_batch normalisation for one micro-batch)."""
    ids, labels, mask = collate(exs)
    n = int((labels[:, 1:] != -100).sum())
    out = model(input_ids=ids, attention_mask=mask, labels=labels)
    # the same figure written out, in float64: −Σ log softmax(logits[b, t])[labels[b, t+1]] / n
    lp = torch.log_softmax(out.logits.detach()[:, :-1].double(), -1)
    tgt = labels[:, 1:]
    keep = tgt != -100
    own = -lp.gather(-1, tgt.clamp(min=0)[..., None])[..., 0][keep].sum() / n
    assert abs(float(own) - out.loss.item()) <= 1e-5 * abs(float(own)), (float(own), out.loss.item())
    return out.loss, n, float(own)


def lora_params(model):
    """(file name, parameter) for every adapter tensor; file name = the name in adapter_model.safetensors."""
    return [(n.replace(".default.weight", ".weight"), p) for n, p in model.named_parameters() if "lora_" in n]


MASK64 = (1 << 64) - 1
def mix(z):
    z = z.astype(np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))
PROBE = [int(x) for x in mix(np.arange(16, dtype=np.uint64) + np.uint64(12345)) % np.uint64(49152)]


def logits_rows(model):
    rows, ids_all, full = [], [], []
    with torch.no_grad():
        for p in PROMPTS5:
            ids = prompt_ids(p)
            ids_all.append(ids)
            logits = model(torch.tensor([ids])).logits[0].float()
            full.append(logits)
            top = torch.topk(logits, 5, dim=-1)
            rows.append({"top_ids": top.indices.tolist(), "top_vals": top.values.tolist(),
                         "probe_vals": logits[:, PROBE].tolist(), "lse": torch.logsumexp(logits.double(), -1).tolist()})
    return {"prompts": PROMPTS5, "prompt_ids": ids_all, "probe_ids": PROBE, "logits": rows}, full


def max_diff(a, b):
    return max(float((x - y).abs().max()) for x, y in zip(a, b))


def save_adapter(model, path):
    model.save_pretrained(path)
    cfg_path = os.path.join(path, "adapter_config.json")
    cfg = json.load(open(cfg_path))
    cfg["base_model_name_or_path"] = "HuggingFaceTB/SmolLM2-135M-Instruct"  # not this machine's folder
    cfg["target_modules"] = sorted(cfg["target_modules"])  # peft writes a set, in hash order
    json.dump(cfg, open(cfg_path, "w"), indent=2, sort_keys=True)
    readme = os.path.join(path, "README.md")
    if os.path.exists(readme): os.remove(readme)


def peft_model(base, cfg, seed):
    """base wrapped by peft with cfg; every lora_A / lora_B element ~ N(0, 0.02²) from torch.Generator(seed),
    drawn in named_parameters order (peft's own init would be kaiming-uniform A and zero B)."""
    lc = LoraConfig(r=cfg["rank"], lora_alpha=cfg["alpha"], lora_dropout=0.0, bias="none", target_modules=TARGETS,
                    layers_to_transform=cfg.get("layers"), use_rslora=cfg.get("rslora", False), task_type="CAUSAL_LM")
    m = get_peft_model(base, lc)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, p in lora_params(m):
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float32) * 0.02)
    return m


def run(cfg, examples, out, tag):
    """Everything for one configuration into out; returns the figures."""
    t_all = time.time()
    os.makedirs(out, exist_ok=True)
    fig = {}
    base = load_base()
    model = peft_model(base, cfg, cfg["seed"])
    model.train()  # dropout is 0 everywhere (LoRA and attention), so train and eval forward are the same
    names = [n for n, _ in lora_params(model)]
    print(f"[{tag}] attention: {base.config._attn_implementation}; {len(names)} adapter tensors, {sum(p.numel() for _, p in lora_params(model)):,} parameters, "
          f"scale {cfg['alpha'] / (math.sqrt(cfg['rank']) if cfg.get('rslora') else cfg['rank'])}", flush=True)

    # ---- initial adapter and its logits; round trip through peft's save/load ----
    init_dir = os.path.join(out, "initial")
    save_adapter(model, init_dir)
    model.eval()
    init_logits, init_full = logits_rows(model)
    model.train()
    json.dump(init_logits, open(os.path.join(out, "initial_logits.json"), "w"), separators=(",", ":"))

    # ---- gradient of the one fixed batch (every example) ----
    t0 = time.time()
    model.zero_grad(set_to_none=True)
    gb = [examples[i] for i in cfg["grads_batch"]]
    loss, n, _ = batch_loss(model, gb)
    loss.backward()
    grads = {nm: p.grad.detach().clone().contiguous() for nm, p in lora_params(model)}
    gnorm = math.sqrt(sum(float(g.double().pow(2).sum()) for g in grads.values()))
    save_file(grads, os.path.join(out, "grads.safetensors"))
    json.dump({"loss": loss.item(), "tokens": n, "examples": cfg["grads_batch"], "grad_norm": gnorm},
              open(os.path.join(out, "grads.json"), "w"), indent=1)
    fig["loss"] = loss.item(); fig["tokens"] = n; fig["grad_norm"] = gnorm
    print(f"[{tag}] loss {loss.item():.6f} over {n} tokens, grad norm {gnorm:.6g} ({time.time() - t0:.1f} s)", flush=True)

    # gradient accumulation with Trainer semantics: sum over micro-batches of (Σ token NLL / num_items_in_batch)
    # gives the full batch's mean gradient (up to rounding), whatever the micro-batches' padding.
    if cfg.get("check_accumulation", True):
        model.zero_grad(set_to_none=True)
        half = len(gb) // 2
        micro = [gb[:half], gb[half:]]
        total = sum(int((collate(mb)[1][:, 1:] != -100).sum()) for mb in micro)
        for mb in micro:
            ids, labels, mask = collate(mb)
            out_mb = model(input_ids=ids, attention_mask=mask, labels=labels, num_items_in_batch=torch.tensor(total))
            out_mb.loss.backward()
        acc = max(float((p.grad - grads[nm]).abs().max() / grads[nm].abs().max()) for nm, p in lora_params(model))
        fig["accumulation_rel"] = acc
        print(f"[{tag}] gradient accumulation (2 micro-batches, num_items_in_batch) vs one batch: "
              f"max per-tensor max|Δ|/max|g| = {acc:.2e}", flush=True)

    # float64 gradients of the same batch: how far float32 torch itself is from the exact figure
    if cfg.get("check_float64", False):
        from transformers.models.llama import modeling_llama
        rms = modeling_llama.LlamaRMSNorm.forward
        def rms64(self, h):  # transformers' RMSNorm computes in float32 whatever the input; keep float64 here
            if h.dtype != torch.float64: return rms(self, h)
            return self.weight * (h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.variance_epsilon))
        modeling_llama.LlamaRMSNorm.forward = rms64
        model.double()
        model.zero_grad(set_to_none=True)
        _, _, l64 = batch_loss(model, gb)  # transformers' loss casts the logits to float32; this one is float64
        torch.nn.functional.cross_entropy(  # float64 end to end for the gradient too
            model(input_ids=collate(gb)[0], attention_mask=collate(gb)[2]).logits[:, :-1].reshape(-1, 49152),
            collate(gb)[1][:, 1:].reshape(-1), ignore_index=-100).backward()
        g64 = {nm: p.grad.detach().clone() for nm, p in lora_params(model)}
        save_file({nm: g.float().contiguous() for nm, g in g64.items()}, os.path.join(out, "grads_float64.safetensors"))
        rel_max = {nm: float((grads[nm].double() - g).abs().max() / g.abs().max()) for nm, g in g64.items()}
        rel_norm = {nm: float((grads[nm].double() - g).norm() / g.norm()) for nm, g in g64.items()}
        fig["float64_loss"] = l64
        fig["float64_loss_rel"] = abs(l64 - loss.item()) / l64
        fig["float64_grad_rel_max"] = max(rel_max.values())
        fig["float64_grad_rel_norm"] = max(rel_norm.values())
        worst = sorted(rel_max, key=rel_max.get)[-3:]
        print(f"[{tag}] float32 torch vs float64: loss rel {fig['float64_loss_rel']:.2e}; per tensor, worst "
              f"max|Δ|/max|g| = {fig['float64_grad_rel_max']:.2e}, worst ‖Δ‖/‖g‖ = {fig['float64_grad_rel_norm']:.2e}; "
              f"worst tensors: " + ", ".join(f"{w.split('model.model.')[-1]} {rel_max[w]:.1e}/{rel_norm[w]:.1e}"
                                             for w in worst), flush=True)
        modeling_llama.LlamaRMSNorm.forward = rms
        model.float()
        model.zero_grad(set_to_none=True)

    # ---- AdamW steps from initial ----
    steps = cfg["steps"]
    batches = cfg["batches"]  # batches[k] = example indices of step k+1
    params = [p for _, p in lora_params(model)]
    opt = torch.optim.AdamW(params, lr=cfg["lr"], betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, fused=True)
    sched = get_linear_schedule_with_warmup(opt, num_warmup_steps=0, num_training_steps=steps)
    rows = []
    t0 = time.time()
    for k in range(steps):
        exs = [examples[i] for i in batches[k]]
        lr = opt.param_groups[0]["lr"]
        opt.zero_grad(set_to_none=True)
        loss, n, _ = batch_loss(model, exs)
        loss.backward()
        gn = math.sqrt(sum(float(p.grad.double().pow(2).sum()) for p in params))
        opt.step(); sched.step()
        rows.append({"step": k + 1, "examples": batches[k], "lr": lr, "loss": loss.item(), "tokens": n, "grad_norm": gn})
        if k in (0, steps - 1) or (k + 1) % 5 == 0:
            print(f"[{tag}] step {k + 1:2d} lr {lr:.3e} loss {loss.item():.6f} tokens {n} grad norm {gn:.4g}", flush=True)
    fig["steps_seconds"] = time.time() - t0
    fig["losses"] = [r["loss"] for r in rows]
    fig["grad_norms"] = [r["grad_norm"] for r in rows]
    final_dir = os.path.join(out, "final")
    save_adapter(model, final_dir)
    model.eval()
    final_logits, final_full = logits_rows(model)
    json.dump(final_logits, open(os.path.join(out, "final_logits.json"), "w"), separators=(",", ":"))
    json.dump({"config": {k: v for k, v in cfg.items() if k != "batches"}, "optimizer": {
        "name": "torch.optim.AdamW(fused=True)", "lr": cfg["lr"], "betas": [0.9, 0.999], "eps": 1e-8,
        "weight_decay": 0.01, "schedule": "get_linear_schedule_with_warmup(warmup 0, T = steps)",
        "max_grad_norm": None}, "steps": rows}, open(os.path.join(out, "steps.json"), "w"), indent=1)
    fig["final_vs_initial_logits"] = max_diff(final_full, init_full)
    print(f"[{tag}] final − initial logits: max |Δ| = {fig['final_vs_initial_logits']:.4f} "
          f"(how far the 20 steps move the 5 prompts' logits)", flush=True)

    # ---- validation: peft's save/load round trip of both adapters gives the same logits ----
    for d, full, key in ((init_dir, init_full, "roundtrip_initial"), (final_dir, final_full, "roundtrip_final")):
        re = PeftModel.from_pretrained(load_base(), d).eval()
        saved = load_file(os.path.join(d, "adapter_model.safetensors"))
        assert sorted(saved) == sorted(names), "saved tensor names differ from the parameter names"
        _, again = logits_rows(re)
        fig[key] = max_diff(again, full)
        print(f"[{tag}] {os.path.basename(d)}: peft save/load round trip logits max |Δ| = {fig[key]:.2e}", flush=True)
        assert fig[key] <= 1e-5, key
    print(f"[{tag}] done in {time.time() - t_all:.0f} s", flush=True)
    return fig


def tweets(n, max_tokens, skip=0):
    out = []
    for line in open(os.path.join(args.data, "tweets.jsonl"), encoding="utf-8"):
        t = json.loads(line)["text"]
        if len(tok(t, add_special_tokens=False)["input_ids"]) <= max_tokens:
            if skip > 0: skip -= 1; continue
            out.append(t)
            if len(out) == n: break
    return out


if args.adapter:
    m = PeftModel.from_pretrained(load_base(), args.adapter).eval()
    rows, full = logits_rows(m)
    path = os.path.join(tempfile.gettempdir(), "ouro-lora-adapter-logits.json")  # never into the fixture
    json.dump(rows, open(path, "w"), separators=(",", ":"))
    print(f"logits of {args.adapter} on the 5 prompts: {path}")
    for ref in ("initial_logits.json", "final_logits.json"):
        r = json.load(open(os.path.join(args.out, ref)))
        d_probe = max(abs(a - b) for x, y in zip(rows["logits"], r["logits"])
                      for u, v in zip(x["probe_vals"], y["probe_vals"]) for a, b in zip(u, v))
        d_lse = max(abs(a - b) for x, y in zip(rows["logits"], r["logits"]) for a, b in zip(x["lse"], y["lse"]))
        same_top = sum(u == v for x, y in zip(rows["logits"], r["logits"]) for u, v in zip(x["top_ids"], y["top_ids"]))
        positions = sum(len(x["lse"]) for x in rows["logits"])
        print(f"adapter {args.adapter} vs {ref}: probe logits max |Δ| = {d_probe:.2e}, log-sum-exp max |Δ| = "
              f"{d_lse:.2e}, same top-5 ids at {same_top}/{positions} positions")
    # loss and gradients of that adapter on the fixture's gradient batch (e.g. Ouro's initial adapter, exported)
    ex = json.load(open(os.path.join(args.out, "examples.json"), encoding="utf-8"))
    m = PeftModel.from_pretrained(load_base(), args.adapter, is_trainable=True).train()
    loss, n, _ = batch_loss(m, [ex["examples"][i] for i in ex["grads_batch"]])
    loss.backward()
    gpath = os.path.join(tempfile.gettempdir(), "ouro-lora-adapter-grads.safetensors")
    save_file({nm: p.grad.contiguous() for nm, p in lora_params(m)}, gpath)
    print(f"loss {loss.item():.7f} over {n} tokens on examples {ex['grads_batch']}; gradients: {gpath}")
    sys.exit(0)

# ---- CI configuration ----
CI_MAX = 48
prompts = ["Generate a twitter post."] * 5 + ["Write a tweet about your day."]
texts = tweets(5, 10)  # ≤ 37 prompt tokens + ≤ 10 + eos ≤ 48: not cut
long_tweet = next(json.loads(l)["text"] for l in open(os.path.join(args.data, "tweets.jsonl"), encoding="utf-8")
                  if len(tok(json.loads(l)["text"], add_special_tokens=False)["input_ids"]) > 30)
texts = texts[:4] + [long_tweet] + [texts[4]]  # example 4 is cut at max_length (its eos is cut off)
examples = [encode(p, c, CI_MAX) for p, c in zip(prompts, texts)]
assert len(examples[4]["input_ids"]) == CI_MAX and examples[4]["input_ids"][-1] != EOS
assert all(e["input_ids"][-1] == EOS and len(e["input_ids"]) <= CI_MAX for k, e in enumerate(examples) if k != 4)
ci = {"rank": 2, "alpha": 4, "layers": [0, 15, 29], "targets": TARGETS, "rslora": False, "seed": 1, "lr": 2e-4,
      "steps": 20, "max_length": CI_MAX, "batches": [[0, 1, 2] if k % 2 == 0 else [3, 4, 5] for k in range(20)],
      "grads_batch": list(range(len(examples))), "check_float64": True}
os.makedirs(args.out, exist_ok=True)
for sub in ("initial", "final"):
    shutil.rmtree(os.path.join(args.out, sub), ignore_errors=True)
def dump_examples(obj, path):
    """indented JSON with every list of numbers on one line"""
    import re
    text = json.dumps(obj, ensure_ascii=False, indent=1)
    text = re.sub(r"\[[-0-9,\s]*\]", lambda m: "[" + ",".join(m.group(0)[1:-1].split()).replace(",,", ",") + "]", text)
    open(path, "w", encoding="utf-8").write(text + "\n")
dump_examples({"max_length": CI_MAX, "eos_id": EOS, "pad_id": PAD, "padding": "right", "label_ignore": -100,
               "examples": examples, "grads_batch": ci["grads_batch"], "step_batches": ci["batches"]},
              os.path.join(args.out, "examples.json"))
fig = run(ci, examples, args.out, "ci")
json.dump({k: v for k, v in fig.items() if k != "steps_seconds"}, open(os.path.join(args.out, "figures.json"), "w"), indent=1)  # no timings: deterministic

if args.full:
    tmp = tempfile.mkdtemp(prefix="ouro-lora-full-")
    texts = tweets(32, 200)
    exs = [encode("Generate a twitter post.", t, 256) for t in texts]
    full = {"rank": 16, "alpha": 16, "layers": None, "targets": TARGETS, "rslora": False, "seed": 1, "lr": 2e-4,
            "steps": 20, "max_length": 256, "batches": [list(range(16)) if k % 2 == 0 else list(range(16, 32))
                                                        for k in range(20)], "grads_batch": list(range(16))}
    dump_examples({"max_length": 256, "eos_id": EOS, "pad_id": PAD, "padding": "right", "label_ignore": -100,
                   "examples": exs, "grads_batch": full["grads_batch"], "step_batches": full["batches"]},
                  os.path.join(tmp, "examples.json"))
    fig_full = run(full, exs, tmp, "full")  # gradient of the batch of step 1 (examples 0-15)
    print(json.dumps({k: v for k, v in fig_full.items()}), flush=True)
    print(f"full-size outputs in {tmp}")
