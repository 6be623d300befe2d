#!/usr/bin/env bash
# Create/refresh the Python environment of the FL reference workload.
#
#   workloads/fl/setup.sh            # venv at workloads/fl/.venv (git-ignored)
#   PYTHON=python3.11 workloads/fl/setup.sh
#
# Idempotent: the venv is (re)built only when it is missing, when its Python
# version differs, or when requirements*.txt changed (sha256 stamp in the venv).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${FL_VENV:-$here/.venv}"
python="${PYTHON:-python3}"
stamp="$venv/.requirements.sha256"

if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup.sh: $python not found (Python >= 3.11 is required)" >&2
  exit 1
fi
pyver="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "setup.sh: Python >= 3.11 is required (flwr), found $pyver at $python" >&2
  exit 1
fi

want="$(cat "$here/requirements.txt" "$here/requirements-dev.txt" | sha256sum | cut -d' ' -f1)-py$pyver"

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "setup.sh: $venv is up to date"
  exit 0
fi

if [ -x "$venv/bin/python" ]; then
  have="$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo none)"
  if [ "$have" != "$pyver" ]; then
    echo "setup.sh: venv has Python $have, want $pyver: recreating"
    rm -rf "$venv"
  fi
fi
if [ ! -x "$venv/bin/python" ]; then
  echo "setup.sh: creating $venv (Python $pyver)"
  "$python" -m venv "$venv"
fi

echo "setup.sh: installing pinned requirements"
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$here/requirements-dev.txt"
echo "$want" > "$stamp"
echo "setup.sh: done"
