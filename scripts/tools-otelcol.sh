#!/usr/bin/env bash
# Build the OpenTelemetry Collector the tests validate the log agent's config with
# (test/tools/otelcol.test.ts), pinned by the "otelcolTools" section of src/versions.json: the
# OpenTelemetry Collector Builder (ocb) at releases.core assembles a collector from exactly the
# components listed there, at their releases (the deployed otelCollector image's).
#
#   scripts/tools-otelcol.sh            # build (or find cached) otelcol
#   scripts/tools-otelcol.sh --print    # print the builder manifest and the binary name, build nothing
#
# Output: $TOOLS_DIR/bin/otelcol-<image tag>-<manifest hash> plus a symlink $TOOLS_DIR/bin/otelcol
# (TOOLS_DIR defaults to <repo>/.tools). The hash covers the whole builder manifest, so changing a
# component or a release builds a new binary. A binary that already exists is not rebuilt: a warm
# run takes well under a second.
#
# How (all of it under $TOOLS_DIR/src/otelcol-<...>/; nothing committed):
#   * `go install` the builder at releases.core into that directory.
#   * The builder manifest is generated from versions.json (JSON, which the builder's YAML reader
#     accepts): dist module fl-observability.local/tools/otelcol, version = the image tag, every
#     component `<module> <release version>`. `ocb --skip-compilation` writes the sources and
#     resolves go.mod/go.sum (strict versioning on: every component must be of the core release).
#   * The licence guard (scripts/tools-common.sh) checks every module the binary links.
#   * go build -trimpath -ldflags "-s -w", CGO_ENABLED=0; smoke test: `otelcol --version` reports
#     the image tag and `otelcol components` lists every pinned component module.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() { echo "tools-otelcol.sh: $*" >&2; exit 1; }
# shellcheck source=scripts/tools-common.sh
source "${ROOT}/scripts/tools-common.sh"

command -v node >/dev/null 2>&1 || die "node is required (to read src/versions.json)"

# versions.json otelcolTools -> line 1 "builderModule builderVersion imageTag hash", then the manifest.
PLAN="$(node - "${ROOT}/src/versions.json" <<'EOF'
const fs = require("fs");
const crypto = require("crypto");
const [src] = process.argv.slice(2);
const v = JSON.parse(fs.readFileSync(src, "utf8"));
const t = v.otelcolTools;
const fail = (msg) => { console.error(`${src}: ${msg}`); process.exit(1); };
if (!t) fail('no "otelcolTools" section');
const img = (v.images || {})[t.image];
if (!img) fail(`otelcolTools.image "${t.image}" is not in images`);
const semver = /^v\d+\.\d+\.\d+$/;
for (const [k, ver] of Object.entries(t.releases || {})) if (!semver.test(ver)) fail(`otelcolTools.releases.${k} must be vX.Y.Z (got ${ver})`);
if (!t.releases.core || !t.releases.contrib) fail("otelcolTools.releases needs core and contrib");
if (`v${img.tag}` !== t.releases.contrib) fail(`images.${t.image}.tag ${img.tag} does not match otelcolTools.releases.contrib ${t.releases.contrib}`);
const entry = (kind, c) => {
  const ver = t.releases[c.release];
  if (typeof c.module !== "string" || !ver) fail(`otelcolTools.components.${kind}: ${JSON.stringify(c)} needs "module" and a "release" of releases`);
  return { gomod: `${c.module} ${ver}`, ...(c.import ? { import: c.import } : {}) };
};
const kinds = ["receivers", "processors", "exporters", "extensions", "connectors", "providers"];
const manifest = {
  dist: {
    module: "fl-observability.local/tools/otelcol",
    name: "otelcol",
    description: "fl-observability: the log agent's components, for config validation in the tests",
    version: img.tag,
    output_path: "SOURCES",
  },
};
for (const k of kinds) if (t.components[k]) manifest[k] = t.components[k].map((c) => entry(k, c));
if (!t.components.telemetry) fail("otelcolTools.components.telemetry is required");
manifest.telemetry = entry("telemetry", t.components.telemetry);
const text = JSON.stringify(manifest, null, 2);
const hash = crypto.createHash("sha256").update(text).digest("hex").slice(0, 10);
console.log([t.builder, t.releases.core, img.tag, hash].join(" "));
console.log(text);
EOF
)" || die "cannot read the pinned versions (see above)"
read -r BUILDER_MODULE BUILDER_VERSION TAG HASH <<<"$(head -n 1 <<<"${PLAN}")"
MANIFEST="$(tail -n +2 <<<"${PLAN}")"
NAME="otelcol-${TAG}-${HASH}"
TARGET="${BIN_DIR}/${NAME}"

case "${1:-}" in
  --print) echo "${NAME}"; echo "${MANIFEST}"; exit 0 ;;
  -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) die "unknown argument '$1' (see --help)" ;;
esac

T0=$(now_ms)
mkdir -p "${BIN_DIR}"
if [[ -x "${TARGET}" ]]; then
  ln -sfn "${NAME}" "${BIN_DIR}/otelcol"
  printf '%-17s %-9s cached %6ss\n' otelcol "${TAG}" "$(fmt_secs $(($(now_ms) - T0)))"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "go is required to build the tools (https://go.dev/dl/)"
tools_lock
tools_go_env
if [[ -x "${TARGET}" ]]; then # built by the run we waited for
  ln -sfn "${NAME}" "${BIN_DIR}/otelcol"
  exit 0
fi

WORK="${SRC_DIR}/${NAME}"
SOURCES="${WORK}/dist"
rm -rf "${WORK}"
mkdir -p "${WORK}"
(cd "${TMPDIR:-/tmp}" && GOBIN="${WORK}/bin" go install -trimpath "${BUILDER_MODULE}@${BUILDER_VERSION}") ||
  die "go install ${BUILDER_MODULE}@${BUILDER_VERSION} failed"
# The manifest as generated above, with the output directory filled in.
node -e 'const [text, out] = process.argv.slice(1); const m = JSON.parse(text); m.dist.output_path = out; process.stdout.write(JSON.stringify(m, null, 2) + "\n");' \
  "${MANIFEST}" "${SOURCES}" >"${WORK}/manifest.yaml"
"${WORK}/bin/builder" --config "${WORK}/manifest.yaml" --skip-compilation --skip-strict-versioning=false >"${WORK}/builder.log" 2>&1 ||
  { cat "${WORK}/builder.log" >&2; die "the collector builder failed (manifest ${WORK}/manifest.yaml)"; }

licence_guard "${SOURCES}" "" "fl-observability.local/tools/otelcol"

TMPBIN="${BIN_DIR}/.${NAME}.tmp.$$"
(cd "${SOURCES}" && go build -mod=mod -trimpath -ldflags "-s -w" -o "${TMPBIN}" .) ||
  { rm -f "${TMPBIN}"; die "building otelcol in ${SOURCES} failed"; }

# Smoke test: it reports the image tag and holds every pinned component module.
VOUT="$("${TMPBIN}" --version 2>&1 || true)"
grep -qF -- "${TAG}" <<<"${VOUT}" || { rm -f "${TMPBIN}"; die "otelcol --version did not report ${TAG}: ${VOUT}"; }
COMPONENTS="$("${TMPBIN}" components 2>&1)" || { rm -f "${TMPBIN}"; die "otelcol components failed: ${COMPONENTS}"; }
for mod in $(node -e 'const m = JSON.parse(process.argv[1]); for (const k of ["receivers", "processors", "exporters", "extensions"]) for (const c of m[k] || []) console.log(c.gomod.split(" ")[0]);' "${MANIFEST}"); do
  grep -qF -- "${mod}" <<<"${COMPONENTS}" || { rm -f "${TMPBIN}"; die "otelcol components does not list ${mod}"; }
done
mv -f "${TMPBIN}" "${TARGET}"
ln -sfn "${NAME}" "${BIN_DIR}/otelcol"
printf '%-17s %-9s built  %6ss  (%s@%s, manifest %s)\n' otelcol "${TAG}" "$(fmt_secs $(($(now_ms) - T0)))" \
  "${BUILDER_MODULE}" "${BUILDER_VERSION}" "${WORK}/manifest.yaml"
