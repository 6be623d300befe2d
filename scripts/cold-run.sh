#!/usr/bin/env bash
# Measures a cold `npm test`, as on a fresh machine: a fresh clone of the committed HEAD in a
# temporary directory (with the shared documents beside it, as CI has them), and empty Go build and
# module caches, tools cache, npm cache, pip cache and FL virtualenv, all in that temporary directory.
# Prints the per-tool build times, the time of each phase of the test command, and the total.
#
#   scripts/cold-run.sh [--shared DIR] [--keep] [--log FILE]
#
#   --shared DIR  the shared documents CI puts beside the clone (default: ../shared of this checkout,
#                 when it exists)
#   --keep        keep the temporary directory (caches, clone) for inspection
#   --log FILE    also keep the whole output of `npm test` in FILE (default: only in the temp dir)
#
# Exit status: that of `npm test` (the summary is printed either way). Nothing outside the temporary
# directory is read or written, except the Go toolchain and the registries the project installs from.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${ROOT}/../shared"
keep=0
log_copy=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --shared) [[ $# -ge 2 ]] || { echo "cold-run.sh: --shared needs a directory" >&2; exit 2; }; shared=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --log) [[ $# -ge 2 ]] || { echo "cold-run.sh: --log needs a file" >&2; exit 2; }; log_copy=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cold-run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -d "${shared}" ]] || { echo "cold-run.sh: no shared documents at '${shared}' (give --shared DIR)" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/flobs-cold.XXXXXX")"
cleanup() {
  if [[ ${keep} -eq 1 ]]; then echo "cold-run.sh: kept ${work}"; return; fi
  chmod -R u+w "${work}" 2>/dev/null || true # the Go module cache is read-only
  rm -rf "${work}"
}
trap cleanup EXIT

git clone --quiet --no-hardlinks "${ROOT}" "${work}/main"
cp -R "${shared}" "${work}/shared"
export GOCACHE="${work}/cache/go-build" GOMODCACHE="${work}/cache/go-mod" TOOLS_DIR="${work}/cache/tools"
export npm_config_cache="${work}/cache/npm" PIP_CACHE_DIR="${work}/cache/pip" XDG_CACHE_HOME="${work}/cache/xdg"
mkdir -p "${GOCACHE}" "${GOMODCACHE}" "${TOOLS_DIR}" "${npm_config_cache}" "${PIP_CACHE_DIR}" "${XDG_CACHE_HOME}"

log="${work}/npm-test.log"
echo "cold-run.sh: $(git -C "${ROOT}" rev-parse --short HEAD) in ${work}/main, $(nproc) cores, log ${log}"
t0=$(date +%s)
status=0
(cd "${work}/main" && npm test) >"${log}" 2>&1 || status=$?
total=$(($(date +%s) - t0))
[[ -z "${log_copy}" ]] || cp "${log}" "${log_copy}"

echo
echo "== cold tool builds (name, version, seconds)"
# scripts/tools.mjs prints `<name> <version> built <seconds>s ...` per binary it built.
grep -E '^[A-Za-z0-9._-]+ +v?[0-9][^ ]* +built +[0-9.]+s' "${log}" | awk '{ printf "  %-28s %-10s %8s\n", $1, $2, $4 }' || echo "  (none: was the cache really empty?)"
echo "== phases of npm test (seconds)"
grep -E '^== .* took [0-9]+s$' "${log}" | sed 's/^== /  /' || true
echo "== result"
grep -E '^tests: ' "${log}" | tail -1 | sed 's/^/  /' || echo "  (no summary line: see the log)"
printf '  total %dm%02ds (exit %d)\n' $((total / 60)) $((total % 60)) "${status}"
exit "${status}"
