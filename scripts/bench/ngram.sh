#!/usr/bin/env bash
# N-gram benchmark: Ouro vs KenLM (lmplz, kenlm.Model.score) vs nltk.lm.KneserNeyInterpolated.
#   scripts/bench/ngram.sh [OURO_BENCH_CMD]
# OURO_BENCH_CMD runs Ouro's side: `CMD train.txt heldout.txt ORDER GEN_TOKENS ours.arpa` printing
# `key value` lines (NGramBench.run; default: `ouro bench ngram`, the release build).
# Corpus: Python's standard library sources, whitespace-tokenized, one document per line (>= 1M tokens).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
"$ROOT/scripts/parity/kenlm-build.sh"
PV="$ROOT/scripts/parity/.venv"
BV="$ROOT/scripts/bench/.venv"
[ -x "$BV/bin/python" ] || python3 -m venv "$BV"
"$BV/bin/python" -c 'import nltk' 2>/dev/null || "$BV/bin/pip" install -q nltk==3.10.4
W="${TMPDIR:-/tmp}/ouro-bench-ngram-2"; mkdir -p "$W"
PYLIB="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
if [ ! -s "$W/train.txt" ]; then
  find "$PYLIB" -name '*.py' -not -path '*/test/*' -not -path '*site-packages*' | sort | xargs cat \
    | awk 'NF >= 2 { $1 = $1; print }' > "$W/all.txt"
  # Held-out: every 10th line (~25k lines, ~130k tokens: scoring takes tens of milliseconds, long
  # enough to time); training: the other lines, up to 1.2M tokens.
  awk 'NR % 10 == 0' "$W/all.txt" > "$W/heldout.txt"
  awk 'NR % 10 != 0' "$W/all.txt" | awk '{ n += NF; print } n >= 1200000 { exit }' > "$W/train.txt"
fi
ORDER=3
CMD="${1:-$ROOT/.build/release/ouro bench ngram}"
echo "corpus: $(wc -w < "$W/train.txt") training tokens, $(wc -l < "$W/heldout.txt") held-out lines; order $ORDER"
OURS="$($CMD "$W/train.txt" "$W/heldout.txt" $ORDER ${GEN_TOKENS:-1000000} "$W/ours.arpa")"
echo "$OURS"
LMPLZ=$(python3 -c 'import subprocess, sys, time
t = time.perf_counter()
subprocess.run([sys.argv[1], "-o", sys.argv[2], "-S", "2G", "-T", sys.argv[3]], stdin=open(sys.argv[3] + "/train.txt"),
               stdout=open(sys.argv[3] + "/lmplz.arpa", "w"), stderr=subprocess.DEVNULL, check=True)
print(time.perf_counter() - t)' "$PV/bin/lmplz" $ORDER "$W")
"$PV/bin/python" - "$W" <<'PY' > "$W/kenlm.txt"
import sys, time, kenlm
w = sys.argv[1]
held = [l.strip() for l in open(w + "/heldout.txt") if l.strip()]
m = kenlm.Model(w + "/lmplz.arpa")
t = float("inf")
for _ in range(5):   # best of 5, as Ouro's side
    t0 = time.perf_counter(); s = sum(m.score(l, bos=True, eos=True) for l in held); t = min(t, time.perf_counter() - t0)
n = sum(len(l.split()) + 1 for l in held)
print("kenlm_score_s", t); print("kenlm_ppl", 10 ** (-s / n))
PY
"$BV/bin/python" - "$W" <<'PY' > "$W/nltk.txt"
import sys, time
from nltk.lm import KneserNeyInterpolated
from nltk.lm.preprocessing import padded_everygram_pipeline
w = sys.argv[1]
lines = [l.split() for l in open(w + "/train.txt")]
total = sum(len(l) for l in lines)
sub, n = [], 0
for l in lines:          # nltk is ~1000x slower: fit on a 50k-token subset and scale linearly
    sub.append(l); n += len(l)
    if n >= 50000: break
t = time.perf_counter()
train, vocab = padded_everygram_pipeline(3, sub)
KneserNeyInterpolated(3).fit(train, vocab)
t = time.perf_counter() - t
print("nltk_fit_s_scaled", t * total / n); print("nltk_subset_tokens", n)
PY
cat "$W/kenlm.txt" "$W/nltk.txt"
get() { printf "%s\n" "$OURS" "$(cat "$W/kenlm.txt" "$W/nltk.txt")" | awk -v k="$1" '$1 == k { print $2 }'; }
python3 - "$(get ours_fit_s)" "$LMPLZ" "$(get nltk_fit_s_scaled)" "$(get ours_score_s)" "$(get kenlm_score_s)" \
  "$(get ours_gen_tok_s)" "$(get bytes_per_ngram)" "$(get ours_ppl)" "$(get kenlm_ppl)" <<'PY'
import sys
of, lf, nf, os_, ks, g, b, op, kp = map(float, sys.argv[1:])
print(f"{'measure':<34}{'ours':>12}{'peer':>12}{'ratio':>10}")
print(f"{'fit order 3 vs lmplz (s)':<34}{of:12.3f}{lf:12.3f}{lf/of:9.1f}x")
print(f"{'fit order 3 vs nltk KN (s, scaled)':<34}{of:12.3f}{nf:12.1f}{nf/of:9.0f}x")
print(f"{'score held-out vs kenlm.score (s)':<34}{os_:12.3f}{ks:12.3f}{ks/os_:9.1f}x")
print(f"{'generate T 1.5 min_p 0.2, 1 core (tok/s)':<34}{g:12.0f}")
print(f"{'bytes per stored n-gram':<34}{b:12.1f}")
print(f"{'held-out perplexity (same = parity)':<34}{op:12.4f}{kp:12.4f}{abs(op-kp)/kp:10.1e}")
PY
