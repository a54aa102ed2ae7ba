#!/usr/bin/env python3
"""Parity of Ouro's n-gram models with KenLM (pinned PyPI kenlm 0.3.0; lmplz built from its source).

Usage (from the repository root):
    scripts/parity/kenlm.sh            # builds KenLM, writes the fixture, runs the Swift test, checks (a) and (b)

Steps this file implements (called by kenlm.sh):
    python kenlm_parity.py fixture DIR        # writes DIR/{train,heldout}.txt, DIR/lmplz.json, DIR/small3.arpa
    python kenlm_parity.py check DIR OURS     # OURS: folder the Swift test wrote (ours.json, ours-N.arpa)

Text: lines of the licence texts in /usr/share/common-licenses (deduplicated), tokenized by
whitespace — the same tokens Ouro's test sees (it splits the same files by whitespace).
(a) our perplexity of heldout == KenLM's perplexity under lmplz's ARPA (rel. diff < 1e-4), orders 2-5;
(b) KenLM's perplexity of *our exported ARPA* == ours (rel. diff < 1e-4).
"""
import json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
VENV_BIN = os.path.join(HERE, ".venv", "bin")
ORDERS = [2, 3, 4, 5]


def corpus():
    seen, lines = set(), []
    d = "/usr/share/common-licenses"
    for name in sorted(os.listdir(d)):
        real = os.path.realpath(os.path.join(d, name))
        if real in seen:
            continue
        seen.add(real)
        for line in open(real, encoding="utf-8", errors="replace"):
            toks = line.split()
            if len(toks) >= 2:
                lines.append(" ".join(toks))
    return lines


def kenlm_ppl(arpa, sentences):
    import kenlm
    m = kenlm.Model(arpa)
    total, n = 0.0, 0
    for s in sentences:
        total += m.score(s, bos=True, eos=True)
        n += len(s.split()) + 1
    return 10 ** (-total / n)


def lmplz(order, train, out):
    with open(train, "rb") as f, open(out, "wb") as o:
        subprocess.run([os.path.join(VENV_BIN, "lmplz"), "-o", str(order), "-S", "200M", "-T", "/tmp"],
                       stdin=f, stdout=o, stderr=subprocess.DEVNULL, check=True)


def fixture(folder):
    os.makedirs(folder, exist_ok=True)
    lines = corpus()
    # Every 10th line is held out; training capped to keep the fixture small (< 200 KB in all).
    held = [l for i, l in enumerate(lines) if i % 10 == 9][:200]
    train = [l for i, l in enumerate(lines) if i % 10 != 9][:1500]
    open(os.path.join(folder, "train.txt"), "w").write("\n".join(train) + "\n")
    open(os.path.join(folder, "heldout.txt"), "w").write("\n".join(held) + "\n")
    res = {}
    tmp = "/tmp/ouro-kenlm-parity"
    os.makedirs(tmp, exist_ok=True)
    for n in ORDERS:
        arpa = os.path.join(tmp, f"lmplz-{n}.arpa")
        lmplz(n, os.path.join(folder, "train.txt"), arpa)
        res[str(n)] = kenlm_ppl(arpa, held)
    # A small order-3 ARPA (first 150 training lines) for the import test.
    small = os.path.join(tmp, "small-train.txt")
    open(small, "w").write("\n".join(train[:100]) + "\n")
    lmplz(3, small, os.path.join(folder, "small3.arpa"))
    res["small3_heldout_ppl"] = kenlm_ppl(os.path.join(folder, "small3.arpa"), held)
    json.dump({"lmplz_perplexity": res, "kenlm": "0.3.0"}, open(os.path.join(folder, "lmplz.json"), "w"), indent=1)
    print("fixture:", folder, res)


def check(folder, ours_dir):
    held = [l for l in open(os.path.join(folder, "heldout.txt")).read().split("\n") if l]
    ref = json.load(open(os.path.join(folder, "lmplz.json")))["lmplz_perplexity"]
    ours = json.load(open(os.path.join(ours_dir, "ours.json")))
    ok = True
    print(f"{'order':>5} {'lmplz ppl':>12} {'ours':>12} {'rel(a)':>9} {'kenlm(ours.arpa)':>17} {'rel(b)':>9}")
    for n in ORDERS:
        a = ref[str(n)]; o = ours[str(n)]
        b = kenlm_ppl(os.path.join(ours_dir, f"ours-{n}.arpa"), held)
        ra, rb = abs(o - a) / a, abs(b - o) / o
        ok &= ra < 1e-4 and rb < 1e-4
        print(f"{n:>5} {a:12.6f} {o:12.6f} {ra:9.2e} {b:17.6f} {rb:9.2e}")
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if sys.argv[1] == "fixture":
        fixture(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3])
