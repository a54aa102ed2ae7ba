#!/usr/bin/env bash
# Parity of Ouro's SmolLM2 against transformers 5.24.0 + torch 2.13.0 CPU (float32, same pinned GGUF).
#   scripts/parity/llm.sh            # rewrites Tests/Fixtures/parity/llm/*.json, then runs the Swift tests on them
# Needs the model installed by `ouro data` (OURO_DATA, default ./data) and the catalog texts there.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${OURO_DATA:-$root/data}
source "$root/scripts/parity/venv.sh"
parity_venv "$root/scripts/parity/llm-requirements.txt" "$root/scripts/parity/.venv/llm"
gguf="$data/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf"
[[ -f $gguf ]] || { echo "llm parity: $gguf not found; run \`ouro data\`" >&2; exit 2; }
"$venv/bin/python" "$root/scripts/parity/llm_reference.py" "$gguf" "$data" "$root/Tests/Fixtures/parity/llm"
cd "$root"
OURO_DATA=$data swift test --filter 'LLMParityTests|LLMTokenizerTests|LLMSamplingTests' 2>&1 | grep -E "parity|Δ|error|passed|failed" || true
