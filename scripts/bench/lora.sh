#!/usr/bin/env bash
# The torch + peft peer of Ouro's LoRA training benchmark (`ouro bench llm --train`): torch 2.13.0 CPU +
# transformers 5.24.0 + peft 0.21.2 on the same pinned GGUF, float32. Prints one JSON line per part:
#   train: LoRA training tokens/s, rank 16 on all seven projections, batch × seq tokens of packed tweets per step
#          (every token a real, non-pad input token), AdamW steps after `warmup` untimed ones
#   loop:  one study loop step in miniature: fine-tune on 200 posts of ≤ 64 tokens (1 epoch, batch 16), then
#          generate 250 posts of ≤ 60 tokens at T 1.5 / min_p 0.2; each part's seconds
#   scripts/bench/lora.sh [THREADS] [STEPS] [WARMUP]      # defaults 1 thread, 3 timed steps after 1 warmup step
# Needs `ouro data` (OURO_DATA, default ./data). PARTS="train" or "loop" runs one part only.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
threads=${1:-1}; steps=${2:-3}; warmup=${3:-1}
data=${OURO_DATA:-$root/data}
source "$root/scripts/parity/venv.sh"
parity_venv "$root/scripts/parity/lora-requirements.txt" "$root/scripts/parity/.venv/lora"
gguf="$data/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf"
[[ -f $gguf ]] || { echo "lora bench: $gguf not found; run \`ouro data\`" >&2; exit 2; }
echo "# $(date -u '+%F %T UTC') $(uptime | sed 's/.*load/load/')"
for part in ${PARTS:-train loop}; do
  if [[ $part == train ]]; then
    "$venv/bin/python" "$root/scripts/bench/lora_peer.py" train "$gguf" "$data" --threads "$threads" --steps "$steps" --warmup "$warmup" 2> >(grep -v -E "Converting|Loading weights|warn" >&2)
  else
    "$venv/bin/python" "$root/scripts/bench/lora_peer.py" loop "$gguf" "$data" --threads "$threads" 2> >(grep -v -E "Converting|Loading weights|warn" >&2)
  fi
  echo "# $(date -u '+%F %T UTC') $(uptime | sed 's/.*load/load/')"
done
