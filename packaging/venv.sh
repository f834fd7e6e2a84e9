#!/usr/bin/env bash
# Run a command inside FaceLens's virtual environment (.venv at the repository root), creating it and
# installing the pinned requirements first when it is missing or requirements.txt changed.
#   bash packaging/venv.sh python main.py        # the app
#   bash packaging/venv.sh python -m pytest      # the tests
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
stamp=.venv/.facelens-requirements
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "facelens: setting up .venv (first run, a few minutes)..." >&2
  [ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  echo "$want" > "$stamp"
fi
[ "$#" -gt 0 ] || exit 0
exe="$1"; shift
if [ -x ".venv/bin/$exe" ]; then exe=".venv/bin/$exe"; fi
exec "$exe" "$@"
