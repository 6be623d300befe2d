// Bundles the TypeScript entry points into lib/ with esbuild: a synth then runs plain JavaScript
// (no ts-node start-up cost). Type checking is `npm run typecheck`, part of the test command.
//
// The bundle is rebuilt only when what it is made of changed: a content hash of every file under
// src/, package-lock.json and this script is kept in lib/.build-hash, and a run whose hash matches
// returns without loading esbuild (and touches the stamp, so scripts/synth.sh's mtime pre-check stays
// a few stats). `--force` rebuilds anyway.
//
// The synth entry point starts fast (see README, "Benchmarks"):
// - lib/main.bundle.js is src/main.ts with its npm packages bundled in (one file to read and compile
//   instead of some 600 modules to resolve; cdk8s's own copy of `yaml` is the top-level one when the
//   versions match, so it is loaded once), minified with its names kept (half the text to parse and a
//   quarter less startup snapshot to load; `test/main.test.ts` holds its output byte-equal to
//   synthesize() run from the sources);
// - lib/main.js, the entry point, turns on Node's module compile cache (lib/.compile-cache) and runs
//   the bundle;
// - `--snapshot` also writes lib/main.blob, a V8 startup snapshot of the loaded and warmed-up bundle
//   (`node --snapshot-blob lib/main.blob` synthesizes; scripts/synth.sh, which `npm run synth` and
//   `cdk8s synth` run, runs it), PromQL parses of its warm-up synths included. It is rewritten when
//   the bundle or the node binary changed (lib/.snapshot-node).
// The other entry points keep their npm packages external.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entryPoints = ['src/main.ts', 'src/generate.ts', 'src/bench.ts', 'src/review/diff-command.ts', 'src/health-command.ts'];
const synthEntry = 'src/main.ts';
const lib = join(root, 'lib');
const stampFile = join(lib, '.build-hash');
const outputs = [...entryPoints.filter((e) => e !== synthEntry).map((e) => relative('src', e).replace(/\.ts$/, '.js')), 'main.js', 'main.bundle.js'];

/** Every file below `dir`, sorted, as paths relative to the repository. */
function filesUnder(dir) {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

function inputsHash() {
  const hash = createHash('sha256');
  for (const file of [...filesUnder('src'), 'package-lock.json', 'scripts/build.mjs']) {
    hash.update(file).update('\0').update(readFileSync(join(root, file))).update('\0');
  }
  return hash.digest('hex');
}

/** The synth entry point: enables the compile cache before the bundle is read, then runs it. */
const LAUNCHER = `'use strict';
// Written by scripts/build.mjs: the synth entry point. Node's module compile cache keeps V8's code
// for the bundle across runs (see README, "Benchmarks").
const { join } = require('node:path');
require('node:module').enableCompileCache?.(join(__dirname, '.compile-cache'));
require('./main.bundle.js');
`;

/** cdk8s ships its own copy of \`yaml\`; when it is the same version as the top-level one, bundle that one only. */
function dedupeYaml() {
  const require = createRequire(join(root, 'package.json'));
  const top = require.resolve('yaml');
  const version = (p) => JSON.parse(readFileSync(p, 'utf8')).version;
  const nested = join(root, 'node_modules/cdk8s/node_modules/yaml/package.json');
  const same = existsSync(nested) && version(nested) === version(require.resolve('yaml/package.json'));
  return {
    name: 'dedupe-yaml',
    setup(b) {
      if (!same) return;
      b.onResolve({ filter: /^yaml$/ }, (args) => (/[\\/]node_modules[\\/]cdk8s[\\/]/.test(args.importer) ? { path: top } : undefined));
    },
  };
}

async function bundle() {
  const { build } = await import('esbuild');
  const common = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node22', format: 'cjs', sourcemap: 'linked', logLevel: 'warning' };
  await build({ ...common, entryPoints: entryPoints.filter((e) => e !== synthEntry), outdir: 'lib', packages: 'external' });
  await build({ ...common, entryPoints: [synthEntry], outfile: 'lib/main.bundle.js', plugins: [dedupeYaml()], minify: true, keepNames: true });
  writeFileSync(join(lib, 'main.js'), LAUNCHER);
  rmSync(join(lib, 'main.js.map'), { force: true }); // left from when lib/main.js was the bundle itself
}

const want = inputsHash();
const fresh = !process.argv.includes('--force') && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === want && outputs.every((o) => existsSync(join(lib, o)));
if (fresh) {
  const now = new Date();
  utimesSync(stampFile, now, now);
} else {
  rmSync(join(lib, 'main.blob'), { force: true });
  await bundle();
  writeFileSync(stampFile, want);
}

if (process.argv.includes('--snapshot')) {
  writeSnapshot();
}

/** `size mtime inode` of the node binary running this: lib/.snapshot-node's first line, compared by scripts/synth.sh with `stat -L -c '%s %Y %i'`. */
function nodeId() {
  const st = statSync(process.execPath);
  return `${st.size} ${Math.floor(st.mtimeMs / 1000)} ${st.ino}`;
}

/**
 * lib/main.blob: a startup snapshot of the bundle (src/main.ts warms it up), written by the node that
 * will run it (a snapshot only loads in the node binary that wrote it). lib/.snapshot-node records
 * that binary and whether the snapshot could be written; it is kept until the bundle or node changes.
 */
function writeSnapshot() {
  const blob = join(lib, 'main.blob');
  const nodeStamp = join(lib, '.snapshot-node');
  const id = nodeId();
  if (existsSync(nodeStamp) && statSync(nodeStamp).mtimeMs >= statSync(join(lib, 'main.bundle.js')).mtimeMs) {
    const [stampId, result] = readFileSync(nodeStamp, 'utf8').split('\n');
    if (stampId === id && (result === 'failed' || existsSync(blob))) return;
  }
  rmSync(blob, { force: true });
  let result = 'written';
  try {
    // node warns that cdk8s's `child_process` import is not verified in snapshots: synth does not use it.
    execFileSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', join(lib, 'main.bundle.js')], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    rmSync(blob, { force: true });
    result = 'failed';
    process.stderr.write(`build: no startup snapshot (synth runs without it): ${String(err.stderr ?? err.message).trim()}\n`);
  }
  writeFileSync(nodeStamp, `${id}\n${result}\n`);
}
