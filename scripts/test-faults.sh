#!/usr/bin/env bash
# The fault suite (`npm run test:faults`, issue 22): the live local stack (test/live/harness.ts) under
# failure and bounded load. Prometheus SIGKILLed and restarted, VictoriaMetrics down, Alertmanager down
# as an alert fires, a failing webhook receiver, the log agent restarted and SIGKILLed, the FL server and
# clients killed, VictoriaMetrics on a full tmpfs (root only: the scenario reports itself not run
# otherwise), 50 synthetic targets × 199 series with the dashboards' queries. Each fault counts what was
# lost; the results table is printed at the end. Installs what it needs like `npm test`, then runs
# jest.faults.config.js. Extra arguments go to jest (e.g. a test file or -t 'pattern').
# FLOBS_FAULTS_VERBOSE=1 prints progress; FLOBS_LIVE_KEEP=1 keeps the stacks' temporary directories.
set -euo pipefail
cd "$(dirname "$0")/.."
FLOBS_E2E_TOOLS=skip # the fault suite needs no control plane or Pulumi
source scripts/test-deps.sh
exec node node_modules/jest/bin/jest.js -c jest.faults.config.js "$@"
