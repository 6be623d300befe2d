# shellcheck shell=bash
# Sourced by the test scripts (test.sh, test-live.sh, test-e2e.sh): installs what the tests need and
# exports where it is. Node 22 and the npm packages (bootstrap.sh); the pinned binaries built from their
# Go modules by scripts/tools.mjs, cached per user outside the clone and keyed by version (a warm run
# costs well under a second): its set `test` (the validators, the OpenTelemetry Collector, the live
# stack's log sink) and its set `e2e` (the control plane, Pulumi); the FL workload's venv and the
# MLflow server's (scripts/mlflow-venv.sh).
#
# FLOBS_E2E_TOOLS=background (set by test.sh) builds the end-to-end tools (control plane, Pulumi) in
# the background, beside the suites that do not need them; `wait_e2e_tools` (before the e2e suite)
# waits for them and prints their log. Otherwise (test-live.sh needs none of them, test-e2e.sh all)
# FLOBS_E2E_TOOLS=skip or =now (the default).
source scripts/bootstrap.sh
export TOOLS_DIR="${TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME}/.cache}/fl-observability/tools}"
mkdir -p "${TOOLS_DIR}"

# The FL venv installs from PyPI (network, unpacking) while the Go builds use the CPUs.
_venv_log="${TOOLS_DIR}/.fl-venv-setup.$$.log"
bash workloads/fl/setup.sh >"${_venv_log}" 2>&1 &
_venv_pid=$!
# The MLflow server of the live test (scripts/mlflow-venv.sh, cached by release under TOOLS_DIR): the same.
_mlflow_log="${TOOLS_DIR}/.mlflow-venv-setup.$$.log"
bash scripts/mlflow-venv.sh >"${_mlflow_log}" 2>&1 &
_mlflow_pid=$!

node scripts/tools.mjs test

# The control plane and the Pulumi CLI and Kubernetes provider (test/e2e): built from the Go proxy,
# always. The Node.js language host is on no proxy: only when PULUMI_SRC_GIT names a clone of
# https://github.com/pulumi/pulumi is it built, and the e2e test's optional `pulumi up` through
# Pulumi.yaml run (FLOBS_PULUMI_LANGUAGE_HOST); without it that one test is reported as skipped.
build_e2e_tools() {
  node scripts/tools.mjs e2e || return $?
  if [ -n "${PULUMI_SRC_GIT:-}" ]; then
    local rc=0
    node scripts/tools.mjs pulumi-language-nodejs || rc=$?
    case "${rc}" in
      0) ;;
      3) echo "test-deps: PULUMI_SRC_GIT=${PULUMI_SRC_GIT} cannot be used (above): the optional language-host test will be skipped" >&2 ;;
      *) echo "scripts/tools.mjs pulumi-language-nodejs failed (status ${rc})" >&2; return "${rc}" ;;
    esac
  fi
}
# Sets FLOBS_PULUMI_LANGUAGE_HOST when the language host was built.
e2e_tools_env() {
  unset FLOBS_PULUMI_LANGUAGE_HOST
  if [ -n "${PULUMI_SRC_GIT:-}" ] && [ -x "${TOOLS_DIR}/bin/pulumi-language-nodejs" ]; then
    export FLOBS_PULUMI_LANGUAGE_HOST="${TOOLS_DIR}/bin/pulumi-language-nodejs"
  fi
}
case "${FLOBS_E2E_TOOLS:-now}" in
  now) build_e2e_tools; e2e_tools_env ;;
  skip) ;;
  background)
    _e2e_log="${TOOLS_DIR}/.e2e-tools.$$.log"
    echo "test-deps: building the end-to-end tools in the background (log ${_e2e_log})"
    build_e2e_tools >"${_e2e_log}" 2>&1 &
    _e2e_pid=$!
    # Waits for the background build, prints its log; returns its status.
    wait_e2e_tools() {
      local rc=0
      wait "${_e2e_pid}" || rc=$?
      cat "${_e2e_log}"
      rm -f "${_e2e_log}"
      e2e_tools_env
      return "${rc}"
    }
    ;;
  *) echo "test-deps: FLOBS_E2E_TOOLS must be now, background or skip (got '${FLOBS_E2E_TOOLS}')" >&2; exit 2 ;;
esac

_venv_rc=0
wait "${_venv_pid}" || _venv_rc=$?
cat "${_venv_log}"
rm -f "${_venv_log}"
[ "${_venv_rc}" -eq 0 ] || { echo "test-deps: workloads/fl/setup.sh failed (status ${_venv_rc})" >&2; exit "${_venv_rc}"; }
unset _venv_log _venv_pid _venv_rc
_mlflow_rc=0
wait "${_mlflow_pid}" || _mlflow_rc=$?
cat "${_mlflow_log}"
rm -f "${_mlflow_log}"
[ "${_mlflow_rc}" -eq 0 ] || { echo "test-deps: scripts/mlflow-venv.sh failed (status ${_mlflow_rc})" >&2; exit "${_mlflow_rc}"; }
unset _mlflow_log _mlflow_pid _mlflow_rc
export FLOBS_TOOLS_BIN="${TOOLS_DIR}/bin"
