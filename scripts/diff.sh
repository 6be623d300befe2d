#!/usr/bin/env bash
# `npm run diff -- [--base <ref>] [--profile <p>] [--format text|json]`: what this change does to the
# synthesized objects. Exit 0: no change, 1: changes, 2: bad arguments, config or base ref (message only).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
node scripts/build.mjs
exec node lib/review/diff-command.js "$@"
