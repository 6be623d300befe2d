// src/common/yaml.ts writes YAML without the `yaml` package's document tree. These tests hold it
// byte-equal to what `yaml` itself writes, for both ways the stack writes YAML: manifests as cdk8s's
// `Yaml.stringify` writes them (YAML 1.1, `undefined` kept as null) and config files (`stringify(doc,
// { lineWidth: 0 })`, YAML 1.2); and check that the stack's own output never needs the fallback.
import { App, Yaml } from 'cdk8s';
import * as yaml from 'yaml';
import { directYaml, toYaml, YamlVersion } from '../../src/common/yaml';
import { StackMode } from '../../src/config/schema';
import { resolveConfig } from '../../src/config/loader';
import { configOf } from '../helpers';
import { buildStack } from '../../src/stack';
import { stringifyManifest } from '../../src/synth';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yamlModule = require('yaml') as typeof yaml;

test('the manifests and config files of the stack are written directly, never through the fallback', () => {
  const spy = jest.spyOn(yamlModule, 'stringify');
  try {
    for (const config of [
      configOf('production', { promtail: { enabled: true }, otelCollector: { enabled: false }, fluentd: { enabled: true }, webTls: { enabled: true } }),
      configOf('minikube'),
      configOf('production', { mode: StackMode.OPERATOR }),
      resolveConfig({ profile: 'central' }),
      resolveConfig({ profile: 'site', overrides: { vmagent: { remoteWrite: { url: 'https://receive.central.example.org:19291/api/v1/receive' } } } }),
    ]) {
      const { charts } = buildStack(new App(), config);
      for (const chart of charts) for (const obj of chart.toJson()) stringifyManifest(obj);
    }
    // buildStack wrote every config file (prometheus.yml, the rule files, ...) with toYaml.
    expect(spy).not.toHaveBeenCalled();
  } finally {
    spy.mockRestore();
  }
});

test('an undefined manifest is an empty document, as cdk8s writes it', () => {
  expect(stringifyManifest(undefined)).toBe(Yaml.stringify(undefined));
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

/** The two ways the stack writes YAML, each against what the `yaml` package writes for it. */
const MODES: Record<string, { write: (doc: unknown) => string; reference: (doc: unknown) => string }> = {
  'manifests (cdk8s Yaml.stringify, YAML 1.1)': { write: stringifyManifest, reference: (doc) => Yaml.stringify(doc) },
  'config files (yaml stringify, lineWidth 0, YAML 1.2)': { write: (doc) => toYaml(doc), reference: (doc) => yaml.stringify(doc, { lineWidth: 0 }) ?? '' },
};

let mode = MODES[Object.keys(MODES)[0]];

function expectSame(doc: unknown): void {
  expect(mode.write(doc)).toBe(mode.reference(doc));
}

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

describe.each(Object.keys(MODES))('%s', (name) => {
  beforeAll(() => {
    mode = MODES[name];
  });

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
    expectSame({});
  });

  test('random documents of those pieces are written as Yaml.stringify writes them', () => {
    for (const doc of randomDocs(3000, 42)) expectSame(doc);
  });
});

test('directYaml leaves to the fallback what it does not write, and writes the rest', () => {
  expect(directYaml({ shared: [1], again: undefined })).toBe('shared:\n  - 1\n');
  expect(directYaml({ a: 'x\u0001' })).toBeUndefined();
  expect(directYaml([1, 2])).toBeUndefined();
  expect(directYaml({ a: undefined })).toBeUndefined();
  expect(directYaml({ a: undefined }, { keepUndefined: true })).toBe('a: null\n');
  // 'on' is a boolean to YAML 1.1 only: quoted for 1.1, plain for 1.2.
  expect(directYaml({ a: 'on' }, { version: YamlVersion.V1_1 })).toBe('a: "on"\n');
  expect(directYaml({ a: 'on' })).toBe('a: on\n');
});
