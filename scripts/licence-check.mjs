#!/usr/bin/env node
// The licence guard of the tools driver (scripts/tools.mjs runs it before every Go build):
//   node scripts/licence-check.mjs <module dir> <build tags> <package>...
// lists, with `go list -deps` in that module and with those tags, every module the packages would be
// built from (their own and each dependency module linked in), and refuses the build when one of them
//   * has no licence file at its module root (LICENSE*, LICENCE*, COPYING*, UNLICENSE*) and no
//     reviewed exception for that exact version in scripts/licence-exceptions.json (or the file
//     LICENCE_EXCEPTIONS names), or
//   * is under a licence this project must not run: the GNU Affero GPL, the Server Side Public
//     License, the Business Source License, the Elastic License, or the Commons Clause.
// Exit 0: all clear (prints a one-line summary); 1: refused (each module named with the reason).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Licences this project does not build or run, recognised by their own title text. */
const REFUSED = [
  { name: 'AGPL', pattern: /GNU AFFERO GENERAL PUBLIC LICENSE/i },
  { name: 'SSPL', pattern: /Server Side Public License/i },
  { name: 'BUSL', pattern: /Business Source License/i },
  { name: 'Elastic License', pattern: /^\s*Elastic License/im },
  { name: 'Commons Clause', pattern: /Commons Clause/i },
];
const LICENCE_FILE = /^(licen[cs]e|copying|unlicense)([._-].*)?$/i;
const EXCEPTIONS_FILE = process.env.LICENCE_EXCEPTIONS ?? join(dirname(fileURLToPath(import.meta.url)), 'licence-exceptions.json');
/** module@version -> why it is accepted without a licence file. */
const EXCEPTIONS = Object.fromEntries(Object.entries(JSON.parse(readFileSync(EXCEPTIONS_FILE, 'utf8'))).filter(([k]) => !k.startsWith('$')));

/** The licence files at a module root, with their text. */
function licenceFiles(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  return names.filter((n) => LICENCE_FILE.test(n)).map((n) => ({ name: n, text: readFileSync(join(dir, n), 'utf8') }));
}

/** Why a module is refused, or undefined when it is fine. */
function verdict(id, dir) {
  const files = licenceFiles(dir);
  if (files === null) return `its source directory ${dir} cannot be read`;
  if (files.length === 0) {
    if (EXCEPTIONS[id] !== undefined) return undefined;
    return 'it has no licence file (LICENSE, LICENCE or COPYING) at its root: unlicensed code is not used';
  }
  for (const f of files) {
    const hit = REFUSED.find((r) => r.pattern.test(f.text));
    if (hit) return `${f.name} is the ${hit.name}, which this project does not build or run`;
  }
  return undefined;
}

/** Lines `<module path> <version> <dir>` of every module the packages are built from. */
function listModules(dir, tags, pkgs) {
  const format = '{{with .Module}}{{if .Replace}}{{.Path}} {{.Version}} {{.Replace.Dir}}{{else}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}';
  const r = spawnSync('go', ['list', '-mod=mod', '-tags', tags, '-deps', '-f', format, ...pkgs], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
  if (r.status !== 0) {
    console.error(`licence guard: cannot list the modules of ${pkgs.join(' ')} in ${dir}`);
    process.exit(1);
  }
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

function main() {
  const [dir, tags, ...pkgs] = process.argv.slice(2);
  if (dir === undefined || tags === undefined || pkgs.length === 0) {
    console.error('usage: node scripts/licence-check.mjs <module dir> <build tags> <package>...');
    process.exit(2);
  }
  const lines = listModules(dir, tags, pkgs);
  const seen = new Map();
  for (const line of lines) {
    const [path, version, ...rest] = line.split(' ');
    const dir = rest.join(' ');
    // Our own generated wrapper module (fl-observability.local/...) carries no upstream code.
    if (path.startsWith('fl-observability.local/')) continue;
    seen.set(`${path}@${version}`, dir);
  }
  if (seen.size === 0) {
    console.error('licence guard: no module to check (go list listed none): refusing to build blind');
    process.exit(1);
  }
  const refused = [];
  for (const [id, dir] of seen) {
    const why = verdict(id, dir);
    if (why !== undefined) refused.push(`  ${id}: ${why}`);
  }
  if (refused.length > 0) {
    console.error(`licence guard: refused ${refused.length} of ${seen.size} module(s):\n${refused.join('\n')}`);
    console.error(`licence guard refused to build ${pkgs.join(' ')}`);
    process.exit(1);
  }
  const excepted = [...seen.keys()].filter((id) => EXCEPTIONS[id] !== undefined && licenceFiles(seen.get(id)).length === 0);
  for (const id of excepted) console.log(`licence guard: ${id} has no licence file, accepted by review: ${EXCEPTIONS[id]}`);
  console.log(`licence guard: ${seen.size} module(s) checked, none refused`);
}

main();
