#!/usr/bin/env bash
# OLS parity: builds scripts/parity/.venv from the pinned ols-requirements.txt (if needed) and
# regenerates Tests/Fixtures/parity/ols/ols.json with statsmodels/scipy reference values, which
# Tests/OuroTests/Stats/OLSParityTests.swift compares with Ouro's OLS to 1e-8.
#   scripts/parity/ols.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/venv.sh"; parity_venv "$here/ols-requirements.txt"
"$venv/bin/python" "$here/ols.py" "$here/../../Tests/Fixtures/parity/ols/ols.json"
