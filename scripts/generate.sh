#!/usr/bin/env bash
# Regenerates the committed rule files, promtool tests, dashboards and the metric contract.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
node scripts/build.mjs
exec node lib/generate.js
