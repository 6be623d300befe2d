import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The tools driver (scripts/tools.mjs) without building anything: an empty TOOLS_DIR, no Go command run. */
const ROOT = resolve(__dirname, '../..');
const json = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
const PINS = json('scripts/tools/tools.json') as Record<string, any>;
const RECIPES = Object.keys(PINS).filter((k) => !k.startsWith('$'));

let toolsDir: string;
beforeAll(() => {
  toolsDir = mkdtempSync(join(tmpdir(), 'flobs-tools-'));
});
afterAll(() => rmSync(toolsDir, { recursive: true, force: true }));

function driver(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const { PULUMI_SRC_GIT: _unset, ...rest } = process.env;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/tools.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...rest, TOOLS_DIR: toolsDir, ...env },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `--list` as binary -> [version, state, source]. */
function listed(): Map<string, string[]> {
  const r = driver(['--list']);
  expect(r.status).toBe(0);
  return new Map(r.stdout.trim().split('\n').map((l) => {
    const [name, version, state, ...source] = l.split(/\s+/);
    return [name!.replace(/\*$/, ''), [version!, state!, source.join(' ')]];
  }));
}

test('--help is generated from the recipes: every recipe of tools.json with its binaries', () => {
  const r = driver(['--help']);
  expect(r.status).toBe(0);
  for (const name of RECIPES) expect(r.stdout).toMatch(new RegExp(`^  ${name} +(test|e2e): `, 'm'));
  expect(r.stdout).toMatch(/^ {2}prometheus +test: promtool prometheus$/m);
  expect(r.stdout).toMatch(/^ {2}etcd +e2e: etcd etcdctl\*$/m);
  expect(r.stdout).toMatch(/^ {2}PULUMI_SRC_GIT +/m);
});

test('vmagent (the site agent) and thanos (the central store) are built at the releases the site and central profiles deploy', () => {
  const images = json('src/versions.json').images;
  const list = listed();
  // vmagent is built by the VictoriaMetrics recipe, from the same module release: its image must be that release.
  expect(images.vmagent.tag).toBe(images.victoriaMetrics.tag);
  expect(list.get('vmagent')).toEqual([images.vmagent.tag, 'missing', `github.com/VictoriaMetrics/VictoriaMetrics@${images.vmagent.tag}`]);
  expect(list.get('thanos')).toEqual([images.thanos.tag, 'missing', `github.com/thanos-io/thanos@${images.thanos.tag}`]);
});

test('tools of deployed programs are built at the release of their image, the Pulumi tools at their npm version', () => {
  const images = json('src/versions.json').images;
  const npm = json('package.json').dependencies;
  const list = listed();
  expect(list.get('promtool')).toEqual([images.prometheus.tag, 'missing', expect.stringMatching(/^github\.com\/prometheus\/prometheus@v0\.\d{3}\.\d+$/)]);
  const [, minor, patch] = /^v3\.(\d+)\.(\d+)$/.exec(images.prometheus.tag)!;
  expect(list.get('promtool')![2]).toBe(`github.com/prometheus/prometheus@v0.3${minor!.padStart(2, '0')}.${patch}`);
  expect(list.get('amtool')![0]).toBe(images.alertmanager.tag);
  expect(list.get('vmalert')![0]).toBe(images.victoriaMetrics.tag);
  expect(list.get('otelcol')![0]).toBe(images.otelCollector.tag);
  expect(list.get('pulumi')![0]).toBe(`v${npm['@pulumi/pulumi']}`);
  expect(list.get('pulumi-resource-kubernetes')![0]).toBe(`v${npm['@pulumi/kubernetes']}`);
  expect(list.get('pulumi-language-nodejs')![0]).toBe(`v${npm['@pulumi/pulumi']}`);
});

test('no version of tools.json is also an image tag or an npm version (one file per kind of pin)', () => {
  const plain = (v: string) => v.replace(/^v/, '');
  const elsewhere = new Set<string>([
    ...Object.values(json('src/versions.json').images as Record<string, { tag: string }>).map((i) => plain(i.tag)),
    ...Object.values({ ...json('package.json').dependencies, ...json('package.json').devDependencies } as Record<string, string>).map(plain),
  ]);
  const versions: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string' && /^v?\d+\.\d+\.\d+/.test(v)) versions.push(plain(v));
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(PINS);
  expect(versions.length).toBeGreaterThan(3);
  expect(versions.filter((v) => elsewhere.has(v))).toEqual([]);
});

test('a binary whose source is not given is refused with status 3 and the setting named, nothing built', () => {
  const r = driver(['pulumi-language-nodejs']);
  expect(r.stderr).toContain('pulumi-language-nodejs cannot be built: PULUMI_SRC_GIT is not set');
  expect(r.status).toBe(3);
  const missing = driver(['pulumi-language-nodejs', `PULUMI_SRC_GIT=${join(toolsDir, 'no-clone')}`]);
  expect(missing.stderr).toContain(`PULUMI_SRC_GIT=${join(toolsDir, 'no-clone')}: no such directory`);
  expect(missing.status).toBe(3);
  expect(existsSync(join(toolsDir, 'bin'))).toBe(false);
});

test('an unknown tool or setting is refused, the known ones named', () => {
  const tool = driver(['promtol']);
  expect(tool.stderr).toContain("unknown tool 'promtol' (binaries: promtool prometheus");
  expect(tool.status).toBe(1);
  const setting = driver(['PULUMI_SRC=/x']);
  expect(setting.stderr).toContain('unknown setting PULUMI_SRC (known: TOOLS_DIR, TOOLS_NICE');
  expect(setting.status).toBe(2);
});
