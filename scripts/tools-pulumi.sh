#!/usr/bin/env bash
# Build the Pulumi CLI, its Node.js language host and the Kubernetes resource provider the
# end-to-end tests run, pinned by the "pulumiTools" section of src/versions.json (the versions of the npm packages
# @pulumi/pulumi and @pulumi/kubernetes in package.json).
#
#   scripts/tools-pulumi.sh                             # all three
#   scripts/tools-pulumi.sh pulumi-resource-kubernetes  # only these (binary names, or pulumiTools keys)
#   scripts/tools-pulumi.sh --list                      # print the binaries and their sources
#
# Output: $TOOLS_DIR/bin/<tool>-<version> plus a symlink $TOOLS_DIR/bin/<tool>, as scripts/tools.sh.
# Exit status 3: a git source below is missing (nothing was built); 1: any other failure.
# TOOLS_DIR defaults to <repo>/.tools. A binary that exists for the pinned version is not rebuilt.
# Pulumi finds the language host next to `pulumi`; install the provider into a PULUMI_HOME with
# `pulumi plugin install resource kubernetes <version> --file $TOOLS_DIR/bin/pulumi-resource-kubernetes`.
#
# Sources (nothing here is committed; everything lives under $TOOLS_DIR/src):
#   * pulumi: the Go module github.com/pulumi/pulumi/pkg/v3 (cmd/pulumi) from the Go proxy, in a
#     wrapper module (scripts/tools-common.sh); its `../sdk` replace becomes sdk/v3 of the release.
#   * pulumi-language-nodejs and pulumi-resource-kubernetes: their modules are not on the Go proxy,
#     so their source comes from a git clone of the upstream repository at the pinned tag:
#     PULUMI_SRC_GIT (https://github.com/pulumi/pulumi) and PULUMI_K8S_SRC_GIT
#     (https://github.com/pulumi/pulumi-kubernetes), e.g. `git clone --bare`. Their
#     dependencies come from the Go proxy. Versions upstream's go.mod pins that the proxy does not
#     serve are replaced by the nearest served ones ("overrides" in pulumiTools).
#   * The provider embeds files its release build generates: its Pulumi schema (schema.json, big;
#     when the clone lacks that blob it is regenerated from the Kubernetes OpenAPI specs of the
#     k8s.io/kubernetes modules, as upstream's `pulumi-gen-kubernetes schema` does, and must hash to
#     the blob id of the tag's tree) and the versioned copies upstream's generate.go writes.
#     Its SDK module (sdk/v4) comes from the Go proxy, checked against go.sum lines pinned in
#     pulumiTools (the checksum database does not know it) and against the tag's tree.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSIONS_JSON="${ROOT}/src/versions.json"
PULUMI_SRC_GIT="${PULUMI_SRC_GIT:-/work/.mirror/pulumi+pulumi/repo}"
PULUMI_K8S_SRC_GIT="${PULUMI_K8S_SRC_GIT:-/work/.mirror/pulumi+pulumi-kubernetes/repo}"

die() { echo "tools-pulumi.sh: $*" >&2; exit 1; }
# shellcheck source=scripts/tools-common.sh
source "${ROOT}/scripts/tools-common.sh"

command -v node >/dev/null 2>&1 || die "node is required (to read src/versions.json)"

# versions.json pulumiTools -> lines "<key> <value>" (V[key]); overrides as "<tool>.override <module> <version>".
VERSIONS_OUT="$(node - "${VERSIONS_JSON}" <<'EOF'
const fs = require("fs");
const v = JSON.parse(fs.readFileSync(process.argv[2], "utf8")).pulumiTools ?? {};
const out = [];
const need = (obj, path, key) => {
  const val = obj?.[key];
  if (typeof val !== "string" || val === "") { console.error(`${process.argv[2]}: pulumiTools.${path}.${key} is required`); process.exit(1); }
  return val;
};
for (const tool of ["cli", "languageNodejs", "kubernetes"]) {
  const t = v[tool] ?? {};
  const version = need(t, tool, "version");
  if (!/^v\d+\.\d+\.\d+$/.test(version)) { console.error(`${tool}.version: "${version}" is not vX.Y.Z`); process.exit(1); }
  out.push(`${tool}.version ${version}`, `${tool}.module ${need(t, tool, "module")}`);
  for (const k of ["package", "gitTag", "gitPath"]) if (t[k] !== undefined) out.push(`${tool}.${k} ${t[k]}`);
  for (const [m, mv] of Object.entries(t.overrides ?? {})) out.push(`${tool}.override ${m} ${mv}`);
}
const k = v.kubernetes;
for (const key of ["module", "version", "gitTag", "sum", "goModSum"]) out.push(`kubernetes.sdk.${key} ${need(k.sdkModule, "kubernetes.sdkModule", key)}`);
out.push(`kubernetes.schema.kubernetes ${need(k.schema, "kubernetes.schema", "kubernetes")}`);
out.push(`kubernetes.schema.legacy ${(k.schema.legacyKubernetes ?? []).join(",")}`);
console.log(out.join("\n"));
EOF
)" || die "cannot read ${VERSIONS_JSON} (see above)"
declare -A V
declare -a OVERRIDES_languageNodejs=() OVERRIDES_kubernetes=()
while read -r key a b; do
  case "${key}" in
    languageNodejs.override) OVERRIDES_languageNodejs+=("${a}@${b}") ;;
    kubernetes.override) OVERRIDES_kubernetes+=("${a}@${b}") ;;
    cli.override) die "cli.overrides is not supported (the CLI builds from the proxy as upstream pins it)" ;;
    *) V[$key]=$a ;;
  esac
done <<<"${VERSIONS_OUT}"

# binary | versions key | version command
CATALOG=(
  "pulumi|cli|version"
  "pulumi-language-nodejs|languageNodejs|-version"
  "pulumi-resource-kubernetes|kubernetes|"
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
    echo "pulumi-language-nodejs ${V[languageNodejs.module]}@${V[languageNodejs.version]} (git ${PULUMI_SRC_GIT} ${V[languageNodejs.gitTag]}:${V[languageNodejs.gitPath]})"
    echo "pulumi-resource-kubernetes ${V[kubernetes.module]}@${V[kubernetes.version]} (git ${PULUMI_K8S_SRC_GIT} ${V[kubernetes.gitTag]}:${V[kubernetes.gitPath]})"
    exit 0 ;;
  -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

select_tools ALL_NAMES "$@"

target_of() { echo "${BIN_DIR}/$1-${V[${C_KEY[$1]}.version]}"; }

mkdir -p "${BIN_DIR}"
all_cached=1
for n in "${WANT[@]}"; do [[ -x "$(target_of "${n}")" ]] || { all_cached=0; break; }; done
if [[ ${all_cached} -eq 0 ]]; then
  command -v go >/dev/null 2>&1 || die "go is required to build the tools (https://go.dev/dl/)"
  command -v git >/dev/null 2>&1 || die "git is required to build the Pulumi tools"
  tools_lock
fi
tools_go_env

# ---------------------------------------------------------------------------
# Git sources.

# Checks that $1 is a git clone holding ref $2; names the variable $3 to set otherwise. Exits with
# status 3 (sources unavailable, as opposed to a failed build) so that callers can tell them apart.
require_git_ref() { # $1 git dir $2 ref $3 env var $4 upstream URL
  if [[ ! -d "$1" ]]; then
    echo "tools-pulumi.sh: no git clone of $4 at $1: clone it (git clone --bare $4) and set $3 to its path" >&2
    exit 3
  fi
  if ! git -C "$1" rev-parse --verify --quiet "$2^{commit}" >/dev/null; then
    echo "tools-pulumi.sh: $3=$1 has no tag $2: fetch it (git -C $1 fetch origin tag $2)" >&2
    exit 3
  fi
}

# Exports the files under paths $4... of ref $2 of git dir $1 into $3, skipping the blobs the clone
# lacks (partial clones, size-limited mirrors); prints the paths of those, one per line.
git_export() { # $1 git dir $2 ref $3 dest $4... paths
  local gdir=$1 ref=$2 dest=$3
  shift 3
  local listing missing excludes=() p want got
  listing="$(git -C "${gdir}" ls-tree -r "${ref}" -- "$@")"
  [[ -n "${listing}" ]] || die "${gdir}: nothing at ${ref} -- $*"
  # "<oid> missing" for every blob the object store lacks.
  missing="$(awk '$2 == "blob" { print $3 }' <<<"${listing}" |
    git -C "${gdir}" cat-file --batch-check='%(objectname) %(objecttype)' 2>/dev/null | awk '$2 == "missing" { print $1 }')"
  local -A absent=()
  for p in ${missing}; do absent[$p]=1; done
  local out=()
  while read -r _ type oid path; do
    if [[ "${type}" == blob && -n "${absent[$oid]:-}" ]]; then
      excludes+=(":(exclude)${path}")
      out+=("${path}")
    fi
  done <<<"${listing}"
  mkdir -p "${dest}"
  git -C "${gdir}" archive --format=tar "${ref}" -- "$@" "${excludes[@]}" 2>/dev/null | tar -x -C "${dest}" ||
    die "git archive ${ref} -- $* from ${gdir} failed"
  want=$(($(awk '$2 == "blob"' <<<"${listing}" | wc -l) - ${#out[@]}))
  got=0
  for p in "$@"; do [[ -e "${dest}/${p}" ]] && got=$((got + $(find "${dest}/${p}" -type f | wc -l))); done
  [[ ${got} -eq ${want} ]] || die "git archive ${ref} from ${gdir}: ${got} files exported, ${want} expected"
  if ((${#out[@]})); then printf '%s\n' "${out[@]}"; fi
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
  local lacking
  lacking="$(git_export "${PULUMI_SRC_GIT}" "${tag}" "${wdir}" ${files})"
  [[ -z "${lacking}" ]] || die "${PULUMI_SRC_GIT} lacks these blobs of ${tag}: ${lacking}"
  local mdir="${wdir}/${path}"
  # Upstream replaces pkg/v3 and sdk/v3 with the repository's own directories (../../..): use the
  # published modules of the release instead.
  (cd "${mdir}" && go mod edit -dropreplace=github.com/pulumi/pulumi/pkg/v3 -dropreplace=github.com/pulumi/pulumi/sdk/v3 \
    $(override_flags "${OVERRIDES_languageNodejs[@]}") && go mod edit -toolchain=none)
  (cd "${mdir}" && nice -n "${TOOLS_NICE:-10}" go build -mod=mod -trimpath -ldflags "-s -w -X ${VERSION_PKG}=${ver}" -o "$1" .)
}

# The provider's Pulumi schema regenerated from the Kubernetes OpenAPI specs into $2, in the
# provider source tree $1 (whose go.mod is set up).
generate_k8s_schema() { # $1 provider dir $2 output schema.json
  local pdir=$1 out=$2 gdir="$1/cmd/fl-schemagen" swdir="$1/.swagger" v args=()
  mkdir -p "${gdir}" "${swdir}"
  # Upstream's swagger merge (package main of pulumi-gen-kubernetes) plus a main that runs only
  # the schema step: pulumi-gen-kubernetes itself also links the .NET code generator, whose
  # module (pulumi-language-dotnet) the Go proxy does not serve.
  cp "${pdir}/cmd/pulumi-gen-kubernetes/merge.go" "${gdir}/"
  cat >"${gdir}/main.go" <<'EOF'
// Written by scripts/tools-pulumi.sh: the schema step of `pulumi-gen-kubernetes schema`.
//
//	fl-schemagen <out schema.json> <current swagger> <legacy swagger>...
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/gen"
)

func main() {
	if len(os.Args) < 3 {
		fail(fmt.Errorf("usage: fl-schemagen <out schema.json> <current swagger> <legacy swagger>..."))
	}
	swagger := mustRead(os.Args[2])
	for _, legacy := range os.Args[3:] { // older specs keep the APIs newer releases removed
		swagger = mergeSwaggerSpecs(mustRead(legacy), swagger)
	}
	var spec map[string]any
	if err := json.Unmarshal(swagger, &spec); err != nil {
		fail(err)
	}
	pkg := gen.PulumiSchema(spec, gen.WithResourceOverlays(gen.ResourceOverlays), gen.WithTypeOverlays(gen.TypeOverlays))
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(pkg); err != nil {
		fail(err)
	}
	if err := os.WriteFile(os.Args[1], out.Bytes(), 0o644); err != nil {
		fail(err)
	}
}

func mustRead(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		fail(err)
	}
	return b
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "fl-schemagen:", err)
	os.Exit(1)
}
EOF
  local IFS_OLD=$IFS legacy
  IFS=, read -r -a legacy <<<"${V[kubernetes.schema.legacy]}"
  IFS=$IFS_OLD
  for v in "${V[kubernetes.schema.kubernetes]}" "${legacy[@]}"; do
    module_info k8s.io/kubernetes "${v}"
    cp "${M_DIR[k8s.io/kubernetes@${v}]}/api/openapi-spec/swagger.json" "${swdir}/swagger-${v}.json"
    chmod u+w "${swdir}/swagger-${v}.json"
    args+=("${swdir}/swagger-${v}.json")
  done
  (cd "${pdir}" && nice -n "${TOOLS_NICE:-10}" go build -mod=mod -trimpath -o "${swdir}/fl-schemagen" ./cmd/fl-schemagen) ||
    die "building the schema generator failed"
  "${swdir}/fl-schemagen" "${out}" "${args[@]}" || die "generating the provider schema failed"
  rm -rf "${swdir}" "${gdir}"
}

build_k8s_provider() { # $1 tmp output
  local ver=${V[kubernetes.version]} tag=${V[kubernetes.gitTag]} path=${V[kubernetes.gitPath]}
  local wdir="${SRC_DIR}/pulumi-resource-kubernetes-${ver}" lacking p
  require_git_ref "${PULUMI_K8S_SRC_GIT}" "${tag}" PULUMI_K8S_SRC_GIT https://github.com/pulumi/pulumi-kubernetes
  rm -rf "${wdir}"
  lacking="$(git_export "${PULUMI_K8S_SRC_GIT}" "${tag}" "${wdir}" "${path}")"
  local pdir="${wdir}/${path}" cmd="${wdir}/${path}/cmd/pulumi-resource-kubernetes"
  local schema_rel="${path}/cmd/pulumi-resource-kubernetes/schema.json" regen=0
  for p in ${lacking}; do
    case "${p}" in
      "${schema_rel}") regen=1 ;;
      "${path}/cmd/pulumi-gen-kubernetes/terraform.json") ;; # input of the terraform mapping, which is committed
      *) die "${PULUMI_K8S_SRC_GIT} lacks the blob of ${p} at ${tag}: fetch it (git -C ${PULUMI_K8S_SRC_GIT} fetch origin tag ${tag})" ;;
    esac
  done

  # go.mod: the SDK module from the proxy (upstream: ../sdk), pinned sums; the overrides.
  local sdkm=${V[kubernetes.sdk.module]} sdkv=${V[kubernetes.sdk.version]}
  (cd "${pdir}" && go mod edit -dropreplace="${sdkm}" -require="${sdkm}@${sdkv}" \
    $(override_flags "${OVERRIDES_kubernetes[@]}") && go mod edit -toolchain=none)
  printf '%s %s %s\n%s %s/go.mod %s\n' "${sdkm}" "${sdkv}" "${V[kubernetes.sdk.sum]}" "${sdkm}" "${sdkv}" "${V[kubernetes.sdk.goModSum]}" >>"${pdir}/go.sum"
  # The SDK module's files must be those of its tag in the clone (blob ids are in the tree even
  # when a size-limited clone lacks a blob).
  local sdkdir
  sdkdir="$(cd "${pdir}" && go mod download -json "${sdkm}@${sdkv}" | node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8")); if (j.Error) { console.error(j.Error); process.exit(1); } console.log(j.Dir)')" ||
    die "go mod download ${sdkm}@${sdkv} failed"
  verify_against_git "${PULUMI_K8S_SRC_GIT}" "${V[kubernetes.sdk.gitTag]}" sdk "${sdkdir}"

  if [[ ${regen} -eq 1 ]]; then
    local want got
    want="$(git -C "${PULUMI_K8S_SRC_GIT}" rev-parse "${tag}:${schema_rel}")"
    echo "  ${schema_rel} is not in the clone: regenerating it from the Kubernetes OpenAPI specs" >&2
    generate_k8s_schema "${pdir}" "${cmd}/schema.json"
    got="$(git hash-object "${cmd}/schema.json")"
    [[ "${got}" == "${want}" ]] || die "regenerated ${schema_rel} has blob id ${got}, the tag's is ${want}"
  fi
  # As upstream's `go generate` (generate.go): the schema with the version, compacted mappings.
  (cd "${cmd}" && VERSION="${ver#v}" nice -n "${TOOLS_NICE:-10}" go run -mod=mod ./generate.go) ||
    die "generate.go (embedded schema) failed"
  (cd "${pdir}" && nice -n "${TOOLS_NICE:-10}" go build -mod=mod -trimpath \
    -ldflags "-s -w -X ${V[kubernetes.module]}/pkg/version.Version=${ver#v}" -o "$1" ./cmd/pulumi-resource-kubernetes)
}

# Every file of module dir $4 is the blob of <ref>:<prefix $3>/<same path> in git dir $1, and the
# other way round (blob ids come from the tree: the comparison works when the clone lacks a blob).
verify_against_git() { # $1 git dir $2 ref $3 prefix $4 module dir
  local gdir=$1 ref=$2 prefix=$3 mdir=$4
  if ! git -C "${gdir}" rev-parse --verify --quiet "${ref}^{commit}" >/dev/null; then
    echo "  (${gdir} has no tag ${ref}: ${mdir} not compared with git)" >&2
    return 0
  fi
  local bad
  bad="$(node - "${gdir}" "${ref}" "${prefix}" "${mdir}" <<'EOF'
const { execFileSync } = require("child_process");
const fs = require("fs"), path = require("path");
const [gdir, ref, prefix, mdir] = process.argv.slice(2);
const files = [];
(function walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p); else files.push(path.relative(mdir, p));
  }
})(mdir);
const tree = new Map(execFileSync("git", ["-C", gdir, "ls-tree", "-r", ref, "--", prefix], { encoding: "utf8", maxBuffer: 1 << 28 })
  .split("\n").filter(Boolean).map((l) => { const [meta, p] = l.split("\t"); return [path.relative(prefix, p), meta.split(" ")[2]]; }));
const ids = execFileSync("git", ["hash-object", "--stdin-paths"], { input: files.map((f) => path.join(mdir, f)).join("\n"), encoding: "utf8", maxBuffer: 1 << 28 }).trim().split("\n");
// A module zip of a subdirectory without a licence carries the repository's.
if (!tree.has("LICENSE")) {
  try { tree.set("LICENSE", execFileSync("git", ["-C", gdir, "rev-parse", `${ref}:LICENSE`], { encoding: "utf8" }).trim()); } catch (e) {}
}
const bad = [];
files.forEach((f, i) => {
  if (tree.get(f) !== ids[i]) bad.push(`${f}: ${tree.has(f) ? "differs" : "not in git"}`);
});
for (const f of tree.keys()) if (!files.includes(f)) bad.push(`${f}: not in the module`);
console.log(bad.join("\n"));
EOF
)" || die "comparing ${mdir} with ${gdir} ${ref} failed"
  [[ -z "${bad}" ]] || die "${mdir} differs from ${ref}:${prefix} of ${gdir}:"$'\n'"${bad}"
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
  kill -INT "${pid}" 2>/dev/null || true
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
