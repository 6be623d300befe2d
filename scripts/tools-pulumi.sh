#!/usr/bin/env bash
# Build the Pulumi CLI and the Kubernetes resource provider the end-to-end tests run (and, optionally,
# the CLI's Node.js language host), pinned by the "pulumiTools" section of src/versions.json (the
# versions of the npm packages @pulumi/pulumi and @pulumi/kubernetes in package.json).
#
#   scripts/tools-pulumi.sh                             # the CLI and the provider (+ the language host if PULUMI_SRC_GIT is set)
#   scripts/tools-pulumi.sh pulumi-resource-kubernetes  # only these (binary names, or pulumiTools keys)
#   scripts/tools-pulumi.sh --pulumi-src DIR ...        # same as PULUMI_SRC_GIT=DIR
#   scripts/tools-pulumi.sh --list                      # print the binaries and their sources
#
# Output: $TOOLS_DIR/bin/<tool>-<version> plus a symlink $TOOLS_DIR/bin/<tool>, as scripts/tools.sh.
# Exit status 3: the language host was asked for by name but PULUMI_SRC_GIT is unset, or its clone
# lacks the tag; 1: any other failure.
# TOOLS_DIR defaults to <repo>/.tools. A binary that exists for the pinned version is not rebuilt.
# Install the provider into a PULUMI_HOME with
# `pulumi plugin install resource kubernetes <version> --file $TOOLS_DIR/bin/pulumi-resource-kubernetes`.
#
# Sources (nothing here is committed; generated files live under $TOOLS_DIR/src):
#   * pulumi: the Go module github.com/pulumi/pulumi/pkg/v3 (cmd/pulumi) from the Go proxy, in a
#     wrapper module (scripts/tools-common.sh); its `../sdk` replace becomes sdk/v3 of the release.
#   * pulumi-resource-kubernetes: the Go module github.com/pulumi/pulumi-kubernetes/provider/v4 from
#     the Go proxy. The release has no semver tag for that subdirectory, so the proxy serves it under
#     the pseudo-version of the release commit (pulumiTools.kubernetes.moduleVersion; the commit the
#     proxy reports must be pulumiTools.kubernetes.commit). Its zip carries the release's schema.json
#     and terraform-mapping.json; the main package is copied into the wrapper module, where upstream's
#     generate.go writes the versioned copies main.go embeds. Its `../sdk` replace becomes sdk/v4 of
#     the release (pulumiTools.kubernetes.sdkVersion); -ldflags set the version, as upstream's build.
#   * pulumi-language-nodejs (optional: the e2e test drives the program through the Automation API,
#     which needs no language host): not on the Go proxy at any version, so it builds from a git
#     clone of https://github.com/pulumi/pulumi at the pinned tag, given by PULUMI_SRC_GIT (or
#     --pulumi-src), e.g. `git clone --bare`; its dependencies come from the Go proxy. Without that
#     source, a run without arguments skips it, with a message.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSIONS_JSON="${ROOT}/src/versions.json"

die() { echo "tools-pulumi.sh: $*" >&2; exit 1; }
# shellcheck source=scripts/tools-common.sh
source "${ROOT}/scripts/tools-common.sh"

ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pulumi-src) [[ $# -ge 2 ]] || die "--pulumi-src needs a directory"; PULUMI_SRC_GIT=$2; shift 2 ;;
    --pulumi-src=*) PULUMI_SRC_GIT=${1#--pulumi-src=}; shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
set -- "${ARGS[@]+"${ARGS[@]}"}"
# No default: the language host's source is what the user points at, or nothing.
PULUMI_SRC_GIT="${PULUMI_SRC_GIT:-}"

command -v node >/dev/null 2>&1 || die "node is required (to read src/versions.json)"

# versions.json pulumiTools -> lines "<key> <value>" (V[key]); overrides as "<tool>.override <module> <version>".
VERSIONS_OUT="$(node - "${VERSIONS_JSON}" <<'EOF'
const fs = require("fs");
const v = JSON.parse(fs.readFileSync(process.argv[2], "utf8")).pulumiTools ?? {};
const out = [];
const fail = (msg) => { console.error(`${process.argv[2]}: ${msg}`); process.exit(1); };
const need = (obj, path, key, re = /./) => {
  const val = obj?.[key];
  if (typeof val !== "string" || val === "") fail(`pulumiTools.${path}.${key} is required`);
  if (!re.test(val)) fail(`pulumiTools.${path}.${key}: "${val}" does not match ${re}`);
  return val;
};
const semver = /^v\d+\.\d+\.\d+$/;
for (const tool of ["cli", "kubernetes", "languageNodejs"]) {
  const t = v[tool] ?? {};
  out.push(`${tool}.version ${need(t, tool, "version", semver)}`, `${tool}.module ${need(t, tool, "module")}`);
  for (const k of ["package", "gitTag", "gitPath"]) if (t[k] !== undefined) out.push(`${tool}.${k} ${t[k]}`);
  for (const [m, mv] of Object.entries(t.overrides ?? {})) out.push(`${tool}.override ${m} ${mv}`);
}
const k = v.kubernetes;
need(k, "kubernetes", "package");
out.push(`kubernetes.moduleVersion ${need(k, "kubernetes", "moduleVersion", /^v\d+\.\d+\.\d+-\S+$/)}`);
out.push(`kubernetes.commit ${need(k, "kubernetes", "commit", /^[0-9a-f]{40}$/)}`);
out.push(`kubernetes.sdkVersion ${need(k, "kubernetes", "sdkVersion", semver)}`);
need(v.languageNodejs, "languageNodejs", "gitTag");
need(v.languageNodejs, "languageNodejs", "gitPath");
console.log(out.join("\n"));
EOF
)" || die "cannot read ${VERSIONS_JSON} (see above)"
declare -A V
declare -a OVERRIDES_languageNodejs=()
while read -r key a b; do
  case "${key}" in
    languageNodejs.override) OVERRIDES_languageNodejs+=("${a}@${b}") ;;
    cli.override | kubernetes.override) die "pulumiTools.${key%.override}.overrides is not supported (it builds from the proxy as upstream pins it)" ;;
    *) V[$key]=$a ;;
  esac
done <<<"${VERSIONS_OUT}"

# binary | versions key | version command
CATALOG=(
  "pulumi|cli|version"
  "pulumi-resource-kubernetes|kubernetes|"
  "pulumi-language-nodejs|languageNodejs|-version"
)
declare -A C_KEY C_VCMD
ALL_NAMES=()
for row in "${CATALOG[@]}"; do
  IFS='|' read -r name key vcmd <<<"${row}"
  C_KEY[$name]=$key; C_VCMD[$name]=$vcmd
  ALL_NAMES+=("${name}")
done

case "${1:-}" in
  --list)
    echo "pulumi ${V[cli.module]}/${V[cli.package]}@${V[cli.version]} (Go proxy)"
    echo "pulumi-resource-kubernetes ${V[kubernetes.module]}/${V[kubernetes.package]}@${V[kubernetes.moduleVersion]} = ${V[kubernetes.version]} (Go proxy)"
    echo "pulumi-language-nodejs ${V[languageNodejs.module]}@${V[languageNodejs.version]} (optional; git ${PULUMI_SRC_GIT:-<PULUMI_SRC_GIT not set>} ${V[languageNodejs.gitTag]}:${V[languageNodejs.gitPath]})"
    exit 0 ;;
  -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

# Without arguments: the CLI and the provider, and the language host only when its source is given.
DEFAULT_NAMES=(pulumi pulumi-resource-kubernetes)
if [[ -n "${PULUMI_SRC_GIT}" ]]; then
  DEFAULT_NAMES+=(pulumi-language-nodejs)
elif [[ $# -eq 0 ]]; then
  echo "tools-pulumi.sh: pulumi-language-nodejs skipped (optional: set PULUMI_SRC_GIT to a git clone of https://github.com/pulumi/pulumi to build it)" >&2
fi
select_tools DEFAULT_NAMES "$@"

target_of() { echo "${BIN_DIR}/$1-${V[${C_KEY[$1]}.version]}"; }

mkdir -p "${BIN_DIR}"
all_cached=1
for n in "${WANT[@]}"; do [[ -x "$(target_of "${n}")" ]] || { all_cached=0; break; }; done
if [[ ${all_cached} -eq 0 ]]; then
  command -v go >/dev/null 2>&1 || die "go is required to build the tools (https://go.dev/dl/)"
  tools_lock
fi
tools_go_env

# ---------------------------------------------------------------------------
# The git source of the optional language host.

# Checks that $1 is a git clone holding ref $2; names the variable $3 to set otherwise. Exits with
# status 3 (source unavailable, as opposed to a failed build) so that callers can tell them apart.
require_git_ref() { # $1 git dir $2 ref $3 env var $4 upstream URL
  if [[ -z "$1" ]]; then
    echo "tools-pulumi.sh: $3 is not set: clone $4 (git clone --bare $4) and set $3 to its path" >&2
    exit 3
  fi
  command -v git >/dev/null 2>&1 || die "git is required to build from $3=$1"
  if [[ ! -d "$1" ]]; then
    echo "tools-pulumi.sh: $3=$1: no such directory (git clone --bare $4 $1)" >&2
    exit 3
  fi
  if ! git -C "$1" rev-parse --verify --quiet "$2^{commit}" >/dev/null; then
    echo "tools-pulumi.sh: $3=$1 has no tag $2: fetch it (git -C $1 fetch origin tag $2)" >&2
    exit 3
  fi
}

# Exports the files $4... of ref $2 of git dir $1 into $3; fails naming the blobs the clone lacks
# (partial clones, size-limited mirrors).
git_export() { # $1 git dir $2 ref $3 dest $4... paths
  local gdir=$1 ref=$2 dest=$3
  shift 3
  local listing missing
  listing="$(git -C "${gdir}" ls-tree -r "${ref}" -- "$@")"
  [[ -n "${listing}" ]] || die "${gdir}: nothing at ${ref} -- $*"
  missing="$(awk '$2 == "blob" { print $3 }' <<<"${listing}" |
    git -C "${gdir}" cat-file --batch-check='%(objectname) %(objecttype)' 2>/dev/null | awk '$2 == "missing" { print $1 }')"
  [[ -z "${missing}" ]] || die "${gdir} lacks blobs of ${ref} ($(tr '\n' ' ' <<<"${missing}")): fetch them (git -C ${gdir} fetch origin tag ${ref})"
  mkdir -p "${dest}"
  git -C "${gdir}" archive --format=tar "${ref}" -- "$@" | tar -x -C "${dest}" ||
    die "git archive ${ref} -- $* from ${gdir} failed"
}

# `go mod edit` flags replacing each "<module>@<version>" of an overrides list.
override_flags() {
  local o
  for o in "$@"; do printf -- '-replace=%s=%s\n' "${o%@*}" "${o}"; done
}

# ---------------------------------------------------------------------------
VERSION_PKG=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version

build_pulumi() { # $1 tmp output
  local module=${V[cli.module]} ver=${V[cli.version]} wdir="${SRC_DIR}/pulumi-${V[cli.version]}"
  module_info "${module}" "${ver}"
  # ../sdk (not in the module zip) -> github.com/pulumi/pulumi/sdk/v3 of the same release.
  make_wrapper_module "${wdir}" "${module}" "${ver}" "${ver}"
  licence_guard "${wdir}" "" "${module}/${V[cli.package]}"
  (cd "${wdir}" && nice -n "${TOOLS_NICE:-10}" go build -mod=mod -trimpath -ldflags "-s -w -X ${VERSION_PKG}=${ver}" \
    -o "$1" "${module}/${V[cli.package]}")
}

build_language_nodejs() { # $1 tmp output
  local ver=${V[languageNodejs.version]} tag=${V[languageNodejs.gitTag]} path=${V[languageNodejs.gitPath]}
  local wdir="${SRC_DIR}/pulumi-language-nodejs-${ver}" files
  require_git_ref "${PULUMI_SRC_GIT}" "${tag}" PULUMI_SRC_GIT https://github.com/pulumi/pulumi
  rm -rf "${wdir}"
  # The main package: go.mod, go.sum and the non-test Go files (testdata is large and unused).
  files="$(git -C "${PULUMI_SRC_GIT}" ls-tree --name-only "${tag}" -- "${path}/" | grep -E '/(go\.mod|go\.sum|[^/]+\.go)$' | grep -v '_test\.go$')"
  # shellcheck disable=SC2086
  git_export "${PULUMI_SRC_GIT}" "${tag}" "${wdir}" ${files}
  local mdir="${wdir}/${path}"
  # Upstream replaces pkg/v3 and sdk/v3 with the repository's own directories (../../..): use the
  # published modules of the release instead.
  # shellcheck disable=SC2046
  (cd "${mdir}" && go mod edit -dropreplace=github.com/pulumi/pulumi/pkg/v3 -dropreplace=github.com/pulumi/pulumi/sdk/v3 \
    $(override_flags "${OVERRIDES_languageNodejs[@]}") && go mod edit -toolchain=none)
  licence_guard "${mdir}" "" .
  (cd "${mdir}" && nice -n "${TOOLS_NICE:-10}" go build -mod=mod -trimpath -ldflags "-s -w -X ${VERSION_PKG}=${ver}" -o "$1" .)
}

build_k8s_provider() { # $1 tmp output
  local module=${V[kubernetes.module]} mver=${V[kubernetes.moduleVersion]} ver=${V[kubernetes.version]}
  local pkg=${V[kubernetes.package]} sdkv=${V[kubernetes.sdkVersion]} wdir="${SRC_DIR}/pulumi-resource-kubernetes-${V[kubernetes.version]}"
  module_info "${module}" "${mver}"
  local id="${module}@${mver}"
  [[ "${M_HASH[$id]}" == "${V[kubernetes.commit]}" ]] ||
    die "${id} comes from commit ${M_HASH[$id]}, pulumiTools.kubernetes.commit says ${V[kubernetes.commit]}"
  local mdir=${M_DIR[$id]} f
  for f in main.go generate.go schema.json terraform-mapping.json; do
    [[ -f "${mdir}/${pkg}/${f}" ]] || die "${id} has no ${pkg}/${f}"
  done
  # The zip's schema is the release's Kubernetes package (generate.go below stamps its version).
  node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    if (s.name !== "kubernetes" || Object.keys(s.resources ?? {}).length === 0) process.exit(1);' \
    "${mdir}/${pkg}/schema.json" || die "${id}: ${pkg}/schema.json is not the Kubernetes package schema"
  # ../sdk (not in the module zip) -> github.com/pulumi/pulumi-kubernetes/sdk/v4 of the release.
  make_wrapper_module "${wdir}" "${module}" "${mver}" "${sdkv}"
  grep -qE "^replace github.com/pulumi/pulumi-kubernetes/sdk/v4 => github.com/pulumi/pulumi-kubernetes/sdk/v4 ${sdkv}\$" "${wdir}/go.mod" ||
    die "${wdir}/go.mod: upstream's ../sdk replace did not become sdk/v4 ${sdkv} (did upstream's go.mod change?)"
  # The main package goes into the wrapper (the module cache is read-only) with the files upstream's
  # `go generate` (generate.go) writes next to it and main.go embeds: the schema stamped with the
  # version, and the compacted terraform mapping.
  local cmd="${wdir}/cmd/pulumi-resource-kubernetes"
  mkdir -p "${cmd}"
  for f in main.go generate.go schema.json terraform-mapping.json; do cp "${mdir}/${pkg}/${f}" "${cmd}/"; done
  chmod u+w "${cmd}"/*
  (cd "${cmd}" && VERSION="${ver#v}" nice -n "${TOOLS_NICE:-10}" go run -mod=mod ./generate.go) ||
    die "generate.go (the embedded schema) failed"
  licence_guard "${wdir}" "" ./cmd/pulumi-resource-kubernetes
  (cd "${wdir}" && nice -n "${TOOLS_NICE:-10}" go build -mod=mod -trimpath \
    -ldflags "-s -w -X ${module}/pkg/version.Version=${ver#v}" -o "$1" ./cmd/pulumi-resource-kubernetes)
}

# A resource provider started without an engine serves gRPC and prints its port; the CLI, when
# built, then reads its schema, whose version must be the pinned one.
smoke_provider() { # $1 binary $2 version
  local bin=$1 ver=$2 log port="" pid i schema_ver
  log="$(mktemp)"
  "${bin}" >"${log}" 2>&1 &
  pid=$!
  for i in $(seq 1 200); do
    port="$(head -n 1 "${log}")"
    [[ "${port}" =~ ^[0-9]+$ ]] && break
    kill -0 "${pid}" 2>/dev/null || break
    sleep 0.1
  done
  # Provider 4.25 keeps serving after SIGINT: give it a moment, then kill it.
  kill -INT "${pid}" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "${pid}" 2>/dev/null || true
  wait "${pid}" 2>/dev/null || true
  if ! [[ "${port}" =~ ^[0-9]+$ ]]; then
    echo "$(basename "${bin}") did not start: $(head -c 2000 "${log}")" >&2
    rm -f "${log}"
    return 1
  fi
  rm -f "${log}"
  local cli="${BIN_DIR}/pulumi-${V[cli.version]}"
  [[ -x "${cli}" ]] || return 0
  local home
  home="$(mktemp -d)"
  schema_ver="$(PULUMI_HOME="${home}" PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true \
    "${cli}" package get-schema "${bin}" 2>&1 | node -e '
      let t = ""; process.stdin.on("data", (d) => (t += d)).on("end", () => {
        try { console.log(JSON.parse(t).version); } catch (e) { console.log("(not a schema) " + t.slice(0, 2000)); }
      });')"
  rm -rf "${home}"
  [[ "${schema_ver}" == "${ver#v}" ]] || { echo "pulumi package get-schema: version ${schema_ver}, expected ${ver#v}" >&2; return 1; }
}

# ---------------------------------------------------------------------------
build_one() { # $1 binary name
  local name=$1 key=${C_KEY[$1]} ver=${V[${C_KEY[$1]}.version]} target t0 t1 tmp vout
  target="$(target_of "${name}")"
  t0=$(now_ms)
  if [[ -x "${target}" ]]; then
    ln -sfn "${name}-${ver}" "${BIN_DIR}/${name}"
    printf '%-27s %-9s cached %6ss\n' "${name}" "${ver}" "$(fmt_secs $(($(now_ms) - t0)))"
    return 0
  fi
  tmp="${BIN_DIR}/.${name}-${ver}.tmp.$$"
  # (Called unguarded so that `set -e` stops at the first failing step; the EXIT trap removes tmp.)
  case "${name}" in
    pulumi) build_pulumi "${tmp}" ;;
    pulumi-language-nodejs) build_language_nodejs "${tmp}" ;;
    pulumi-resource-kubernetes) build_k8s_provider "${tmp}" ;;
  esac
  [[ -x "${tmp}" ]] || die "building ${name} ${ver} produced no binary"
  # Smoke test: the binary runs and reports the pinned release.
  if [[ -n "${C_VCMD[$name]}" ]]; then
    # shellcheck disable=SC2086
    vout="$("${tmp}" ${C_VCMD[$name]} 2>&1 || true)"
    grep -qF -- "${ver}" <<<"${vout}" || { rm -f "${tmp}"; die "${name} ${C_VCMD[$name]} did not report ${ver}: ${vout}"; }
  else
    smoke_provider "${tmp}" "${ver}" || { rm -f "${tmp}"; die "${name} failed its smoke test (above)"; }
  fi
  mv -f "${tmp}" "${target}"
  ln -sfn "${name}-${ver}" "${BIN_DIR}/${name}"
  t1=$(now_ms)
  printf '%-27s %-9s built  %6ss\n' "${name}" "${ver}" "$(fmt_secs $((t1 - t0)))"
}

T_START=$(now_ms)
# shellcheck disable=SC2064
trap "rm -f '${BIN_DIR}'/.pulumi*.tmp.$$" EXIT
for n in "${WANT[@]}"; do build_one "${n}"; done
echo "tools-pulumi.sh: ${#WANT[@]} tool(s) in ${BIN_DIR}, $(fmt_secs $(($(now_ms) - T_START)))s"
