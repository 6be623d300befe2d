#!/usr/bin/env bash
# The live local stack test (`npm run test:live`): the generated Prometheus, Alertmanager,
# VictoriaMetrics and OpenTelemetry Collector configs running in the real binaries on 127.0.0.1 (logs
# into VictoriaLogs), with the FL
# workload (server + 2 clients). Installs what it needs like `npm test`, then runs jest.live.config.js.
# Extra arguments go to jest (e.g. a test file or -t 'pattern'). FLOBS_LIVE_KEEP=1 keeps the
# temporary directory (configs, data, CRI logs) for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."
FLOBS_E2E_TOOLS=skip # the live stack needs no control plane or Pulumi
source scripts/test-deps.sh
exec node node_modules/jest/bin/jest.js -c jest.live.config.js "$@"
