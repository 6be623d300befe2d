import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { OtelComponent, otelCollectorConfig } from '../../src/components/otel-collector/config';
import { OTEL_FEATURE_GATES } from '../../src/components/otel-collector/otel-collector';
import { stackTopology } from '../../src/component-list';
import { resolveConfig } from '../../src/config/loader';
import type { StackConfig } from '../../src/config/schema';
import { tool } from '../tools';

/**
 * The generated collector config against the collector itself (scripts/tools.mjs otelcol builds it
 * from exactly the components the config uses, at the deployed image's release).
 */
type Doc = Record<string, any>;
const generated = (config: StackConfig): Doc => otelCollectorConfig(config, stackTopology(config));

function validate(doc: Doc): { status: number | null; output: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'flobs-otelcol-')), 'config.yaml');
  writeFileSync(file, stringify(doc, { lineWidth: 0 }));
  const r = spawnSync(tool('otelcol'), ['validate', `--config=${file}`], { encoding: 'utf8', env: { ...process.env, K8S_NODE_NAME: 'node-1' } });
  return { status: r.status, output: r.stdout + r.stderr };
}

// Every shape the builder produces: Fluentd shipping the FL namespace to Loki (excluded here), Fluentd
// off or elsewhere (JSON parsing here), Loki off, the production profile, other namespaces and sizes.
const VARIANTS: [string, StackConfig][] = [
  ['minikube', resolveConfig({ profile: 'minikube' })],
  ['production', resolveConfig({ profile: 'production' })],
  ['fluentd off', resolveConfig({ overrides: { fluentd: { enabled: false } } })],
  ['fluentd forwarding elsewhere', resolveConfig({ overrides: { fluentd: { output: { type: 'forward', host: 'aggregator', port: 24224 } } } })],
  ['loki off', resolveConfig({ overrides: { loki: { enabled: false } } })],
  ['other namespaces and queue size', resolveConfig({ overrides: { namespaces: { monitoring: 'obs', training: 'fl-jobs' }, otelCollector: { queueSize: 16 } } })],
];

test('the variants cover both Fluentd cases: an exclude, and JSON parsing', () => {
  const shapes = VARIANTS.map(([, c]) => {
    const r = generated(c).receivers[OtelComponent.receiver];
    return [r.exclude !== undefined, r.operators.some((o: { type: string }) => o.type === 'json_parser')];
  });
  expect(shapes).toContainEqual([true, false]);
  expect(shapes).toContainEqual([false, true]);
});

test.each(VARIANTS)('otelcol validate accepts the generated config (%s)', (_name, config) => {
  const r = validate(generated(config));
  expect(r.output).not.toMatch(/error/i);
  expect(r.status).toBe(0);
});

test('otelcol validate refuses a pipeline naming a receiver that does not exist', () => {
  const doc = generated(resolveConfig());
  doc.service.pipelines.logs.receivers = [OtelComponent.receiver, 'otlp'];
  const r = validate(doc);
  expect(r.status).not.toBe(0);
  expect(r.output).toMatch(/references receiver "otlp" which is not configured/);
});

test('otelcol validate refuses a component type it was not built with', () => {
  const doc = generated(resolveConfig());
  doc.processors.k8s_attributes = {};
  doc.service.pipelines.logs.processors = ['k8s_attributes', ...doc.service.pipelines.logs.processors];
  const r = validate(doc);
  expect(r.status).not.toBe(0);
  expect(r.output).toMatch(/unknown type: "k8s_attributes"/);
});

test('the collector has every feature gate the DaemonSet enables (it refuses to start with an unknown one)', () => {
  const r = spawnSync(tool('otelcol'), ['featuregate'], { encoding: 'utf8' });
  const known = r.stdout.split('\n').map((l) => l.split(/\s+/)[0]);
  expect(OTEL_FEATURE_GATES.filter((g) => !known.includes(g))).toEqual([]);
});
