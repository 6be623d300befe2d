import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The licence guard scripts/tools.mjs runs before every Go build (scripts/licence-check.mjs), run
 * for real: `go list -deps` on a planted module tree, then the check of what it lists. No network:
 * every module is a local replace and GOPROXY is off.
 */
const ROOT = resolve(__dirname, '../..');
const APACHE = '                                 Apache License\n                           Version 2.0, January 2004\n';
const AGPL = '                    GNU AFFERO GENERAL PUBLIC LICENSE\n                       Version 3, 19 November 2007\n';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'flobs-licence-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A Go module `example.com/<name>` with one package and the given licence file (or none). */
function plantModule(name: string, licence: { file: string; text: string } | null): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), `module example.com/${name}\n\ngo 1.22\n`);
  writeFileSync(join(dir, `${name}.go`), `package ${name}\n\n// Answer is linked into the tool.\nfunc Answer() int { return 42 }\n`);
  if (licence !== null) writeFileSync(join(dir, licence.file), licence.text);
  return dir;
}

/** A tool module (Apache-licensed) whose main package imports `dep`; returns its directory. */
function plantTool(name: string, dep: string, depDir: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'cmd', name), { recursive: true });
  writeFileSync(join(dir, 'go.mod'), `module example.com/${name}\n\ngo 1.22\n\nrequire example.com/${dep} v0.0.0\n\nreplace example.com/${dep} => ${depDir}\n`);
  writeFileSync(join(dir, 'LICENSE'), APACHE);
  writeFileSync(join(dir, 'cmd', name, 'main.go'), `package main\n\nimport "example.com/${dep}"\n\nfunc main() { println(${dep}.Answer()) }\n`);
  return dir;
}

/** Runs the licence guard as the tools driver does (scripts/tools/go.mjs: the Go environment of its builds). */
function guard(toolDir: string, pkg: string, env: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/licence-check.mjs'), toolDir, 'netgo', pkg], {
    encoding: 'utf8',
    env: { ...process.env, GOPROXY: 'off', GOFLAGS: '-buildvcs=false', GOWORK: 'off', CGO_ENABLED: '0', ...env },
    timeout: 120_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('a tool linking an Apache-licensed module is built', () => {
  const tool = plantTool('goodtool', 'apachelib', plantModule('apachelib', { file: 'LICENSE', text: APACHE }));
  const r = guard(tool, 'example.com/goodtool/cmd/goodtool');
  expect(r.out).toContain('licence guard: 2 module(s) checked, none refused');
  expect(r.status).toBe(0);
});

test('a tool linking an AGPL module is refused, the module named', () => {
  const tool = plantTool('agpltool', 'agpllib', plantModule('agpllib', { file: 'LICENSE.md', text: AGPL }));
  const r = guard(tool, 'example.com/agpltool/cmd/agpltool');
  expect(r.out).toContain('example.com/agpllib@v0.0.0: LICENSE.md is the AGPL, which this project does not build or run');
  expect(r.out).toContain('licence guard refused to build example.com/agpltool/cmd/agpltool');
  expect(r.status).toBe(1);
});

test('a tool linking a module without a licence file is refused', () => {
  const tool = plantTool('baretool', 'barelib', plantModule('barelib', null));
  const r = guard(tool, 'example.com/baretool/cmd/baretool');
  expect(r.out).toContain('example.com/barelib@v0.0.0: it has no licence file (LICENSE, LICENCE or COPYING) at its root');
  expect(r.status).toBe(1);
});

test('a reviewed exception admits a module without a licence file, never a refused licence', () => {
  const exceptions = join(work, 'exceptions.json');
  writeFileSync(exceptions, JSON.stringify({ 'example.com/reviewedlib@v0.0.0': 'reviewed: MIT per its README', 'example.com/agpl2lib@v0.0.0': 'an exception cannot admit this' }));
  const bare = plantTool('reviewedtool', 'reviewedlib', plantModule('reviewedlib', null));
  const ok = guard(bare, 'example.com/reviewedtool/cmd/reviewedtool', { LICENCE_EXCEPTIONS: exceptions });
  expect(ok.out).toContain('licence guard: example.com/reviewedlib@v0.0.0 has no licence file, accepted by review: reviewed: MIT per its README');
  expect(ok.status).toBe(0);
  const agpl = plantTool('agpl2tool', 'agpl2lib', plantModule('agpl2lib', { file: 'COPYING', text: AGPL }));
  const refused = guard(agpl, 'example.com/agpl2tool/cmd/agpl2tool', { LICENCE_EXCEPTIONS: exceptions });
  expect(refused.out).toContain('example.com/agpl2lib@v0.0.0: COPYING is the AGPL');
  expect(refused.status).toBe(1);
});

test('the project exceptions are each pinned to one version and give a reason', () => {
  const list = JSON.parse(readFileSync(join(ROOT, 'scripts/licence-exceptions.json'), 'utf8')) as Record<string, string>;
  for (const [id, why] of Object.entries(list).filter(([k]) => !k.startsWith('$'))) {
    expect(id).toMatch(/^[a-z0-9.-]+\.[a-z]+\/\S+@v\d+\.\d+\.\d+\S*$/);
    expect(why.length).toBeGreaterThan(40);
  }
});
