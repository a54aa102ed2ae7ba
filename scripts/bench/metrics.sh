#!/usr/bin/env bash
# Benchmarks Ouro's Self-BLEU and VADER against sacreBLEU 2.5.1 and vaderSentiment 3.3.2 in one run,
# on the ground-truth tweets of the pinned vaderSentiment sdist (Self-BLEU on the first N, default 1000;
# VADER on all 4,200). Prints a table of times and ratios.
#   scripts/bench/metrics.sh [N]
# The Swift side is `ouro bench metrics` (release build); override with OURO_BENCH="cmd ...".
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000}
"$root/scripts/parity/metrics.sh" >/dev/null   # builds scripts/parity/.venv (and refreshes the fixtures)
sdist=$("$root/scripts/fetch-package.sh" vaderSentiment)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tar xzf "$sdist" -C "$tmp"
tar xzf "$tmp/vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz" -C "$tmp"
# One tweet per line (the text column).
tr -d '\r' < "$tmp/hutto_ICWSM_2014/tweets_GroundTruth.txt" | cut -f3- > "$tmp/tweets.txt"
bench=${OURO_BENCH:-"swift run -c release ouro bench metrics"}
cd "$root"
$bench --texts "$tmp/tweets.txt" --n "$n" --lexicon "$tmp/vaderSentiment-3.3.2/vaderSentiment" \
  --python "$root/scripts/parity/.venv/bin/python"
