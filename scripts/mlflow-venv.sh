#!/usr/bin/env bash
# Creates the virtualenv of the MLflow tracking server the live test runs, in the tools cache:
#
#   bash scripts/mlflow-venv.sh          # $TOOLS_DIR/mlflow-venv-<release>/bin/mlflow
#
# <release> is the one the deployed image pins (src/versions.json: ghcr.io/mlflow/mlflow
# v<release>-full); scripts/mlflow-venv.txt pins every package at it. Idempotent: rebuilt only when
# missing, or when the pins or the Python version changed (sha256 stamp in the venv). A cold install
# downloads about 90 packages from PyPI.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
tools="${TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME}/.cache}/fl-observability/tools}"
python="${PYTHON:-python3}"
pins="scripts/mlflow-venv.txt"

release="$("${python}" -c 'import json, re, sys
tag = json.load(open("src/versions.json"))["images"]["mlflow"]["tag"]
m = re.fullmatch(r"v?(\d+\.\d+\.\d+)(-full)?", tag)
sys.exit(f"mlflow-venv: the mlflow image tag {tag} is not a release such as v3.17.2-full") if m is None else print(m.group(1))')"
pinned="$(sed -n 's/^mlflow==//p' "${pins}")"
if [ "${pinned}" != "${release}" ]; then
  echo "mlflow-venv: ${pins} pins mlflow ${pinned:-nothing}, src/versions.json deploys ${release}: update the pins (pip freeze of a clean install)" >&2
  exit 2
fi

venv="${tools}/mlflow-venv-${release}"
stamp="${venv}/.pins.sha256"
pyver="$("${python}" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
want="$(sha256sum "${pins}" | cut -d' ' -f1)-py${pyver}"
if [ -x "${venv}/bin/mlflow" ] && [ -f "${stamp}" ] && [ "$(cat "${stamp}")" = "${want}" ]; then
  echo "mlflow-venv: ${venv} is up to date"
  exit 0
fi

started=${SECONDS}
rm -rf "${venv}"
mkdir -p "${tools}"
echo "mlflow-venv: creating ${venv} (MLflow ${release}, Python ${pyver})"
"${python}" -m venv "${venv}"
"${venv}/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "${pins}"
echo "${want}" > "${stamp}"
echo "mlflow-venv: done in $((SECONDS - started)) s"
