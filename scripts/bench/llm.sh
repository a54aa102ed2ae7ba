#!/usr/bin/env bash
# Benchmarks Ouro's SmolLM2 (Swift, CPU) against transformers 5.24.0 + torch 2.13.0 CPU in one run: the same
# pinned GGUF, batched sampling N × NEW tokens at T 1.5 / min_p 0.2 (default 250 × 60, the study's setup),
# perplexity of the first 500 catalog tweets, the same thread count (default: all cores). Prints tokens/s,
# ratios, the sgemm GFLOPS and the share of that limit, peak memory and load times.
#   scripts/bench/llm.sh [N] [NEW] [THREADS]
# Needs `ouro data` (OURO_DATA, default ./data). The Swift side is `ouro bench llm` (release build);
# override with OURO_BENCH="cmd ...".
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-250}; new=${2:-60}; threads=${3:-$(nproc)}
data=${OURO_DATA:-$root/data}
source "$root/scripts/parity/venv.sh"
parity_venv "$root/scripts/parity/llm-requirements.txt" "$root/scripts/parity/.venv/llm"
bench=${OURO_BENCH:-"swift run -c release ouro bench llm"}
cd "$root"
$bench --data "$data" --texts "$data/tweets.jsonl" --n "$n" --new "$new" --ppl 500 --threads "$threads" \
  --python "$venv/bin/python" --peer "$root/scripts/bench/llm_peer.py"
