#!/usr/bin/env bash
# The end-to-end tests (`npm run test:e2e`): a real control plane on 127.0.0.1 (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, KWOK; scripts/control-plane.sh) and the Pulumi CLI with the
# Kubernetes provider (through the Automation API). Installs what it needs like `npm test`, then runs jest.e2e.config.js.
# Extra arguments go to jest (e.g. a test file or -t 'pattern').
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/test-deps.sh
exec node node_modules/jest/bin/jest.js -c jest.e2e.config.js "$@"
