#!/usr/bin/env bash
# The main job: synthesize the stack (default profile minikube; STACK_PROFILE / STACK_CONFIG) into dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
node scripts/build.mjs
exec node lib/main.js
