#!/usr/bin/env bash
# `npm run bench:cross-silo [-- --sites N --series M --seconds S --scrape-interval D]`: the central
# path of a cross-silo federation under load (test/bench/cross-silo.ts); prints figures. Builds (or
# takes from the tools cache) thanos and vmagent first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
export TOOLS_DIR="${TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME}/.cache}/fl-observability/tools}"
node scripts/tools.mjs thanos vmagent >&2
export FLOBS_TOOLS_BIN="${TOOLS_DIR}/bin"
node_modules/.bin/esbuild test/bench/cross-silo.ts --bundle --platform=node --target=node22 --packages=external --outfile=lib/bench-cross-silo.js --log-level=warning
exec node lib/bench-cross-silo.js "$@"
