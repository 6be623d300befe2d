#!/usr/bin/env bash
# Prints synth speed and output size (see src/bench.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
node scripts/build.mjs
exec node lib/bench.js
