import { readFileSync } from 'node:fs';
import { COMPONENTS } from '../../src/component-list';
import { join, resolve } from 'node:path';
import { resolveConfig } from '../../src/config/loader';
import { collectMonitoring } from '../../src/monitoring/collect';
import { generatedFiles } from '../../src/generate';

const ROOT = resolve(__dirname, '../..');

test('the committed rules, tests, dashboards and contract are what the code generates (run npm run generate)', () => {
  const stale = Object.entries(generatedFiles())
    .filter(([path, text]) => {
      try {
        return readFileSync(join(ROOT, path), 'utf8') !== text;
      } catch {
        return true;
      }
    })
    .map(([path]) => path);
  expect(stale).toEqual([]);
});

test('every alert has a promtool test file next to its rule file', () => {
  const out = collectMonitoring(resolveConfig({ profile: 'production' }), COMPONENTS);
  for (const file of Object.keys(out.ruleFiles)) {
    const text = out.ruleFiles[file];
    if (text.includes('alert:')) {
      expect(Object.keys(out.ruleTests())).toContain(file.replace('.rules.yaml', '.rules.test.yaml'));
    }
  }
});

test('disabled components ship no rules', () => {
  const out = collectMonitoring(resolveConfig({ overrides: { loki: { enabled: false } } }), COMPONENTS);
  expect(Object.keys(out.ruleFiles)).not.toContain('loki.rules.yaml');
  expect(Object.keys(collectMonitoring(resolveConfig(), COMPONENTS).ruleFiles)).not.toContain('gpu.rules.yaml');
  expect(Object.keys(collectMonitoring(resolveConfig({ profile: 'production' }), COMPONENTS).ruleFiles)).toContain('gpu.rules.yaml');
});

test('thresholds come from config', () => {
  const out = collectMonitoring(resolveConfig({ overrides: { thresholds: { accuracyMin: 0.7 } } }), COMPONENTS);
  expect(out.ruleFiles['fl.rules.yaml']).toContain('expr: fl_accuracy{job="fl-server"} < 0.7');
});

test('the metric catalog covers the FL seed metrics and the DCGM defaults', () => {
  const { catalog } = collectMonitoring(resolveConfig(), COMPONENTS);
  for (const name of ['fl_rounds_completed_total', 'fl_rounds_failed_total', 'fl_train_loss', 'fl_eval_loss', 'fl_accuracy', 'fl_best_accuracy', 'fl_active_clients', 'fl_total_clients', 'fl_model_parameters', 'fl_samples_per_round', 'DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_POWER_USAGE', 'DCGM_FI_DEV_XID_ERRORS']) {
    expect(catalog.lookup(name)?.name).toBe(name);
  }
  expect(catalog.lookup('fl_round_duration_seconds_bucket')?.name).toBe('fl_round_duration_seconds');
  expect(catalog.lookup('fl_accuracy_bucket')).toBeUndefined();
});
