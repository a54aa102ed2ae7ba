#!/usr/bin/env bash
# Regenerates docs/results/: the tables of the paper experiments (experiments/paper/*.lua) at their quick
# setting, their run times, and a few PNG charts. Takes ~10 minutes on 2 cores.
#
#   scripts/results.sh                 (quick grids; what docs/RESULTS.md shows)
#   QUICK=false scripts/results.sh     (the full study-like grids; datasets.lua alone ~30 min on 2 cores)
#   ONLY="political quality" scripts/results.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OURO=${OURO:-.build/release/ouro}
JOBS=${JOBS:-2}
QUICK=${QUICK:-true}
ONLY=${ONLY:-"datasets quality properties political"}
OUT=docs/results
mkdir -p "$OUT"
[ -x "$OURO" ] || swift build -c release --product ouro

for name in $ONLY; do
  file=experiments/paper/$name.lua
  start=$(date +%s)
  # An intermittent heap corruption in the engine (reported to the lead) can abort a run; every finished
  # generation is stored, so --resume continues exactly where it stopped (results are identical).
  rm -rf results/paper_"$name"*            # this file's databases and reports (paper_<name>[_<set>].db)
  mode=--resume
  for attempt in 1 2 3 4; do
    if "$OURO" run "$file" --set quick="$QUICK" --jobs "$JOBS" $mode --quiet > "$OUT/$name.txt" 2> "$OUT/.$name.err"; then
      break
    fi
    echo "$name: attempt $attempt failed ($(grep -m1 -E 'corrupt|crashed|ouro:' "$OUT/.$name.err" || true)); resuming" >&2
  done
  rm -f "$OUT/.$name.err"
  end=$(date +%s)
  echo "$name: $((end - start)) s (quick=$QUICK, --jobs $JOBS, $(nproc) cores, $attempt attempt(s))" | tee "$OUT/$name.time"
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
