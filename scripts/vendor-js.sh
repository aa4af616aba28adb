#!/usr/bin/env bash
# The dashboard's JavaScript (Vega, Vega-Lite, vega-embed) from the npm registry, pinned with their integrity
# in plugins/js/versions.txt, into $VENV/share/sohoa/js/ (served by the api-server's sohoa plugin, never a CDN).
# `make setup` runs it when the pins (or this script) change.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
DEST=$VENV/share/sohoa/js
command -v npm >/dev/null || { echo "vendor-js: npm is missing (scripts/install-system.sh installs it)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$DEST"
grep -v '^#' plugins/js/versions.txt | while read -r name version integrity file; do
  [ -n "$name" ] || continue
  tarball=$(cd "$tmp" && npm pack --silent "$name@$version")
  got=$(python3 -c 'import base64, hashlib, sys; print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tmp/$tarball")
  if [ "$got" != "$integrity" ]; then
    echo "vendor-js: $name@$version from the registry is not the pinned one ($got)" >&2
    exit 1
  fi
  tar -xzf "$tmp/$tarball" -C "$tmp" "package/$file"
  mv "$tmp/package/$file" "$DEST/$(basename "$file")"
  echo "vendor-js: $name@$version -> $DEST/$(basename "$file")"
done
