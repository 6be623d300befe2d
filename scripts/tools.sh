#!/usr/bin/env bash
# Build the validator / local-stack binaries from their upstream Go modules, pinned
# by the "tools" section of src/versions.json (kept equal to the deployed image tags where the
# stack deploys the program; VictoriaLogs only runs in the live local stack, as the log sink).
#
#   scripts/tools.sh                  # all tools
#   scripts/tools.sh promtool amtool  # only these (binary names, or versions.json tool keys)
#   scripts/tools.sh --list           # print the known binaries and exit
#
# Output: $TOOLS_DIR/bin/<tool>-<version> plus a symlink $TOOLS_DIR/bin/<tool>.
# TOOLS_DIR defaults to <repo>/.tools (git-ignored). A binary that already exists
# for the pinned version is not rebuilt, so a warm run takes well under a second.
#
# How a tool is built (nothing here is committed; all of it lives under $TOOLS_DIR):
#   * `go mod download` fetches the module at the pinned version.
#   * A wrapper module is generated in $TOOLS_DIR/src/<tool>-<version>/: its go.mod is
#     the upstream go.mod (same requirements, replace and exclude directives, so the
#     dependency versions are exactly upstream's) renamed, plus `require <module>
#     <version>`; go.sum is upstream's. `go install pkg@version` is not used because
#     it refuses modules with replace/exclude directives.
#   * go build -trimpath -tags netgo -ldflags "-s -w -X <version vars>", CGO_ENABLED=0,
#     so `<tool> --version` reports the release.
#   * Per-module fix-ups, all for files the module zip lacks:
#       - Prometheus: built without `builtinassets` (the web UI is not embedded; the
#         server and API work). Service discovery: tag `remove_all_sd` (keeps
#         static/file/http) plus `enable_<x>_sd` for each x in PROMETHEUS_SD
#         (default "kubernetes", the only SD the stack uses; this cuts the cold
#         build about 3x). PROMETHEUS_SD=all enables every SD except those in
#         PROMETHEUS_EXCLUDED_SD (default "nomad": its pinned dependency
#         hashicorp/nomad/api is a pseudo-version some Go proxies do not serve).
#         Changing these does not rename the binary: delete .tools/bin/prom*-v* first.
#       - Alertmanager: the UI (ui/app/dist, built by npm upstream) is not in the
#         module, so the module is copied and a placeholder index.html added.
#   * Before building, the licence guard (licence_guard in scripts/tools-common.sh) checks every
#     module the binary is built from; AGPL, other non-open-source or unlicensed code is refused.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSIONS_JSON="${ROOT}/src/versions.json"
PROMETHEUS_SD="${PROMETHEUS_SD:-kubernetes}"
PROMETHEUS_EXCLUDED_SD="${PROMETHEUS_EXCLUDED_SD-nomad}"

# binary | versions.json tools key | package path inside the module | version flag
CATALOG=(
  "promtool|promtool|cmd/promtool|--version"
  "prometheus|promtool|cmd/prometheus|--version"
  "alertmanager|alertmanager|cmd/alertmanager|--version"
  "amtool|alertmanager|cmd/amtool|--version"
  "victoria-metrics|victoriaMetrics|app/victoria-metrics|-version"
  "vmalert|victoriaMetrics|app/vmalert|-version"
  "victoria-logs|victoriaLogs|app/victoria-logs|-version"
)

die() { echo "tools.sh: $*" >&2; exit 1; }
# now_ms, fmt_secs, tools_lock, tools_go_env, module_info, make_wrapper_module (shared with
# scripts/tools-k8s.sh).
# shellcheck source=scripts/tools-common.sh
source "${ROOT}/scripts/tools-common.sh"

command -v node >/dev/null 2>&1 || die "node is required (to read src/versions.json)"

# ---------------------------------------------------------------------------
# versions.json -> lines "key module version imageTag"; also checks that each tool
# version matches its image tag (Prometheus: module v0.3MM.P == image v3.MM.P).
read_versions() {
  node - "${VERSIONS_JSON}" <<'EOF'
const fs = require("fs");
const v = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const strip = (s) => String(s).replace(/^v/, "");
let bad = 0;
for (const [key, t] of Object.entries(v.tools || {})) {
  // A tool the stack does not deploy (no `image`) is named by its own version.
  if (t.image === undefined) { console.log([key, t.module, t.version, "v" + strip(t.version)].join(" ")); continue; }
  const img = (v.images || {})[t.image];
  if (!img) { console.error(`tools.${key}: image "${t.image}" not in images`); bad++; continue; }
  let expect = strip(t.version);
  const m = /^0\.(\d+)\.(\d+)$/.exec(expect);
  if (t.module === "github.com/prometheus/prometheus" && m) {
    const n = Number(m[1]);
    expect = `${Math.floor(n / 100)}.${n % 100}.${m[2]}`;
  }
  if (expect !== strip(img.tag)) {
    console.error(`tools.${key}.version ${t.version} does not match images.${t.image}.tag ${img.tag}`);
    bad++;
  }
  console.log([key, t.module, t.version, "v" + strip(img.tag)].join(" "));
}
process.exit(bad ? 1 : 0);
EOF
}

VERSIONS_OUT="$(read_versions)" || die "src/versions.json: tools and images disagree (see above)"
declare -A T_MODULE T_VERSION T_TAG
while read -r key module version tag; do
  T_MODULE[$key]=$module
  T_VERSION[$key]=$version
  T_TAG[$key]=$tag
done <<<"${VERSIONS_OUT}"

# ---------------------------------------------------------------------------
# Which binaries to build.
declare -A C_KEY C_PKG C_VFLAG
ALL_NAMES=()
for row in "${CATALOG[@]}"; do
  IFS='|' read -r name key pkg vflag <<<"${row}"
  C_KEY[$name]=$key; C_PKG[$name]=$pkg; C_VFLAG[$name]=$vflag
  ALL_NAMES+=("${name}")
done

case "${1:-}" in
  --list)
    for n in "${ALL_NAMES[@]}"; do
      k=${C_KEY[$n]}
      echo "${n} ${T_MODULE[$k]:-?}/${C_PKG[$n]}@${T_VERSION[$k]:-?} (${T_TAG[$k]:-?})"
    done
    exit 0 ;;
  -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

select_tools ALL_NAMES "$@"

mkdir -p "${BIN_DIR}"

all_cached=1
for n in "${WANT[@]}"; do
  [[ -x "${BIN_DIR}/${n}-${T_TAG[${C_KEY[$n]}]}" ]] || { all_cached=0; break; }
done
if [[ ${all_cached} -eq 0 ]]; then
  command -v go >/dev/null 2>&1 || die "go is required to build the tools (https://go.dev/dl/)"
  # Serialise concurrent runs in the same checkout; a waiting run then finds the
  # binaries cached.
  tools_lock
fi
tools_go_env

# ---------------------------------------------------------------------------
# -ldflags -X values so that `<tool> --version` reports the release.
version_ldflags() { # $1 binary $2 module $3 module version $4 release tag (vX.Y.Z)
  local name=$1 module=$2 mver=$3 tag=$4 id="$2@$3"
  local ver=${tag#v} rev=${M_HASH[$id]} t=${M_TIME[$id]} date=unknown vmdate=unknown
  local user=fl-observability-tools.sh p out=""
  if [[ "${t}" != unknown ]]; then # the module's release time, for reproducible output
    date="$(date -u -d "${t}" +%Y%m%d-%H:%M:%S 2>/dev/null || echo unknown)"
    vmdate="$(date -u -d "${t}" +%Y%m%d-%H%M%S 2>/dev/null || echo unknown)"
  fi
  case "${module}" in
    github.com/prometheus/prometheus|github.com/prometheus/alertmanager)
      p=github.com/prometheus/common/version
      out+=" -X ${p}.Version=${ver} -X ${p}.Revision=${rev} -X ${p}.Branch=HEAD"
      out+=" -X ${p}.BuildUser=${user} -X ${p}.BuildDate=${date}" ;;
    github.com/VictoriaMetrics/VictoriaMetrics|github.com/VictoriaMetrics/VictoriaLogs)
      # Both read lib/buildinfo of the VictoriaMetrics module.
      # Upstream shape: <app>-<date>-tags-<tag>-0-g<commit>.
      local short="${rev:0:9}"
      out="-X github.com/VictoriaMetrics/VictoriaMetrics/lib/buildinfo.Version=${name}-${vmdate}-tags-${mver}-0-g${short}" ;;
  esac
  echo "${out# }"
}

# Build tags per module.
build_tags() { # $1 module $2 version
  local module=$1 mver=$2 tags="netgo" f sd
  if [[ "${module}" == github.com/prometheus/prometheus ]]; then
    # remove_all_sd keeps static/file/http SD; each enable_<x>_sd adds one back.
    tags+=",remove_all_sd"
    for f in "${M_DIR[$module@$mver]}"/plugins/plugin_*.go; do
      sd="$(basename "${f}" .go)"; sd="${sd#plugin_}"
      if [[ "${PROMETHEUS_SD}" == all ]]; then
        [[ " ${PROMETHEUS_EXCLUDED_SD//,/ } " == *" ${sd} "* ]] || tags+=",enable_${sd}_sd"
      elif [[ ",${PROMETHEUS_SD}," == *",${sd},"* ]]; then
        tags+=",enable_${sd}_sd"
      fi
    done
  fi
  echo "${tags}"
}

# Generate the wrapper module (see the header). Done once per module version per run.
declare -A WRAPPED
make_wrapper() { # $1 wrapper dir $2 module $3 version
  local wdir=$1 module=$2 mver=$3 id="$2@$3"
  [[ -n "${WRAPPED[$wdir]:-}" ]] && return 0
  # Local-path replaces whose target is not in the module zip are dropped (no 4th argument).
  make_wrapper_module "${wdir}" "${module}" "${mver}"
  if [[ "${module}" == github.com/prometheus/alertmanager ]]; then
    # Needs a file the module zip lacks: build from a copy of the module source.
    cp -R "${M_DIR[$id]}" "${wdir}/module"
    chmod -R u+w "${wdir}/module"
    mkdir -p "${wdir}/module/ui/app/dist"
    printf '<!doctype html><title>Alertmanager</title><p>UI not built (scripts/tools.sh); use the API or amtool.</p>\n' \
      >"${wdir}/module/ui/app/dist/index.html"
    printf 'replace %s => %s\n\n' "${module}" "${wdir}/module" >>"${wdir}/go.mod"
  fi
  WRAPPED[$wdir]=1
}

# ---------------------------------------------------------------------------
build_one() { # $1 binary name; prints one status line
  local name=$1 key=${C_KEY[$1]} pkgpath=${C_PKG[$1]} vflag=${C_VFLAG[$1]}
  local module=${T_MODULE[$key]:-} mver=${T_VERSION[$key]:-} tag=${T_TAG[$key]:-}
  [[ -n "${module}" ]] || die "src/versions.json has no tools.${key} (needed for ${name})"
  local target="${BIN_DIR}/${name}-${tag}" t0 t1
  t0=$(now_ms)
  if [[ -x "${target}" ]]; then
    ln -sfn "${name}-${tag}" "${BIN_DIR}/${name}"
    t1=$(now_ms)
    printf '%-17s %-9s cached %6ss\n' "${name}" "${tag}" "$(fmt_secs $((t1 - t0)))"
    return 0
  fi

  module_info "${module}" "${mver}"
  local wdir="${SRC_DIR}/${key}-${tag}" tmpbin="${BIN_DIR}/.${name}-${tag}.tmp.$$" ldf tags
  make_wrapper "${wdir}" "${module}" "${mver}"
  ldf="-s -w $(version_ldflags "${name}" "${module}" "${mver}" "${tag}")"
  tags="$(build_tags "${module}" "${mver}")"
  licence_guard "${wdir}" "${tags}" "${module}/${pkgpath}"
  (cd "${wdir}" && go build -mod=mod -trimpath -tags "${tags}" -ldflags "${ldf}" -o "${tmpbin}" "${module}/${pkgpath}") ||
    { rm -f "${tmpbin}"; die "building ${name} (${module}/${pkgpath}@${mver}) in ${wdir} failed"; }

  # Smoke test: the binary runs and reports the pinned release.
  local vout
  vout="$("${tmpbin}" "${vflag}" 2>&1 || true)"
  if ! grep -qF -- "${tag#v}" <<<"${vout}"; then
    rm -f "${tmpbin}"
    die "${name} ${vflag} did not report ${tag#v}: ${vout}"
  fi
  mv -f "${tmpbin}" "${target}"
  ln -sfn "${name}-${tag}" "${BIN_DIR}/${name}"
  t1=$(now_ms)
  printf '%-17s %-9s built  %6ss  (%s/%s@%s)\n' "${name}" "${tag}" "$(fmt_secs $((t1 - t0)))" "${module}" "${pkgpath}" "${mver}"
}

T_START=$(now_ms)
for n in "${WANT[@]}"; do build_one "${n}"; done
echo "tools.sh: ${#WANT[@]} tool(s) in ${BIN_DIR}, $(fmt_secs $(($(now_ms) - T_START)))s"
