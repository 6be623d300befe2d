import type { HealthReport } from '../../src/health/health';
import { countByStatus, formatJson, formatTable } from '../../src/health/report';
import { exitCodeOf, HealthStatus, worst } from '../../src/health/status';

const REPORT: HealthReport = {
  status: HealthStatus.CRITICAL,
  results: [
    { component: 'cluster', check: 'api', status: HealthStatus.OK, detail: 'v1.35.0 at https://127.0.0.1:6443 (context e2e)' },
    { component: 'prometheus', check: 'pods StatefulSet/prometheus', status: HealthStatus.OK, detail: '1/1 pods ready' },
    { component: 'prometheus', check: 'targets', status: HealthStatus.CRITICAL, detail: '1/2 targets up; down: fl-client fl-training/fl-client-0 (refused)' },
    { component: 'loki', check: 'ready', status: HealthStatus.WARNING, detail: 'x' },
  ],
};

test('the table: padded columns, one row per check, the summary last', () => {
  expect(formatTable(REPORT)).toBe(
    [
      'STATUS    COMPONENT   CHECK                        DETAIL',
      'ok        cluster     api                          v1.35.0 at https://127.0.0.1:6443 (context e2e)',
      'ok        prometheus  pods StatefulSet/prometheus  1/1 pods ready',
      'critical  prometheus  targets                      1/2 targets up; down: fl-client fl-training/fl-client-0 (refused)',
      'warning   loki        ready                        x',
      '',
      'health: critical (2 ok, 1 warning, 1 critical)',
    ].join('\n'),
  );
});

test('JSON: status, counts and rows; a time only when asked (continuous mode), compact on one line', () => {
  const json = JSON.parse(formatJson(REPORT));
  expect(json).toEqual({
    status: 'critical',
    counts: { ok: 2, warning: 1, critical: 1 },
    checks: REPORT.results.map((r) => ({ component: r.component, check: r.check, status: r.status, detail: r.detail })),
  });
  const line = formatJson(REPORT, { time: new Date('2026-01-02T03:04:05Z'), compact: true });
  expect(line).not.toContain('\n');
  expect(JSON.parse(line).time).toBe('2026-01-02T03:04:05.000Z');
});

test('overall status and exit codes: 0 healthy, 1 critical, 2 warnings only', () => {
  expect(worst([])).toBe(HealthStatus.OK);
  expect(worst([HealthStatus.OK, HealthStatus.WARNING])).toBe(HealthStatus.WARNING);
  expect(worst([HealthStatus.CRITICAL, HealthStatus.WARNING])).toBe(HealthStatus.CRITICAL);
  expect([HealthStatus.OK, HealthStatus.CRITICAL, HealthStatus.WARNING].map(exitCodeOf)).toEqual([0, 1, 2]);
  expect(countByStatus({ status: HealthStatus.OK, results: [] })).toEqual({ ok: 0, warning: 0, critical: 0 });
});
