#!/usr/bin/env bash
# KenLM parity: builds lmplz + the kenlm module (kenlm-build.sh), writes Tests/Fixtures/parity/kenlm/,
# runs the Swift parity test (which also writes our ARPA exports), then checks both directions.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
"$ROOT/scripts/parity/kenlm-build.sh"
PY="$ROOT/scripts/parity/.venv/bin/python"
FIX="$ROOT/Tests/Fixtures/parity/kenlm"
"$PY" "$ROOT/scripts/parity/kenlm_parity.py" fixture "$FIX"
OUT="$(mktemp -d)"
( cd "${OURO_PACKAGE_DIR:-$ROOT}" && OURO_PARITY_OUT="$OUT" swift test --filter NGramKenLMParityTests )
"$PY" "$ROOT/scripts/parity/kenlm_parity.py" check "$FIX" "$OUT"
