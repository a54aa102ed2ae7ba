#!/usr/bin/env bash
# Builds KenLM's `lmplz`/`query` from the pinned PyPI kenlm 0.3.0 source archive (cmake + Debian Boost)
# and a venv (scripts/parity/.venv) with the pinned `kenlm` Python module. Idempotent.
# Outputs: scripts/parity/.venv/bin/{python,lmplz,build_binary}
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$HERE/.venv"
if [ -x "$VENV/bin/lmplz" ] && "$VENV/bin/python" -c 'import kenlm' 2>/dev/null; then exit 0; fi
if ! command -v cmake >/dev/null || [ ! -e /usr/include/boost/program_options.hpp ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake build-essential libboost-program-options-dev \
    libboost-system-dev libboost-thread-dev libboost-test-dev zlib1g-dev libeigen3-dev libbz2-dev liblzma-dev >/dev/null
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip >/dev/null
SRC="$VENV/src"; mkdir -p "$SRC"
if [ ! -f "$SRC/kenlm-0.3.0.tar.gz" ]; then
  "$VENV/bin/pip" download -q --no-deps --no-binary kenlm kenlm==0.3.0 -d "$SRC"
fi
[ -d "$SRC/kenlm-0.3.0" ] || tar -xzf "$SRC/kenlm-0.3.0.tar.gz" -C "$SRC"
"$VENV/bin/pip" install -q "$SRC/kenlm-0.3.0.tar.gz"
mkdir -p "$SRC/kenlm-0.3.0/build"
( cd "$SRC/kenlm-0.3.0/build" && cmake .. -DCMAKE_BUILD_TYPE=Release >/dev/null && make -j2 lmplz build_binary query >/dev/null )
for b in lmplz build_binary query; do cp "$SRC/kenlm-0.3.0/build/bin/$b" "$VENV/bin/$b"; done
echo "built $VENV/bin/lmplz"
