#!/usr/bin/env bash
# Regenerates the metrics parity fixtures (Tests/Fixtures/parity/metrics/) from pinned PyPI packages:
# sacrebleu 2.5.1, vaderSentiment 3.3.2, lexical-diversity 0.1.1 (needs setuptools<70).
# The Swift tests (Tests/OuroTests/Metrics/*ParityTests.swift) compare Ouro against these files.
#   scripts/parity/metrics.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/venv.sh"; parity_venv "$here/metrics-requirements.txt"
sdist=$("$root/scripts/fetch-package.sh" vaderSentiment)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tar xzf "$sdist" -C "$tmp"
"$venv/bin/python" "$here/metrics_reference.py" "$tmp/vaderSentiment-3.3.2" "$root/Tests/Fixtures/parity/metrics"
