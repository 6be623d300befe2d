# Shared by scripts/tools.sh, tools-k8s.sh and tools-pulumi.sh (sourced, not run): where the
# binaries go, timing, locking, module metadata and wrapper-module generation for building pinned
# tools from upstream Go modules. The caller sets ROOT (the repository) and defines die().
# (Not under scripts/lib/: .gitignore ignores every directory named lib.)

# TOOLS_DIR (default <repo>/.tools; relative paths are taken from the repository root) holds
# bin/<tool>-<version> (+ a symlink bin/<tool>) and src/ (generated wrapper modules).
TOOLS_DIR="${TOOLS_DIR:-${ROOT}/.tools}"
case "${TOOLS_DIR}" in /*) ;; *) TOOLS_DIR="${ROOT}/${TOOLS_DIR}" ;; esac
BIN_DIR="${TOOLS_DIR}/bin"
SRC_DIR="${TOOLS_DIR}/src"

now_ms() { date +%s%3N; }

# Sets WANT from a script's arguments: tool names, or versions.json keys (a key selects every
# binary built from it); no arguments select the array named by $1. The caller has C_KEY (name ->
# key) and ALL_NAMES.
select_tools() { # $1 name of the default array, then the arguments
  local -n defaults=$1
  shift
  WANT=()
  if [[ $# -eq 0 ]]; then
    WANT=("${defaults[@]}")
    return
  fi
  local arg n found
  for arg in "$@"; do
    if [[ -n "${C_KEY[$arg]:-}" ]]; then WANT+=("${arg}"); continue; fi
    found=0
    for n in "${ALL_NAMES[@]}"; do
      if [[ "${C_KEY[$n]}" == "${arg}" ]]; then WANT+=("${n}"); found=1; fi
    done
    [[ ${found} -eq 1 ]] || die "unknown tool '${arg}' (known: ${ALL_NAMES[*]})"
  done
}
fmt_secs() { printf '%d.%01d' $(($1 / 1000)) $((($1 % 1000) / 100)); }

# Serialise concurrent builds in the same TOOLS_DIR (fd 9); a waiting run then finds the
# binaries cached.
tools_lock() {
  mkdir -p "${TOOLS_DIR}"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"${TOOLS_DIR}/.tools.lock"
    flock 9
  fi
}

# Go environment: ignore any caller workspace; static binaries; no VCS stamping (module
# sources have no .git). If the local Go is older than a module's `go` line,
# GOTOOLCHAIN=auto (the default) fetches a newer one; wrappers drop `toolchain` lines so a
# newer *suggested* toolchain is not fetched needlessly.
tools_go_env() {
  export GOWORK=off CGO_ENABLED=0
  export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
}

# Module metadata from `go mod download -json <module>@<version>`:
# M_DIR (source dir), M_GOMOD (go.mod path), M_HASH (commit or "unknown"), M_TIME (RFC 3339 or "unknown").
declare -A M_DIR M_GOMOD M_HASH M_TIME
module_info() { # $1 module $2 version
  local id="$1@$2" json parsed
  [[ -n "${M_DIR[$id]:-}" ]] && return 0
  json="$(cd "${TMPDIR:-/tmp}" && go mod download -json "${id}")" ||
    { echo "${json}" >&2; die "go mod download ${id} failed"; }
  parsed="$(node -e '
    const fs = require("fs");
    const j = JSON.parse(fs.readFileSync(0, "utf8"));
    if (j.Error) { console.error(j.Error); process.exit(1); }
    let time = "";
    try { time = JSON.parse(fs.readFileSync(j.Info, "utf8")).Time || ""; } catch (e) {}
    console.log([j.Dir, j.GoMod, (j.Origin && j.Origin.Hash) || "unknown", time || "unknown"].join("\n"));
  ' <<<"${json}")" || die "go mod download ${id}: error above"
  { read -r "M_DIR[$id]"; read -r "M_GOMOD[$id]"; read -r "M_HASH[$id]"; read -r "M_TIME[$id]"; } <<<"${parsed}"
}

# Generate a wrapper module in $1 for building packages of module $2@$3: its go.mod is the
# upstream go.mod renamed (same requirements, excludes and godebug, so dependency versions are
# exactly upstream's) plus `require $2 $3`; go.sum is upstream's (`go build -mod=mod` adds
# missing sums, checked against the checksum database).
# A `replace X => ./local/path` points into the upstream repository; when the path is not in
# the module zip (a sibling or staging module) the replace becomes `X => X $4` — the published
# module of the same release — if $4 is given and X is required; otherwise it is dropped.
make_wrapper_module() { # $1 dir $2 module $3 version [$4 version of replaced local modules]
  local wdir=$1 module=$2 mver=$3 localver=${4:-} id="$2@$3"
  rm -rf "${wdir}"; mkdir -p "${wdir}"
  node - "${M_GOMOD[$id]}" "${M_DIR[$id]}" "${module}" "${mver}" "${wdir}" "${localver}" <<'EOF' ||
const fs = require("fs"), path = require("path");
const [gomod, dir, mod, ver, wdir, localver] = process.argv.slice(2);
const lines = fs.readFileSync(gomod, "utf8").split("\n");
const required = new Set();
{
  let inReq = false;
  for (const line of lines) {
    const t = line.replace(/\/\/.*$/, "").trim();
    if (/^require\s*\($/.test(t)) { inReq = true; continue; }
    if (inReq && t === ")") { inReq = false; continue; }
    const m = inReq ? /^(\S+)\s+v\S+$/.exec(t) : /^require\s+(\S+)\s+v\S+$/.exec(t);
    if (m) required.add(m[1]);
  }
}
const out = [];
let skip = false, inReplace = false;
for (const line of lines) {
  const t = line.trim();
  if (skip) { if (t === ")") skip = false; continue; }
  if (/^(ignore|tool|retract)\s*\($/.test(t)) { skip = true; continue; }
  if (/^(ignore|tool|retract|toolchain)\s/.test(t)) continue;
  if (/^module\s/.test(t)) { out.push("module fl-observability.local/tools/wrapper"); continue; }
  if (/^replace\s*\($/.test(t)) inReplace = true;
  else if (inReplace && t === ")") inReplace = false;
  const m = /^\s*(?:replace\s+)?(\S+)(\s+v\S+)?\s*=>\s*(\.\.?\/\S*)\s*(\/\/.*)?$/.exec(line);
  if (m && (inReplace || /^\s*replace\s/.test(line))) {
    const [, from, fromVer = "", target] = m;
    const prefix = inReplace ? "\t" : "replace ";
    const abs = path.join(dir, target);
    if (fs.existsSync(path.join(abs, "go.mod"))) out.push(`${prefix}${from}${fromVer} => ${abs}`);
    else if (localver && required.has(from)) out.push(`${prefix}${from}${fromVer} => ${from} ${localver}`);
    else out.push("// dropped (not in the module zip): " + t);
    continue;
  }
  out.push(line);
}
out.push("", `require ${mod} ${ver}`, "");
fs.writeFileSync(path.join(wdir, "go.mod"), out.join("\n"));
EOF
    die "cannot write the wrapper go.mod for ${id}"
  if [[ -f "${M_DIR[$id]}/go.sum" ]]; then cp "${M_DIR[$id]}/go.sum" "${wdir}/go.sum"; else : >"${wdir}/go.sum"; fi
  chmod u+w "${wdir}/go.sum"
  printf 'package wrapper\n' >"${wdir}/doc.go"
}

# The licence guard: before a binary is built, every module it would be built from (its own and each
# dependency module linked into it) must carry a licence file, and none may be under a licence this
# project does not run (AGPL, SSPL, BUSL, Elastic, Commons Clause): scripts/licence-check.mjs. Run in
# the module that builds the packages, with the same build tags.
licence_guard() { # $1 module dir $2 build tags (may be empty) $3... package import paths
  local dir=$1 tags=$2 listing
  shift 2
  listing="$(cd "${dir}" && go list -mod=mod -tags "${tags}" -deps \
    -f '{{with .Module}}{{if .Replace}}{{.Path}} {{.Version}} {{.Replace.Dir}}{{else}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}' "$@")" ||
    die "licence guard: cannot list the modules of $* in ${dir}"
  node "${ROOT}/scripts/licence-check.mjs" <<<"${listing}" || die "licence guard refused to build $* (see above)"
}
