#!/usr/bin/env bash
# Classifier parity: builds scripts/parity/.venv from the pinned classifiers-requirements.txt (if
# needed) and regenerates Tests/Fixtures/parity/classifiers/classifiers.json with scikit-learn's
# MultinomialNB / LogisticRegression probabilities, which
# Tests/OuroTests/Classify/ClassifierParityTests.swift compares with Ouro's classifiers
# (naive Bayes to 1e-9, logistic regression to 1e-6).
#   scripts/parity/classifiers.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/venv.sh"; parity_venv "$here/classifiers-requirements.txt"
"$venv/bin/python" "$here/classifiers.py" "$here/../../Tests/Fixtures/parity/classifiers/classifiers.json"
