#!/usr/bin/env bash
# Creates .venv-eark/ (the E-ARK validator's own venv) from tools/eark/requirements.txt.
# Rebuilt from scratch whenever it runs, so packages dropped from the pins do not linger; `make setup` runs it
# only when the requirements file (or this script) changed (stamp .venv-eark/.installed).
# EARK_PYTHON=/path/to/python picks the interpreter; it must be CPython 3.10-3.12 (lxml 5.1.0 wheels).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-eark
REQUIREMENTS=tools/eark/requirements.txt

supported() {
  "$1" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else 1)' 2>/dev/null
}

py=""
for candidate in ${EARK_PYTHON:-} python3.11 python3.12 python3.10 python3; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if supported "$path"; then py=$path; break; fi
done
if [ -z "$py" ]; then
  echo "eark-venv: no CPython 3.10-3.12 found: eark-validator 1.1.3 pins lxml==5.1.0, which has no wheels" \
       "for newer Pythons. Install python3.11 (or set EARK_PYTHON)." >&2
  exit 1
fi

echo "eark-venv: creating $VENV with $("$py" --version 2>&1) from $REQUIREMENTS"
rm -rf "$VENV"
"$py" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  -r "$REQUIREMENTS"
"$VENV/bin/python" -m pip check --disable-pip-version-check
"$VENV/bin/python" -c 'import eark_validator.ipxml.schema, pydantic, lxml.etree' # loads without network
touch "$VENV/.installed"
