#!/usr/bin/env bash
# Build the binaries of the end-to-end tests' local control plane from their upstream Go
# modules, pinned by the "e2eTools" section of src/versions.json: etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# kubectl and kwok (etcdctl on request).
#
#   scripts/tools-k8s.sh                  # the default set (everything but etcdctl)
#   scripts/tools-k8s.sh kubectl etcdctl  # only these (binary names, or e2eTools keys)
#   scripts/tools-k8s.sh --list           # print the known binaries and exit
#
# Output: $TOOLS_DIR/bin/<tool>-<version> plus a symlink $TOOLS_DIR/bin/<tool>, as
# scripts/tools.sh. TOOLS_DIR defaults to <repo>/.tools. A binary that already exists for the
# pinned version is not rebuilt, so a warm run takes well under a second.
#
# How (all of it under $TOOLS_DIR/src; nothing committed), see scripts/tools-common.sh:
#   * a wrapper module per pinned module: upstream's go.mod renamed + `require <module>`.
#   * k8s.io/kubernetes: its go.mod replaces every k8s.io/<x> staging module with
#     ./staging/src/k8s.io/<x>, which the module zip lacks; the wrapper replaces each with the
#     published k8s.io/<x> of the same release (v1.M.P -> v0.M.P). All Kubernetes binaries are
#     built by one `go build` (packages compiled once), with upstream's release tags
#     (selinux,notest,grpcnotrace) and version ldflags (k8s.io/component-base/version and
#     k8s.io/client-go/pkg/version), so servers report the release, not v0.0.0.
#   * etcd (go.etcd.io/etcd/server/v3, whose main.go is the etcd server) and etcdctl: their
#     ../api, ../client/... replaces become the published modules of the same release.
#   * go build -trimpath -ldflags "-s -w -X ...", CGO_ENABLED=0; each binary is smoke-tested
#     (it must report the pinned version) before it is moved into place.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() { echo "tools-k8s.sh: $*" >&2; exit 1; }
# shellcheck source=scripts/tools-common.sh
source "${ROOT}/scripts/tools-common.sh"

# binary | e2eTools key | package path inside the module ("." = module root) | version command | default
CATALOG=(
  "etcd|etcd|.|--version|yes"
  "etcdctl|etcdctl|.|version|no"
  "kube-apiserver|kubernetes|cmd/kube-apiserver|--version|yes"
  "kube-controller-manager|kubernetes|cmd/kube-controller-manager|--version|yes"
  "kube-scheduler|kubernetes|cmd/kube-scheduler|--version|yes"
  "kubectl|kubernetes|cmd/kubectl|version --client|yes"
  "kwok|kwok|cmd/kwok|--version|yes"
)

command -v node >/dev/null 2>&1 || die "node is required (to read src/versions.json)"

# versions.json e2eTools -> lines "key module version".
VERSIONS_OUT="$(node - "${ROOT}/src/versions.json" <<'EOF'
const fs = require("fs");
const [src] = process.argv.slice(2);
const tools = JSON.parse(fs.readFileSync(src, "utf8")).e2eTools;
if (!tools) { console.error(`no "e2eTools" section in ${src}`); process.exit(1); }
let bad = 0;
for (const [key, t] of Object.entries(tools)) {
  if (typeof t.module !== "string" || !/^v\d+\.\d+\.\d+$/.test(String(t.version))) {
    console.error(`${src}: e2eTools.${key} needs "module" and a "version" vX.Y.Z (got ${JSON.stringify(t)})`);
    bad++; continue;
  }
  console.log([key, t.module, t.version].join(" "));
}
process.exit(bad ? 1 : 0);
EOF
)" || die "cannot read the pinned versions (see above)"
declare -A T_MODULE T_VERSION
while read -r key module version; do T_MODULE[$key]=$module; T_VERSION[$key]=$version; done <<<"${VERSIONS_OUT}"

declare -A C_KEY C_PKG C_VCMD
ALL_NAMES=() DEFAULT_NAMES=()
for row in "${CATALOG[@]}"; do
  IFS='|' read -r name key pkg vcmd dflt <<<"${row}"
  C_KEY[$name]=$key; C_PKG[$name]=$pkg; C_VCMD[$name]=$vcmd
  ALL_NAMES+=("${name}")
  if [[ "${dflt}" == yes ]]; then DEFAULT_NAMES+=("${name}"); fi
done

pkg_of() { # full package path of binary $1
  local key=${C_KEY[$1]}
  if [[ "${C_PKG[$1]}" == . ]]; then echo "${T_MODULE[$key]}"; else echo "${T_MODULE[$key]}/${C_PKG[$1]}"; fi
}

case "${1:-}" in
  --list)
    for n in "${ALL_NAMES[@]}"; do
      echo "${n} $(pkg_of "${n}")@${T_VERSION[${C_KEY[$n]}]:-?}"
    done
    exit 0 ;;
  -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

select_tools DEFAULT_NAMES "$@"
for n in "${WANT[@]}"; do
  [[ -n "${T_VERSION[${C_KEY[$n]}]:-}" ]] || die "no e2eTools.${C_KEY[$n]} pinned (needed for ${n})"
done

target_of() { echo "${BIN_DIR}/$1-${T_VERSION[${C_KEY[$1]}]}"; }

mkdir -p "${BIN_DIR}"
all_cached=1
for n in "${WANT[@]}"; do [[ -x "$(target_of "${n}")" ]] || { all_cached=0; break; }; done
if [[ ${all_cached} -eq 0 ]]; then
  command -v go >/dev/null 2>&1 || die "go is required to build the tools (https://go.dev/dl/)"
  tools_lock
fi
tools_go_env

# ---------------------------------------------------------------------------
# -ldflags -X values so that the binaries report the release.
version_ldflags() { # $1 key
  local key=$1 module=${T_MODULE[$1]} ver=${T_VERSION[$1]} id="${T_MODULE[$1]}@${T_VERSION[$1]}"
  local rev=${M_HASH[$id]} t=${M_TIME[$id]} date="1970-01-01T00:00:00Z" p out="" major minor
  # The module's release time, for reproducible output.
  [[ "${t}" != unknown ]] && date="$(date -u -d "${t}" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo "${date}")"
  case "${module}" in
    k8s.io/kubernetes)
      IFS=. read -r major minor _ <<<"${ver#v}"
      for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        out+=" -X ${p}.gitVersion=${ver} -X ${p}.gitMajor=${major} -X ${p}.gitMinor=${minor}"
        out+=" -X ${p}.gitCommit=${rev} -X ${p}.gitTreeState=clean -X ${p}.buildDate=${date}"
      done ;;
    go.etcd.io/etcd/*)
      [[ "${rev}" != unknown ]] && out="-X go.etcd.io/etcd/api/v3/version.GitSHA=${rev:0:7}" ;;
    sigs.k8s.io/kwok)
      out="-X sigs.k8s.io/kwok/pkg/consts.Version=${ver#v}" ;;
  esac
  echo "${out# }"
}

build_tags() { # $1 key
  case "${T_MODULE[$1]}" in
    k8s.io/kubernetes) echo "selinux,notest,grpcnotrace" ;; # as upstream's release builds
    *) echo "netgo" ;;
  esac
}

# Version of the modules that replace upstream's local-path replaces.
local_replace_version() { # $1 key
  local ver=${T_VERSION[$1]}
  case "${T_MODULE[$1]}" in
    k8s.io/kubernetes) echo "v0.${ver#v1.}" ;; # staging modules: v1.M.P -> v0.M.P
    go.etcd.io/etcd/*) echo "${ver}" ;;
    *) echo "" ;;
  esac
}

# Build every missing binary of e2eTools key $1 in one `go build`; one status line per binary.
build_key() { # $1 key, rest: binary names of that key
  local key=$1; shift
  local module=${T_MODULE[$key]} mver=${T_VERSION[$key]} n t0 t1 missing=() pkgs=()
  t0=$(now_ms)
  for n in "$@"; do
    if [[ -x "$(target_of "${n}")" ]]; then
      ln -sfn "${n}-${mver}" "${BIN_DIR}/${n}"
      printf '%-24s %-8s cached %6ss\n' "${n}" "${mver}" "$(fmt_secs $(($(now_ms) - t0)))"
    else
      missing+=("${n}"); pkgs+=("$(pkg_of "${n}")")
    fi
  done
  [[ ${#missing[@]} -gt 0 ]] || return 0
  t0=$(now_ms)
  module_info "${module}" "${mver}"
  local wdir="${SRC_DIR}/${key}-${mver}" outdir="${BIN_DIR}/.${key}-${mver}.tmp.$$" ldf tags
  make_wrapper_module "${wdir}" "${module}" "${mver}" "$(local_replace_version "${key}")"
  ldf="-s -w $(version_ldflags "${key}")"
  tags="$(build_tags "${key}")"
  licence_guard "${wdir}" "${tags}" "${pkgs[@]}"
  rm -rf "${outdir}"; mkdir -p "${outdir}"
  # -o <dir>/ writes one executable per main package, named after the package path's last
  # element other than a major-version suffix (go.etcd.io/etcd/server/v3 -> "server").
  (cd "${wdir}" && go build -mod=mod -trimpath -tags "${tags}" -ldflags "${ldf}" -o "${outdir}/" "${pkgs[@]}") ||
    { rm -rf "${outdir}"; die "building ${missing[*]} (${module}@${mver}) in ${wdir} failed"; }
  t1=$(now_ms)
  local built vout vcmd
  for n in "${missing[@]}"; do
    built="$(pkg_of "${n}")"; built="${built%/v[0-9]*}"; built="${outdir}/${built##*/}"
    [[ -x "${built}" ]] || { rm -rf "${outdir}"; die "go build did not produce ${built} for ${n}"; }
    read -ra vcmd <<<"${C_VCMD[$n]}"
    vout="$("${built}" "${vcmd[@]}" 2>&1 || true)"
    if ! grep -qF -- "${mver#v}" <<<"${vout}"; then
      rm -rf "${outdir}"
      die "${n} ${C_VCMD[$n]} did not report ${mver#v}: ${vout}"
    fi
    mv -f "${built}" "$(target_of "${n}")"
    ln -sfn "${n}-${mver}" "${BIN_DIR}/${n}"
    printf '%-24s %-8s built  %6ss  (%s@%s%s)\n' "${n}" "${mver}" "$(fmt_secs $((t1 - t0)))" "$(pkg_of "${n}")" "${mver}" \
      "$([[ ${#missing[@]} -gt 1 ]] && echo ", one go build of ${#missing[@]}")"
  done
  rm -rf "${outdir}"
}

T_START=$(now_ms)
# Group the wanted binaries by key, keeping the catalog order of keys.
declare -A SEEN_KEY
for n in "${WANT[@]}"; do
  key=${C_KEY[$n]}
  [[ -n "${SEEN_KEY[$key]:-}" ]] && continue
  SEEN_KEY[$key]=1
  group=()
  for m in "${WANT[@]}"; do if [[ "${C_KEY[$m]}" == "${key}" ]]; then group+=("${m}"); fi; done
  build_key "${key}" "${group[@]}"
done
echo "tools-k8s.sh: ${#WANT[@]} tool(s) in ${BIN_DIR}, $(fmt_secs $(($(now_ms) - T_START)))s"
