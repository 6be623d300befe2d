import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPONENTS } from '../src/component-list';
import { generate, generatedFiles } from '../src/generate';
import { dashboard, dashboardDef, DashboardFolder, promQuery, timeseriesPanel, Unit } from '../src/monitoring/dashboard';
import { DashboardCheckError } from '../src/monitoring/dashboard-check';
import type { MonitoredComponent } from '../src/monitoring/mixin';

/** The stack plus a component whose one dashboard queries a metric nobody exports. */
const withBadDashboard: readonly MonitoredComponent[] = [
  ...COMPONENTS,
  {
    enabled: () => true,
    workloads: [],
    mixin: {
      name: 'broken',
      metrics: [],
      dashboards: () => [
        dashboardDef(
          dashboard('broken', 'Broken', {
            tags: [],
            namespace: { default: 'ns' },
            rows: [{ title: 'Training', panels: [timeseriesPanel('Accuracy', Unit.RATIO, [promQuery('max(fl_accuracy_typo)', 'accuracy')])] }],
          }),
          DashboardFolder.FL,
        ),
      ],
    },
  },
];

const BAD_DASHBOARD_MESSAGE = [
  '1 dashboard problem:',
  '  dashboard broken, panel 2 "Accuracy", target A: metric fl_accuracy_typo is neither in the metric catalog nor a recorded series',
].join('\n');

test('generate refuses a dashboard with a bad panel query, naming the dashboard, the panel and the target', () => {
  expect(() => generatedFiles(withBadDashboard)).toThrow(DashboardCheckError);
  expect(() => generatedFiles(withBadDashboard)).toThrow(BAD_DASHBOARD_MESSAGE);
});

test('a refused generate writes nothing: the committed files stay as they were', () => {
  const root = mkdtempSync(join(tmpdir(), 'flobs-generate-'));
  try {
    mkdirSync(join(root, 'dashboards'));
    writeFileSync(join(root, 'dashboards', 'kept.json'), '{}\n');
    expect(() => generate(root, withBadDashboard)).toThrow(BAD_DASHBOARD_MESSAGE);
    expect(readFileSync(join(root, 'dashboards', 'kept.json'), 'utf8')).toBe('{}\n');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
