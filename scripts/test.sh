#!/usr/bin/env bash
# The test command (`npm test`): installs what the tests need (Node 22, npm packages, the pinned
# validator binaries and the control plane's binaries, the FL workload's Python environment), then
# type-checks and runs every suite: unit (jest), workload (pytest), live local stack, fault suite, end to end.
# Ends with one line `tests: N passed, N failed`; exits non-zero when anything failed. The end-to-end
# tools build in the background during the first suites (see scripts/test-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# Each phase prints `== <name>` before and `== <name> took <N>s` after (scripts/cold-run.sh reads them).
phase_start() { phase_name=$1; phase_t0=$(date +%s); echo "== ${phase_name}"; }
phase_end() { echo "== ${phase_name} took $(($(date +%s) - phase_t0))s"; }

phase_start "install (node, npm packages, validators, collector, FL virtualenv)"
# The end-to-end tools (control plane, Pulumi) build in the background while the first suites run.
export FLOBS_E2E_TOOLS=background
source scripts/test-deps.sh
phase_end

results=".test-results"
rm -rf "${results}" && mkdir -p "${results}"
status=0

phase_start "typecheck"
node node_modules/typescript/bin/tsc --noEmit -p tsconfig.json || status=1
phase_end

phase_start "build (the synth bundle, its startup snapshot, the other entry points)"
# Once, before the suites: their processes run lib/ and must not find it being rewritten.
node scripts/build.mjs --snapshot || status=1
phase_end

phase_start "jest"
node node_modules/jest/bin/jest.js --ci --json --outputFile="${results}/jest.json" || status=1
phase_end

phase_start "pytest (workloads/fl)"
workloads/fl/.venv/bin/python -m pytest workloads/fl/tests -q -p no:cacheprovider --junitxml="${results}/pytest.xml" || status=1
phase_end

phase_start "live local stack (jest.live.config.js)"
node node_modules/jest/bin/jest.js -c jest.live.config.js --ci --json --outputFile="${results}/jest-live.json" || status=1
phase_end

phase_start "fault suite (jest.faults.config.js)"
node node_modules/jest/bin/jest.js -c jest.faults.config.js --ci --json --outputFile="${results}/jest-faults.json" || status=1
phase_end

phase_start "waiting for the end-to-end tools (control plane, Pulumi)"
e2e_tools_ok=1
wait_e2e_tools || { e2e_tools_ok=0; status=1; echo "the end-to-end tools did not build (above): the e2e suite cannot run" >&2; }
phase_end

if [[ ${e2e_tools_ok} -eq 1 ]]; then
  phase_start "end to end on a real control plane (jest.e2e.config.js)"
  node node_modules/jest/bin/jest.js -c jest.e2e.config.js --ci --json --outputFile="${results}/jest-e2e.json" || status=1
  phase_end
fi

node scripts/test-summary.mjs "${results}" jest.json pytest.xml jest-live.json jest-faults.json jest-e2e.json || status=1
exit "${status}"
