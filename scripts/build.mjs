// Bundles the TypeScript entry points into lib/ with esbuild: a synth then runs plain JavaScript
// (no ts-node start-up cost). Type checking is `npm run typecheck`, part of the test command.
//
// The bundle is rebuilt only when what it is made of changed: a content hash of every file under
// src/, package-lock.json and this script is kept in lib/.build-hash, and a run whose hash matches
// returns without loading esbuild. `--force` rebuilds anyway.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entryPoints = ['src/main.ts', 'src/generate.ts', 'src/bench.ts', 'src/review/diff-command.ts', 'src/health/health-command.ts'];
const stampFile = join(root, 'lib', '.build-hash');

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

const want = inputsHash();
const fresh = !process.argv.includes('--force') && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === want && entryPoints.every((e) => existsSync(join(root, 'lib', relative('src', e).replace(/\.ts$/, '.js'))));
if (!fresh) {
  const { build } = await import('esbuild');
  await build({
    absWorkingDir: root,
    entryPoints,
    outdir: 'lib',
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    sourcemap: 'linked',
    packages: 'external',
    logLevel: 'warning',
  });
  writeFileSync(stampFile, want);
}
