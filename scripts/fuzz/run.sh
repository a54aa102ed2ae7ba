#!/usr/bin/env bash
# Runs the API fuzzer (fuzz.lua) for CALLS calls in processes of PER calls each, every process in a
# scratch folder under the sandbox and the default limits (instructions raised to fit PER calls).
# A process that dies (signal, trap, abort) or hangs is a finding: its last CALL line is replayed
# alone to confirm it, its arguments are shrunk to nil one at a time while it still kills the
# process, and the reproducer (prelude + call) is written to fuzz-findings/ and printed.
#
#   scripts/fuzz/run.sh [CALLS=100000] [PER=20000] [SEED=1]     (OURO=path/to/ouro to choose the binary)
# Prints a summary line: calls, processes, call errors (the API rejecting input: expected), findings.
set -uo pipefail
CALLS=${1:-100000}; PER=${2:-20000}; SEED=${3:-1}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
OURO=${OURO:-$root/.build/release/ouro}
export OURO_STDLIB=${OURO_STDLIB:-$root/stdlib}
findings_dir=${FINDINGS:-$root/fuzz-findings}
limit=${TIMEOUT:-900}
done_calls=0; procs=0; errors=0; findings=0

scratch() { local d; d=$(mktemp -d); cp "$here/fuzz.lua" "$here/tiny.jsonl" "$d/"; echo "$d"; }

# dies CALLTEXT → 0 if running that one call (after the prelude) kills the process
dies() {
  local d rc; d=$(scratch)
  (cd "$d" && timeout 120 "$OURO" run fuzz.lua --max-instructions 100000000000 --set "call=$1" >/dev/null 2>&1); rc=$?
  rm -rf "$d"
  [[ $rc -ne 0 && $rc -ne 1 && $rc -ne 2 ]]
}

report() {  # report CALLTEXT RC SEED
  local call=$1 rc=$2 s=$3 min=$1
  if dies "$call"; then
    # shrink: replace each top-level argument by nil while the process still dies
    local fn=${call%%(*} inner=${call#*(}; inner=${inner%)}
    IFS=$'\x1e' read -r -a parts <<< "$(printf '%s' "$inner" | awk 'BEGIN{RS="\0"}{d=0;s="";for(i=1;i<=length($0);i++){c=substr($0,i,1);if(c=="("||c=="{"||c=="[")d++;if(c==")"||c=="}"||c=="]")d--;if(c==","&&d==0){printf "%s\x1e",s;s=""}else s=s c};printf "%s",s}')"
    for i in "${!parts[@]}"; do
      local try=("${parts[@]}"); try[$i]=" nil"
      local cand="$fn($(IFS=,; echo "${try[*]}" | sed 's/^ //'))"
      if dies "$cand"; then parts=("${try[@]}"); min=$cand; fi
    done
    confirmed=yes
  else
    confirmed="no (did not reproduce alone; the process state before it may matter: seed $s)"
  fi
  mkdir -p "$findings_dir"
  local f="$findings_dir/finding-$s-$findings.lua"
  { echo "-- fuzz finding: exit $rc, seed $s, reproduces alone: $confirmed"
    echo "-- run: ouro run $(basename "$f") (with tiny.jsonl from scripts/fuzz beside it)"
    awk '/^PRELUDE = \[\[/{p=1;next} /^\]\]/{p=0} p' "$here/fuzz.lua"
    echo "local _ = $min"; } > "$f"
  echo "FINDING (exit $rc, seed $s): $min   → $f" >&2
  findings=$((findings + 1))
}

p=0
while (( done_calls < CALLS )); do
  n=$(( CALLS - done_calls < PER ? CALLS - done_calls : PER ))
  s=$(( SEED + p )); p=$((p + 1))
  d=$(scratch)
  (cd "$d" && timeout "$limit" "$OURO" run fuzz.lua --max-instructions 100000000000 \
     --set "seed=$s" --set "calls=$n" > log 2> err); rc=$?
  procs=$((procs + 1))
  last=$(grep -a '^CALL ' "$d/log" | tail -1)
  if [[ $rc -eq 0 ]] && grep -aq '^DONE ' "$d/log"; then
    read -r _ c e < <(grep -a '^DONE ' "$d/log" | tail -1)
    done_calls=$((done_calls + c)); errors=$((errors + e))
  else
    k=${last#CALL }; k=${k%% *}
    done_calls=$((done_calls + ${k:-0}))
    echo "process seed $s: exit $rc after ${k:-0} calls; stderr tail:" >&2; tail -3 "$d/err" >&2
    report "${last#CALL * }" "$rc" "$s"
  fi
  rm -rf "$d"
done
echo "fuzz: $done_calls calls in $procs processes (seed $SEED…$((SEED + p - 1))), $errors call errors (input rejected), $findings findings"
(( findings == 0 ))
