#!/usr/bin/env bash
# The main job: synthesize the stack (default profile minikube; STACK_PROFILE / STACK_CONFIG) into dist/.
set -euo pipefail
# No process is started before node but the few a check needs (see below).
case "$0" in */*) cd "${0%/*}/.." ;; *) cd .. ;; esac
source scripts/bootstrap.sh
# scripts/build.mjs rebuilds the bundle and its startup snapshot when an input changed (content hash).
# Whether it has anything to do is known here from a few stats, without starting node: no input newer
# than the last build's stamp, and a snapshot stamp newer than the bundle and naming this node binary.
hash node 2>/dev/null || true
node_id="$(stat -L -c '%s %Y %i' "${BASH_CMDS[node]:-node}" 2>/dev/null || true)"
snapshot_id=""
read -r snapshot_id 2>/dev/null < lib/.snapshot-node || true
if [ ! -f lib/.build-hash ] || [ ! -f lib/main.bundle.js ] || [ "${snapshot_id}" != "${node_id}" ] || [ ! lib/.snapshot-node -nt lib/main.bundle.js ] ||
  [ -n "$(find src package-lock.json scripts/build.mjs -newer lib/.build-hash -print -quit)" ]; then
  node scripts/build.mjs --snapshot
fi
# The snapshot starts with every module loaded and the synth code compiled; without one (it could not
# be written), the entry point itself.
if [ -f lib/main.blob ]; then
  exec node --snapshot-blob lib/main.blob
fi
exec node lib/main.js
