// The Go side of the tool recipes: the build environment, module metadata, wrapper modules, the
// licence guard and `go build`. Every helper throws an Error naming what failed.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LICENCE_CHECK = join(dirname(fileURLToPath(import.meta.url)), '..', 'licence-check.mjs');

/**
 * The environment of every Go command: no caller workspace, static binaries, no VCS stamping
 * (module sources have no .git). When the local Go is older than a module's `go` line,
 * GOTOOLCHAIN=auto (the default) fetches a newer one; wrapper modules drop `toolchain` lines so
 * that a newer *suggested* toolchain is not fetched needlessly.
 */
export function goEnv(extra = {}) {
  return {
    ...process.env,
    GOWORK: 'off',
    CGO_ENABLED: '0',
    GOFLAGS: `${process.env.GOFLAGS ?? ''} -buildvcs=false`.trim(),
    ...extra,
  };
}

/**
 * Runs a command in the Go environment. Returns its stdout when `capture` (else it goes to this
 * process's stdout); stderr always passes through. `nice` lowers the priority (TOOLS_NICE, default 10).
 */
export function run(cmd, args, { cwd, env = goEnv(), capture = true, nice = false, what } = {}) {
  const argv = nice ? ['nice', '-n', process.env.TOOLS_NICE ?? '10', cmd, ...args] : [cmd, ...args];
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
    maxBuffer: 1 << 28,
  });
  const label = what ?? `${cmd} ${args.join(' ')}`;
  if (r.error) throw new Error(`${label}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${label} failed (status ${r.status}${cwd ? ` in ${cwd}` : ''})`);
  return r.stdout ?? '';
}

/** `chmod -R u+w` (copies out of the module cache are read-only). */
export function makeWritable(path) {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  chmodSync(path, st.mode | 0o200);
  if (st.isDirectory()) for (const name of readdirSync(path)) makeWritable(join(path, name));
}

/** @typedef {{ id: string, module: string, version: string, dir: string, gomod: string, hash: string, time: string }} ModuleInfo */

const downloaded = new Map();

/**
 * `go mod download -json <module>@<version>`: the module's source directory, its go.mod, the commit
 * it was made from (or "unknown") and its release time (RFC 3339, or "unknown").
 * @returns {ModuleInfo}
 */
export function moduleInfo(module, version) {
  const id = `${module}@${version}`;
  if (!downloaded.has(id)) {
    const r = spawnSync('go', ['mod', 'download', '-json', id], { cwd: tmpdir(), env: goEnv(), encoding: 'utf8' });
    let j;
    try {
      j = JSON.parse(r.stdout);
    } catch {
      throw new Error(`go mod download ${id} failed: ${r.stderr}${r.stdout}`);
    }
    if (j.Error || r.status !== 0) throw new Error(`go mod download ${id} failed: ${j.Error ?? r.stderr}`);
    let time = 'unknown';
    try {
      time = JSON.parse(readFileSync(j.Info, 'utf8')).Time || 'unknown';
    } catch {
      // no .info file: the version stamps say "unknown"
    }
    downloaded.set(id, { id, module, version, dir: j.Dir, gomod: j.GoMod, hash: j.Origin?.Hash ?? 'unknown', time });
  }
  return downloaded.get(id);
}

/** The module's release time in UTC as `fmt` with YYYY MM DD hh mm ss replaced, or undefined when unknown. */
export function releaseTime(info, fmt) {
  const d = new Date(info.time);
  if (info.time === 'unknown' || Number.isNaN(d.getTime())) return undefined;
  const two = (n) => String(n).padStart(2, '0');
  const parts = {
    YYYY: String(d.getUTCFullYear()),
    MM: two(d.getUTCMonth() + 1),
    DD: two(d.getUTCDate()),
    hh: two(d.getUTCHours()),
    mm: two(d.getUTCMinutes()),
    ss: two(d.getUTCSeconds()),
  };
  return fmt.replace(/YYYY|MM|DD|hh|mm|ss/g, (k) => parts[k]);
}

/**
 * Writes a wrapper module into `wdir` for building packages of `info`'s module: upstream's go.mod
 * renamed (same requirements, excludes and godebug, so dependency versions are exactly upstream's)
 * plus `require <module> <version>`; go.sum is upstream's (`go build -mod=mod` adds missing sums,
 * checked against the checksum database). `go install pkg@version` is not used: it refuses modules
 * with replace or exclude directives.
 * A `replace X => ./local/path` points into the upstream repository; when the path is not in the
 * module zip (a sibling or staging module) it becomes `X => X <localVersion>`, the published module
 * of the same release, if localVersion is given and X is required; otherwise it is dropped.
 */
export function wrapperModule(wdir, info, localVersion = '') {
  rmSync(wdir, { recursive: true, force: true });
  mkdirSync(wdir, { recursive: true });
  const lines = readFileSync(info.gomod, 'utf8').split('\n');
  const required = new Set();
  let inReq = false;
  for (const line of lines) {
    const t = line.replace(/\/\/.*$/, '').trim();
    if (/^require\s*\($/.test(t)) {
      inReq = true;
      continue;
    }
    if (inReq && t === ')') {
      inReq = false;
      continue;
    }
    const m = inReq ? /^(\S+)\s+v\S+$/.exec(t) : /^require\s+(\S+)\s+v\S+$/.exec(t);
    if (m) required.add(m[1]);
  }
  const out = [];
  let skip = false;
  let inReplace = false;
  for (const line of lines) {
    const t = line.trim();
    if (skip) {
      if (t === ')') skip = false;
      continue;
    }
    if (/^(ignore|tool|retract)\s*\($/.test(t)) {
      skip = true;
      continue;
    }
    if (/^(ignore|tool|retract|toolchain)\s/.test(t)) continue;
    if (/^module\s/.test(t)) {
      out.push('module fl-observability.local/tools/wrapper');
      continue;
    }
    if (/^replace\s*\($/.test(t)) inReplace = true;
    else if (inReplace && t === ')') inReplace = false;
    const m = /^\s*(?:replace\s+)?(\S+)(\s+v\S+)?\s*=>\s*(\.\.?\/\S*)\s*(\/\/.*)?$/.exec(line);
    if (m && (inReplace || /^\s*replace\s/.test(line))) {
      const [, from, fromVer = '', target] = m;
      const prefix = inReplace ? '\t' : 'replace ';
      const abs = join(info.dir, target);
      if (existsSync(join(abs, 'go.mod'))) out.push(`${prefix}${from}${fromVer} => ${abs}`);
      else if (localVersion && required.has(from)) out.push(`${prefix}${from}${fromVer} => ${from} ${localVersion}`);
      else out.push(`// dropped (not in the module zip): ${t}`);
      continue;
    }
    out.push(line);
  }
  out.push('', `require ${info.module} ${info.version}`, '');
  writeFileSync(join(wdir, 'go.mod'), out.join('\n'));
  const sum = join(info.dir, 'go.sum');
  if (existsSync(sum)) copyFileSync(sum, join(wdir, 'go.sum'));
  else writeFileSync(join(wdir, 'go.sum'), '');
  chmodSync(join(wdir, 'go.sum'), 0o644);
  writeFileSync(join(wdir, 'doc.go'), 'package wrapper\n');
}

/**
 * The licence guard (scripts/licence-check.mjs), run before every build in the module that builds
 * the packages, with the same build tags: every module the binary would be built from must carry a
 * licence file, and none may be under a licence this project does not run.
 */
export function licenceGuard(dir, tags, pkgs) {
  const r = spawnSync(process.execPath, [LICENCE_CHECK, dir, tags, ...pkgs], { env: goEnv(), stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`the licence guard stopped the build of ${pkgs.join(' ')} (above)`);
}

/**
 * The licence guard, then one `go build -mod=mod -trimpath` in `dir` of every `{ pkg, out }` (a
 * package import path or ./relative path, and the file to write), with `-tags` and `-ldflags`.
 */
export function goBuild({ dir, tags = '', ldflags, outs, nice = false }) {
  const pkgs = outs.map((o) => o.pkg);
  licenceGuard(dir, tags, pkgs);
  const flags = ['build', '-mod=mod', '-trimpath', '-tags', tags, '-ldflags', ldflags];
  if (outs.length === 1) {
    run('go', [...flags, '-o', outs[0].out, pkgs[0]], { cwd: dir, capture: false, nice });
    return;
  }
  // `-o <dir>/` writes one executable per main package, named after the package path's last
  // element other than a major-version suffix.
  const outDir = mkdtempSync(join(dirname(outs[0].out), '.go-build-'));
  try {
    run('go', [...flags, '-o', `${outDir}/`, ...pkgs], { cwd: dir, capture: false, nice });
    for (const o of outs) {
      const name = o.pkg.split('/').filter((e) => !/^v\d+$/.test(e)).pop();
      renameSync(join(outDir, name), o.out);
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
