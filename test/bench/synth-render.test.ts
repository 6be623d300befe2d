// synthesize() renders the app in one pass and writes YAML without the `yaml` document tree (see
// src/synth.ts). These tests hold its output byte-equal to what cdk8s's own `app.synth()` and
// `Yaml.stringify` write, for the stack's configs and for manifests made to hit every YAML rule.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Yaml } from 'cdk8s';
import { loadConfig } from '../../src/config/loader';
import type { StackConfig } from '../../src/config/schema';
import { buildStack } from '../../src/stack';
import { summarize, formatSummary } from '../../src/summary';
import { stringifyManifest, synthesize } from '../../src/synth';
import { configOf } from '../helpers';

const ROOT = join(__dirname, '..', '..');

function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

const CONFIGS: Record<string, () => StackConfig> = {
  minikube: () => configOf('minikube'),
  production: () => configOf('production'),
  'promtail + fluentd, production': () => configOf('production', { promtail: { enabled: true }, otelCollector: { enabled: false }, fluentd: { enabled: true } }),
  'live stack': () => loadConfig({ STACK_CONFIG: join(ROOT, 'test/live/live-stack.yaml') }),
  'HA stack': () => loadConfig({ STACK_CONFIG: join(ROOT, 'test/live/ha-stack.yaml') }),
  '300 FL clients': () => configOf('minikube', { fl: { numClients: 300, minClients: 2 } }),
};

test.each(Object.keys(CONFIGS))('synthesize() writes what app.synth() writes, and the same summary: %s', (name) => {
  const root = mkdtempSync(join(tmpdir(), 'flobs-render-'));
  const summary = synthesize(CONFIGS[name](), join(root, 'fast'));

  const config = CONFIGS[name]();
  const app = new App({ outdir: join(root, 'cdk8s') });
  const { charts, warnings } = buildStack(app, config);
  app.synth();
  expect(readTree(join(root, 'fast'))).toEqual(readTree(join(root, 'cdk8s')));
  expect(summary).toBe(formatSummary(summarize(charts), config.profile, join(root, 'fast'), warnings));
});

test('every manifest of the stack is written by the direct writer, not the fallback', () => {
  const app = new App();
  const { charts } = buildStack(app, configOf('production', { promtail: { enabled: true }, otelCollector: { enabled: false }, fluentd: { enabled: true } }));
  const spy = jest.spyOn(Yaml, 'stringify');
  try {
    for (const chart of charts) for (const obj of chart.toJson()) stringifyManifest(obj);
    expect(spy).not.toHaveBeenCalled();
  } finally {
    spy.mockRestore();
  }
});

// Strings chosen to hit each rule of yaml's stringifyString (plain, quoted, block; YAML 1.1 types).
const STRINGS = [
  '', 'a', 'plain text', 'y', 'n', 'Y', 'yes', 'No', 'on', 'OFF', 'true', 'False', 'null', 'Null', '~', '<<', '=',
  '0', '80', '-1', '+1', '0x1F', '0o17', '017', '0b101', '1_000', '1:20', '190:20:30', '1.5', '.5', '1e3', '1.0e+3', '.inf', '-.Inf', '.nan', 'NaN',
  '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '12:00', 'v1', 'v1.2.3', '1.2.3',
  '-', '?', '-x', '- x', '? x', ':x', 'x:', 'a: b', 'a:b', 'http://x:80/y', '#x', 'x #y', 'x#y', ' lead', 'trail ', 'tab\there', '\tlead', 'trail\t',
  ',x', '[x]', '{x}', 'x,y', '&a', '*a', '!t', '|', '>', "'q'", '"q"', "it's", 'say "hi"', `both ' and "`, '%x', '@x', '`x', 'x%', 'x@',
  '---', '--- x', '...', '...x', 'x---', 'back\\slash', 'back\\n', 'uni ✓ é', 'emoji 🙂', '\u2028sep', '\u00a0nbsp', '\u0085nel', 'ctrl\u0001', 'cr\r', 'del\u007f',
  'a\nb', 'a\nb\n', 'a\nb\n\n', 'a\n\nb', '\na', '\n\na\n', ' a\nb', '  a\n b\n', 'a \nb', 'a\n b', 'a\n#b', 'a\n- b', 'a\n---\nb', '%a\nb', 'a\n  \n', 'a\n\t', 'a\nb  ', 'a\nb \n',
  'x'.repeat(1030), `"${'x'.repeat(1020)}"`, `${'a: '.repeat(10)}`, '{"json": [1, 2]}', 'line1\n  indented\n\n  more\n',
];
const NUMBERS = [0, -0, 1, -1, 1.5, -2.25, 0.1, 1e21, 1e-7, 123456789012345680000, Number.MAX_SAFE_INTEGER, 3.0, NaN, Infinity, -Infinity];

function expectSame(doc: unknown): void {
  expect(stringifyManifest(doc)).toBe(Yaml.stringify(doc));
}

test('strings, as keys and as values at every depth, are written as Yaml.stringify writes them', () => {
  for (const s of STRINGS) {
    expectSame({ k: s });
    expectSame({ [s]: 'v' });
    expectSame({ a: { b: [s, { c: s, [s]: [s] }] } });
    expectSame({ list: [[s], [[s]], { s }] });
  }
});

test('numbers, booleans, null, undefined, empty and nested collections', () => {
  for (const n of NUMBERS) expectSame({ n, list: [n, { n }] });
  expectSame({ t: true, f: false, z: null, u: undefined, list: [null, undefined, true], e: {}, a: [], nested: [[], {}, [[]], [{}], { x: [] }] });
  expectSame({ deep: { a: { b: { c: [{ d: [{ e: 'f' }, ['g', ['h']]] }] } } } });
  expectSame({ 2: 'integer-like key first', a: 1, 1: 'x', '': 'empty key' });
});

test('what the direct writer leaves to Yaml.stringify is still written the same', () => {
  const shared = { a: 1 };
  const sharedList = ['x'];
  expectSame({ one: shared, two: shared });
  expectSame({ one: sharedList, two: [sharedList] });
  expectSame({ one: {}, two: [] });
  expectSame({ date: new Date(0) });
  expectSame({ big: BigInt(12) });
  expectSame({ map: new Map([['a', 1]]) });
  expectSame({ inst: new (class X { y = 1; })() });
  expectSame({ nullProto: Object.assign(Object.create(null), { a: 1 }) });
  expectSame(undefined);
  expectSame({});
});

// A deterministic pseudo-random generator: documents built from the pieces above.
function* randomDocs(count: number, seed: number): Generator<unknown> {
  let s = seed;
  const rnd = (n: number) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % n;
  };
  const pick = <T,>(xs: readonly T[]): T => xs[rnd(xs.length)];
  const value = (depth: number): unknown => {
    switch (depth > 3 ? rnd(4) : rnd(7)) {
      case 0:
      case 1:
        return pick(STRINGS);
      case 2:
        return pick([...NUMBERS.filter(Number.isFinite), true, false, null]);
      case 3:
        return pick(STRINGS) + pick(STRINGS);
      case 4:
        return Array.from({ length: rnd(4) }, () => value(depth + 1));
      default:
        return Object.fromEntries(Array.from({ length: rnd(4) }, () => [pick(STRINGS).slice(0, 40), value(depth + 1)]));
    }
  };
  for (let i = 0; i < count; i++) yield { apiVersion: 'v1', kind: 'ConfigMap', data: value(0), more: value(1) };
}

test('random documents of those pieces are written as Yaml.stringify writes them', () => {
  for (const doc of randomDocs(3000, 42)) expectSame(doc);
});
