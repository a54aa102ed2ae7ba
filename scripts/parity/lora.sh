#!/usr/bin/env bash
# LoRA parity of Ouro against torch 2.13.0 CPU + transformers 5.24.0 + peft 0.21.2 (float32, same pinned GGUF).
#   scripts/parity/lora.sh          # rewrites Tests/Fixtures/parity/lora/ (CI configuration), then runs the Swift tests
#   FULL=1 scripts/parity/lora.sh   # also the full-size recipe (rank 16, all layers, batch 16, length 256) into a
#                                   # temporary folder, printing its figures (about 10 minutes on one thread)
#   ADAPTER=dir scripts/parity/lora.sh   # only: a PEFT adapter (e.g. one Ouro saved) loaded in peft: its logits on the
#                                        # 5 prompts vs the fixture's initial and final logits, and its loss and
#                                        # gradients on the fixture's gradient batch (written to $TMPDIR)
# Definitions of every fixture file: docs/lora-reference.md. Needs the model installed by `ouro data` (OURO_DATA,
# default ./data) and the catalog's tweets there. THREADS (default 1) sets torch's threads.
set -euo pipefail
export PYTHONHASHSEED=0
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${OURO_DATA:-$root/data}
source "$root/scripts/parity/venv.sh"
parity_venv "$root/scripts/parity/lora-requirements.txt" "$root/scripts/parity/.venv/lora"
gguf="$data/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf"
[[ -f $gguf ]] || { echo "lora parity: $gguf not found; run \`ouro data\`" >&2; exit 2; }
fixture="$root/Tests/Fixtures/parity/lora"
if [[ -n ${ADAPTER:-} ]]; then
  exec "$venv/bin/python" "$root/scripts/parity/lora_reference.py" "$gguf" "$data" "$fixture" --adapter "$ADAPTER"
fi
"$venv/bin/python" "$root/scripts/parity/lora_reference.py" "$gguf" "$data" "$fixture" ${FULL:+--full}
cd "$root"
OURO_DATA=$data swift test --filter 'LoRA' 2>&1 | grep -E "parity|Δ|error|passed|failed" || true
