#!/usr/bin/env bash
# `npm run health -- [--kubeconfig <file>] [--context <ctx>] [--profile <p>] [--format text|json]
#   [--checks pods,services,probes] [--endpoint <component>=<url>]… [--continuous --interval <s>]`:
# is the deployed stack healthy? Exit 0 healthy, 1 critical, 2 warnings only, 3 could not check.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
node scripts/build.mjs
exec node lib/health-command.js "$@"
