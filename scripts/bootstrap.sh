#!/usr/bin/env bash
# Source this file: Node >= 22 first on PATH, and node_modules installed exactly as package-lock.json
# says (re-installed only when the lock file changes).
_root="${BASH_SOURCE[0]%/*}"
[ "${_root}" = "${BASH_SOURCE[0]}" ] && _root=.
[[ "${_root}" = /* ]] || _root="${PWD}/${_root}"
_root="${_root}/.."
# shellcheck source=scripts/node.sh
source "${_root}/scripts/node.sh"
_stamp="${_root}/node_modules/.lock-sha256"
# A stamp newer than the lock file needs no hashing (a stat, and the stamp read by the shell itself);
# otherwise the lock's hash decides.
_have=""
read -r _have 2>/dev/null < "${_stamp}" || true
if [ "${_stamp}" -nt "${_root}/package-lock.json" ]; then
  _want="${_have}"
else
  _want="$(sha256sum "${_root}/package-lock.json" | cut -d' ' -f1)"
fi
if [ ! -f "${_stamp}" ] || [ "${_have}" != "${_want}" ]; then
  # `npm install --no-save` installs exactly what package-lock.json records and never rewrites it.
  # (`npm ci` refuses this lock: some of jest's optional platform packages are absent from the
  # registry mirror reachable here, so the lock cannot list them.)
  echo "bootstrap: npm install from package-lock.json" >&2
  (cd "${_root}" && npm install --no-save --no-audit --no-fund --loglevel=error >&2) || return 1 2>/dev/null || exit 1
  echo "${_want}" > "${_stamp}"
fi
unset _root _stamp _want _have
