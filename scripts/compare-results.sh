#!/usr/bin/env bash
# Runs experiment files in two checkouts (each with its own release build, stdlib and version of the
# file) and compares what they store: every metric value, every generated text, the cells'
# parameters and the generation counts (not timings, dates or the file's source). Used to show that
# a refactor left results unchanged:
#   git worktree add /tmp/before <ref> && (cd /tmp/before && make release)
#   scripts/compare-results.sh /tmp/before . experiments/quickstart.lua experiments/gaussian_collapse.lua …
# Both use the data folder $OURO_DATA (else ./data of the new checkout).
# Exits 1 on the first difference (printing it), 0 when every file's databases are identical.
set -euo pipefail
old=$(cd "${1:?usage: compare-results.sh OLD_CHECKOUT NEW_CHECKOUT FILE.lua...}" && pwd); new=$(cd "${2:?}" && pwd); shift 2
export OURO_DATA=${OURO_DATA:-$new/data}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
dump() {   # the stored results of every database in a results folder, in a stable order
  for db in "$1"/*.db; do
    sqlite3 -readonly "$db" "
      SELECT 'cell', e.name, c.idx, c.params FROM cells c JOIN experiments e ON e.id = c.experiment ORDER BY e.name, c.idx;
      SELECT 'gen', e.name, c.idx, r.seed, g.g, g.n_human, g.n_synthetic FROM generations g JOIN runs r ON r.id = g.run
        JOIN cells c ON c.id = r.cell JOIN experiments e ON e.id = c.experiment ORDER BY 2, 3, 4, 5;
      SELECT 'metric', e.name, c.idx, r.seed, m.g, m.name, quote(m.value) FROM metrics m JOIN runs r ON r.id = m.run
        JOIN cells c ON c.id = r.cell JOIN experiments e ON e.id = c.experiment ORDER BY 2, 3, 4, 5, 6;
      SELECT 'text', e.name, c.idx, r.seed, t.g, t.idx, t.text FROM texts t JOIN runs r ON r.id = t.run
        JOIN cells c ON c.id = r.cell JOIN experiments e ON e.id = c.experiment ORDER BY 2, 3, 4, 5, 6;"
  done
}
for file in "$@"; do
  name=$(basename "$file" .lua)
  for side in old new; do
    tree=$old; [[ $side == new ]] && tree=$new
    mkdir -p "$work/$side/$name"
    (cd "$work/$side/$name" && OURO_STDLIB=$tree/stdlib "$tree/.build/release/ouro" run "$tree/$file" --quiet --trust >/dev/null 2>"$work/$side/$name.err") \
      || { echo "compare-results: $file failed in $tree:"; cat "$work/$side/$name.err"; exit 1; }
    dump "$work/$side/$name/results" > "$work/$side/$name.dump"
  done
  if cmp -s "$work/old/$name.dump" "$work/new/$name.dump"; then
    echo "$file: identical ($(grep -c '^metric' "$work/new/$name.dump") metric values, $(grep -c '^text' "$work/new/$name.dump") texts)"
  else
    echo "$file: DIFFERENT"; diff "$work/old/$name.dump" "$work/new/$name.dump" | head -20; exit 1
  fi
done
