#!/usr/bin/env bash
# Regenerates docs/results/: the tables of the paper experiments (experiments/paper/*.lua) at their quick
# setting, their run times, and a few PNG charts. Takes ~10 minutes on 2 cores.
#
#   scripts/results.sh                 (quick grids; what docs/RESULTS.md shows)
#   QUICK=false scripts/results.sh     (the full study-like grids; datasets.lua alone ~30 min on 2 cores)
#   ONLY="political quality" scripts/results.sh
#   MODEL=llm scripts/results.sh       (the quick LLM grids, issue #17: SmolLM2 + a fresh LoRA each generation;
#                                       ~25–60 min each on 2 cores, --jobs 1; writes docs/results/llm_<name>.*)
#   MODEL=llm KEEP=1 ONLY=datasets scripts/results.sh   (continue an interrupted run: keeps its databases)
set -euo pipefail
cd "$(dirname "$0")/.."
OURO=${OURO:-.build/release/ouro}
MODEL=${MODEL:-ngram}
QUICK=${QUICK:-true}
if [ "$MODEL" = llm ]; then JOBS=${JOBS:-1}; prefix=paper_llm_; tag=llm_; else JOBS=${JOBS:-2}; prefix=paper_; tag=; fi
ONLY=${ONLY:-"datasets quality properties political"}
OUT=docs/results
mkdir -p "$OUT"
[ -x "$OURO" ] || swift build -c release --product ouro

for name in $ONLY; do
  file=experiments/paper/$name.lua
  start=$(date +%s)
  # An intermittent heap corruption in the engine (reported to the lead) can abort a run; every finished
  # generation is stored, so --resume continues exactly where it stopped (results are identical).
  # this file's databases and reports (paper_[llm_]<name>[_<set>].db), unless KEEP=1 continues them
  [ "${KEEP:-0}" = 1 ] || rm -rf results/"$prefix$name"*
  mode=--resume
  for attempt in 1 2 3 4; do
    if "$OURO" run "$file" --set quick="$QUICK" --set model="$MODEL" --jobs "$JOBS" $mode --quiet \
         > "$OUT/$tag$name.txt" 2> "$OUT/.$tag$name.err"; then
      break
    fi
    echo "$name: attempt $attempt failed ($(grep -m1 -E 'corrupt|crashed|ouro:' "$OUT/.$tag$name.err" || true)); resuming" >&2
  done
  rm -f "$OUT/.$tag$name.err"
  end=$(date +%s)
  echo "$name: $((end - start)) s (model=$MODEL, quick=$QUICK, --jobs $JOBS, $(nproc) cores, $attempt attempt(s))" | tee "$OUT/$tag$name.time"
done

# A few charts as PNG (needs rsvg-convert): one chart as SVG from Lua (ouro.report.plot), rendered 640 px wide
# (< 150 KB each).
plot_lua=$(mktemp --suffix=.lua)
cat > "$plot_lua" <<'LUA'
local r = ouro.results.open(ouro.params.db)
ouro.report.plot(r, { metrics = { ouro.params.metric }, out = ouro.params.out })
LUA
png() {  # png DB METRIC TARGET
  local db=$1 metric=$2 target=$3 svg
  [ -f "$db" ] || return 0
  svg=$(mktemp --suffix=.svg)
  "$OURO" run "$plot_lua" --trust --quiet --set db="$db" --set metric="$metric" --set out="$svg" >/dev/null
  rsvg-convert -w 640 "$svg" -o "$OUT/$target"
  rm -f "$svg"
}
if command -v rsvg-convert >/dev/null; then
  png results/paper_political.db lean political_lean.png
  png results/paper_datasets_tweets.db semantic_diversity datasets_tweets_semantic_diversity.png
  png results/paper_datasets_fortunes.db semantic_diversity datasets_fortunes_semantic_diversity.png
  png results/paper_quality_tweets.db quality quality_tweets_quality.png
fi
rm -f "$plot_lua"
ls -la "$OUT"
