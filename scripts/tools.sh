#!/usr/bin/env bash
# Build the validator / local-stack binaries from their upstream Go modules, pinned
# by the "tools" section of src/versions.json (kept equal to the deployed image tags).
#
#   scripts/tools.sh                  # all tools
#   scripts/tools.sh promtool amtool  # only these (binary names, or versions.json tool keys)
#   scripts/tools.sh --list           # print the known binaries and exit
#
# Output: $TOOLS_DIR/bin/<tool>-<version> plus a symlink $TOOLS_DIR/bin/<tool>.
# TOOLS_DIR defaults to <repo>/.tools (git-ignored). A binary that already exists
# for the pinned version is not rebuilt, so a warm run takes well under a second.
#
# Build details (see also the comments at build_one):
#   * CGO_ENABLED=0, -trimpath, -tags netgo, -ldflags "-s -w -X <version vars>".
#   * Modules without replace/exclude directives: `go install <pkg>@<version>`.
#   * Modules with them (Loki): a generated wrapper module in
#     $TOOLS_DIR/src/<tool>-<version>/ whose go.mod is the upstream go.mod (same
#     requirements, replace and exclude directives; relative replace paths made
#     absolute into the module cache) plus a requirement on the module itself.
#   * Prometheus is built without the `builtinassets` tag: the web UI is not
#     embedded (it would need the generated npm assets); the server runs fine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSIONS_JSON="${ROOT}/src/versions.json"
TOOLS_DIR="${TOOLS_DIR:-${ROOT}/.tools}"
case "${TOOLS_DIR}" in /*) ;; *) TOOLS_DIR="${ROOT}/${TOOLS_DIR}" ;; esac
BIN_DIR="${TOOLS_DIR}/bin"
SRC_DIR="${TOOLS_DIR}/src"

# binary | versions.json tools key | package path inside the module | version flag
CATALOG=(
  "promtool|promtool|cmd/promtool|--version"
  "prometheus|promtool|cmd/prometheus|--version"
  "alertmanager|alertmanager|cmd/alertmanager|--version"
  "amtool|alertmanager|cmd/amtool|--version"
  "loki|loki|cmd/loki|-version"
  "promtail|promtail|clients/cmd/promtail|-version"
  "victoria-metrics|victoriaMetrics|app/victoria-metrics|-version"
  "vmalert|victoriaMetrics|app/vmalert|-version"
)

die() { echo "tools.sh: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
fmt_secs() { local ms=$1; printf '%d.%01d' $((ms / 1000)) $(((ms % 1000) / 100)); }

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

if [[ "${1:-}" == "--list" ]]; then
  for n in "${ALL_NAMES[@]}"; do k=${C_KEY[$n]}; echo "${n} ${T_MODULE[$k]:-?}/${C_PKG[$n]} ${T_VERSION[$k]:-?} (${T_TAG[$k]:-?})"; done
  exit 0
fi
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0
fi

WANT=()
if [[ $# -eq 0 ]]; then
  WANT=("${ALL_NAMES[@]}")
else
  for arg in "$@"; do
    if [[ -n "${C_KEY[$arg]:-}" ]]; then
      WANT+=("${arg}")
    else # a versions.json tools key selects all of its binaries
      found=0
      for n in "${ALL_NAMES[@]}"; do
        if [[ "${C_KEY[$n]}" == "${arg}" ]]; then WANT+=("${n}"); found=1; fi
      done
      [[ ${found} -eq 1 ]] || die "unknown tool '${arg}' (known: ${ALL_NAMES[*]})"
    fi
  done
fi

mkdir -p "${BIN_DIR}"

# Fast path: everything requested is already there -> just (re)point the symlinks.
all_cached=1
for n in "${WANT[@]}"; do
  [[ -x "${BIN_DIR}/${n}-${T_TAG[${C_KEY[$n]}]}" ]] || { all_cached=0; break; }
done

if [[ ${all_cached} -eq 0 ]]; then
  command -v go >/dev/null 2>&1 || die "go is required to build the tools (https://go.dev/dl/)"
  # Serialise concurrent runs in the same checkout (the second one then finds the
  # binaries cached).
  exec 9>"${TOOLS_DIR}/.tools.lock"
  flock 9 2>/dev/null || true
fi

# Go environment: no workspace from the caller, static binaries, upstream toolchain
# switching (GOTOOLCHAIN=auto) still applies if the local Go is older than a module.
export GOWORK=off CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

# ---------------------------------------------------------------------------
# Module metadata: go mod download -json <module>@<version> (downloads the source).
declare -A M_DIR M_GOMOD M_SUM M_GOMODSUM M_HASH M_TIME
module_info() { # $1 module $2 version
  local id="$1@$2" json
  [[ -n "${M_DIR[$id]:-}" ]] && return 0
  json="$(cd "${TMPDIR:-/tmp}" && go mod download -json "${id}")" || {
    echo "${json}" >&2; die "go mod download ${id} failed"; }
  local parsed
  parsed="$(node -e '
    const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
    if (j.Error) { console.error(j.Error); process.exit(1); }
    let time = "";
    try { time = JSON.parse(require("fs").readFileSync(j.Info, "utf8")).Time || ""; } catch (e) {}
    console.log([j.Dir, j.GoMod, j.Sum, j.GoModSum, (j.Origin && j.Origin.Hash) || "unknown", time || "unknown"].join("\n"));
  ' <<<"${json}")" || die "go mod download ${id}: error above"
  { read -r "M_DIR[$id]"; read -r "M_GOMOD[$id]"; read -r "M_SUM[$id]"; read -r "M_GOMODSUM[$id]"
    read -r "M_HASH[$id]"; read -r "M_TIME[$id]"; } <<<"${parsed}"
}

# -ldflags -X values so that `<tool> --version` reports the real release.
version_ldflags() { # $1 binary $2 module $3 module version $4 display tag (vX.Y.Z)
  local name=$1 module=$2 mver=$3 tag=$4 id="$2@$3"
  local ver=${tag#v} rev=${M_HASH[$id]} t=${M_TIME[$id]} date="unknown" vmdate="unknown"
  if [[ "${t}" != unknown ]]; then
    date="$(date -u -d "${t}" +%Y%m%d-%H:%M:%S 2>/dev/null || echo unknown)"
    vmdate="$(date -u -d "${t}" +%Y%m%d-%H%M%S 2>/dev/null || echo unknown)"
  fi
  local user="fl-observability-tools.sh"
  case "${module}" in
    github.com/prometheus/prometheus|github.com/prometheus/alertmanager)
      local p=github.com/prometheus/common/version
      echo "-X ${p}.Version=${ver} -X ${p}.Revision=${rev} -X ${p}.Branch=HEAD -X ${p}.BuildUser=${user} -X ${p}.BuildDate=${date}" ;;
    github.com/grafana/loki/v3)
      # Loki's own build package copies its vars into prometheus/common/version in
      # init(); promtail reads the latter directly, so set both.
      local out="" p
      for p in github.com/grafana/loki/v3/pkg/util/build github.com/prometheus/common/version; do
        out+=" -X ${p}.Version=${ver} -X ${p}.Revision=${rev} -X ${p}.Branch=HEAD -X ${p}.BuildUser=${user} -X ${p}.BuildDate=${date}"
      done
      echo "${out# }" ;;
    github.com/VictoriaMetrics/VictoriaMetrics)
      # Same shape as upstream: <app>-<date>-tags-<tag>-0-g<commit>.
      local short="${rev:0:9}"; [[ "${rev}" == unknown ]] && short="unknown"
      echo "-X 'github.com/VictoriaMetrics/VictoriaMetrics/lib/buildinfo.Version=${name}-${vmdate}-tags-${mver}-0-g${short}'" ;;
    *) echo "" ;;
  esac
}

# Generate the wrapper module for modules `go install pkg@version` refuses
# (replace/exclude directives): upstream go.mod with the module line renamed,
# relative replace targets made absolute, ignore/tool/retract dropped, plus
# `require <module> <version>`; go.sum = upstream go.sum + the module's own sums.
make_wrapper() { # $1 wrapper dir $2 module $3 version
  local wdir=$1 module=$2 mver=$3 id="$2@$3"
  rm -rf "${wdir}"; mkdir -p "${wdir}"
  node - "${M_GOMOD[$id]}" "${M_DIR[$id]}" "${module}" "${mver}" "${wdir}" <<'EOF'
const fs = require("fs"), path = require("path");
const [gomod, dir, mod, ver, wdir] = process.argv.slice(2);
const out = [];
let skipBlock = false;
for (const line of fs.readFileSync(gomod, "utf8").split("\n")) {
  const t = line.trim();
  if (skipBlock) { if (t === ")") skipBlock = false; continue; }
  if (/^(ignore|tool|retract)\s*\($/.test(t)) { skipBlock = true; continue; }
  if (/^(ignore|tool|retract)\s/.test(t)) continue;
  if (/^module\s/.test(t)) { out.push("module fl-observability.local/tools/wrapper"); continue; }
  // replace targets that are local paths (./x, ../x) point into the module source.
  const m = /^(\s*(?:replace\s+)?\S+(?:\s+\S+)?\s*=>\s*)(\.\.?\/\S*)\s*$/.exec(line);
  if (m && /=>/.test(line)) { out.push(m[1] + path.join(dir, m[2])); continue; }
  out.push(line);
}
out.push("", `require ${mod} ${ver}`, "");
fs.writeFileSync(path.join(wdir, "go.mod"), out.join("\n"));
EOF
  {
    [[ -f "${M_DIR[$id]}/go.sum" ]] && cat "${M_DIR[$id]}/go.sum"
    echo "${module} ${mver} ${M_SUM[$id]}"
    echo "${module} ${mver}/go.mod ${M_GOMODSUM[$id]}"
  } >"${wdir}/go.sum"
  # A trivial package so `go` treats the directory as a normal module.
  printf 'package wrapper\n' >"${wdir}/doc.go"
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
  local id="${module}@${mver}" pkg="${module}/${pkgpath}" ldf tmpbin
  ldf="-s -w $(version_ldflags "${name}" "${module}" "${mver}" "${tag}")"
  tmpbin="${BIN_DIR}/.${name}-${tag}.tmp.$$"
  local -a flags=(-trimpath -tags netgo -ldflags "${ldf}")

  if grep -Eq '^[[:space:]]*(replace|exclude)([[:space:]]|\()' "${M_GOMOD[$id]}"; then
    local wdir="${SRC_DIR}/${key}-${tag}"
    make_wrapper "${wdir}" "${module}" "${mver}"
    (cd "${wdir}" && go build -mod=mod "${flags[@]}" -o "${tmpbin}" "${pkg}") ||
      { rm -f "${tmpbin}"; die "building ${name} (${pkg}@${mver}) in ${wdir} failed"; }
  else
    local gobin
    gobin="$(mktemp -d "${TOOLS_DIR}/.gobin.XXXXXX")"
    (cd "${gobin}" && GOBIN="${gobin}" go install "${flags[@]}" "${pkg}@${mver}") ||
      { rm -rf "${gobin}"; die "go install ${pkg}@${mver} failed"; }
    mv "${gobin}/$(basename "${pkgpath}")" "${tmpbin}"
    rm -rf "${gobin}"
  fi

  # Smoke test: the binary runs and reports the pinned version.
  local vout
  vout="$("${tmpbin}" "${vflag}" 2>&1 || true)"
  if ! grep -q -- "${tag#v}" <<<"${vout}"; then
    rm -f "${tmpbin}"
    die "${name} ${vflag} did not report ${tag#v}: ${vout}"
  fi
  mv -f "${tmpbin}" "${target}"
  ln -sfn "${name}-${tag}" "${BIN_DIR}/${name}"
  t1=$(now_ms)
  printf '%-17s %-9s built  %6ss  (%s@%s)\n' "${name}" "${tag}" "$(fmt_secs $((t1 - t0)))" "${pkg}" "${mver}"
}

T_START=$(now_ms)
for n in "${WANT[@]}"; do build_one "${n}"; done
echo "tools.sh: ${#WANT[@]} tool(s) in ${BIN_DIR}, total $(fmt_secs $(($(now_ms) - T_START)))s"
