# Sourced by the test scripts (test.sh, test-live.sh, test-e2e.sh): installs what the tests need and
# exports where it is. Node 22 and the npm packages (bootstrap.sh); the pinned binaries built from their
# Go modules, cached per user outside the clone and keyed by version (a warm run costs well under a
# second): the validators (tools.sh) and the e2e control plane (tools-k8s.sh); the FL workload's venv.
source scripts/bootstrap.sh
export TOOLS_DIR="${TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME}/.cache}/fl-observability/tools}"
bash scripts/tools.sh
bash scripts/tools-k8s.sh
bash workloads/fl/setup.sh
export FLOBS_TOOLS_BIN="${TOOLS_DIR}/bin"
