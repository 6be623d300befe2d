// synthesize() renders the app in one pass and writes its YAML with src/common/yaml.ts (its own tests
// are test/common/yaml.test.ts). These tests hold its output byte-equal to what cdk8s's own
// `app.synth()` writes, for the stack's configs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { loadConfig } from '../../src/config/loader';
import type { StackConfig } from '../../src/config/schema';
import { buildStack } from '../../src/stack';
import { summarize, formatSummary } from '../../src/summary';
import { synthesize } from '../../src/synth';
import { configOf, readTree } from '../helpers';

const ROOT = join(__dirname, '..', '..');


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
