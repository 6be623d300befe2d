# Sourced by the test scripts (test.sh, test-live.sh, test-e2e.sh): installs what the tests need and
# exports where it is. Node 22 and the npm packages (bootstrap.sh); the pinned binaries built from their
# Go modules, cached per user outside the clone and keyed by version (a warm run costs well under a
# second): the validators (tools.sh), the e2e control plane (tools-k8s.sh) and Pulumi (tools-pulumi.sh);
# the FL workload's venv.
source scripts/bootstrap.sh
export TOOLS_DIR="${TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME}/.cache}/fl-observability/tools}"
bash scripts/tools.sh
bash scripts/tools-k8s.sh
# The Pulumi CLI, language host and Kubernetes provider (test/e2e/pulumi.test.ts). Two of them are not
# on the Go proxy and build from git clones of upstream (see the script); without those clones the
# Pulumi e2e test is reported as skipped, with the reason, instead of failing the run.
pulumi_rc=0
bash scripts/tools-pulumi.sh || pulumi_rc=$?
case "${pulumi_rc}" in
  0) unset FLOBS_PULUMI_UNAVAILABLE ;;
  3) export FLOBS_PULUMI_UNAVAILABLE="scripts/tools-pulumi.sh: upstream git sources missing (see above)" ;;
  *) echo "scripts/tools-pulumi.sh failed (status ${pulumi_rc})" >&2; exit "${pulumi_rc}" ;;
esac
bash workloads/fl/setup.sh
export FLOBS_TOOLS_BIN="${TOOLS_DIR}/bin"
