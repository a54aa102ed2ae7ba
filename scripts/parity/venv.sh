# Sourced by the parity and bench scripts: `parity_venv REQS [DIR]` makes the venv DIR (default
# scripts/parity/.venv) if it is missing, installs the pinned requirements file REQS into it, and sets
# `venv` to DIR.
parity_venv() {
  local reqs=$1
  venv=${2:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/.venv}
  if [[ ! -x $venv/bin/python ]]; then mkdir -p "$(dirname "$venv")"; python3 -m venv "$venv"; fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$reqs"
}
