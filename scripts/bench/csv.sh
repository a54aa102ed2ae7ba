#!/usr/bin/env bash
# CSV reader benchmark, on demand: Ouro's CSVParser against SwiftCSV 0.10 and yaslab/CSV.swift 2.5.
#   scripts/bench/csv.sh [DATA_DIR] [TOTAL_MB]
# DATA_DIR: Ouro's built data sets (tweets.jsonl, amazon_reviews.jsonl, movie_reviews.jsonl,
# nyt_editorials.jsonl; fortunes.jsonl and sotu.jsonl when there); default $OURO_DATA, else ./data.
# Python's csv module turns them into CSV (scripts/bench/csv/make_csv.py, about TOTAL_MB in all,
# default 80) in ${TMPDIR:-/tmp}/ouro-bench-csv; the bench package scripts/bench/csv/ (its own
# release build in scripts/bench/csv/.build, which compiles Ouro in release too: minutes the first
# time) checks each reader against Python's output, times it (best of CSV_BENCH_RUNS, default 3),
# then shows what each reader does with malformed input.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PKG="$ROOT/scripts/bench/csv"
DATA="${1:-${OURO_DATA:-./data}}"
TOTAL_MB="${2:-80}"
[ -d "$DATA" ] || { echo "csv.sh: no data folder '$DATA' (give one, or set OURO_DATA)" >&2; exit 2; }
W="${TMPDIR:-/tmp}/ouro-bench-csv"
mkdir -p "$W"

echo "building the bench (release)…" >&2
(cd "$PKG" && nice swift build -c release --product CSVBench >&2)
BIN="$(cd "$PKG" && swift build -c release --show-bin-path)/CSVBench"

mapfile -t FILES < <(python3 "$PKG/make_csv.py" "$DATA" "$W" "$TOTAL_MB")
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d)"
"$BIN" "${FILES[@]}"
