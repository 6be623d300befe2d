#!/usr/bin/env bash
# Prints synth speed and output size (see src/bench.ts);
# `npm run bench -- --helm <helm binary> --chart <chart directory> [--runs <n>]`: side by side with helm template.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
node scripts/build.mjs --snapshot
exec node lib/bench.js "$@"
