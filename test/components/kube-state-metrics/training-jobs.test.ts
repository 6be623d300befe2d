/**
 * The Training Jobs Monitoring dashboard (issue 16, part 3): its shape, and its queries evaluated by
 * the real PromQL engine (`promtool test rules`) over the series kube-state-metrics, cAdvisor and
 * DCGM export for a running, a completed and a failed Job.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { JOB_VARIABLE, TRAINING_JOBS_UID, trainingJobNamespaces, trainingJobsDashboard } from '../../../src/components/kube-state-metrics/training-jobs';
import { resolveConfig } from '../../../src/config/loader';
import { DashboardFolder } from '../../../src/monitoring/dashboard';
import { dashboardsProblems } from '../../../src/monitoring/dashboard-check';
import { contextOf, panel, variable } from '../../dashboard-helpers';
import { tool } from '../../tools';

const config = resolveConfig({ overrides: { prometheus: { onboardedNamespaces: ['ml-team-a', 'ml-team-b'] } } });
const board = trainingJobsDashboard(config);
const NS = 'ml-team-a';

describe('Training Jobs Monitoring dashboard', () => {
  test('the uid and job variable the guide embeds (/d/training-dashboard?var-job_id=…), in the FL folder', () => {
    expect([board.uid, board.title, board.folder]).toEqual([TRAINING_JOBS_UID, 'Training Jobs Monitoring', DashboardFolder.FL]);
    expect(variable(board, JOB_VARIABLE)).toMatchObject({ multi: true, query: 'label_values(kube_job_info{job="kube-state-metrics", namespace=~"$namespace"}, job_name)' });
    expect(dashboardsProblems([board], contextOf(config))).toEqual([]);
  });

  test('namespaces: the training one and the onboarded ones, or any when every namespace is onboarded', () => {
    expect(variable(board, 'namespace')).toMatchObject({
      multi: true,
      query: 'label_values(kube_job_info{job="kube-state-metrics", namespace=~"fl-training|ml-team-a|ml-team-b"}, namespace)',
    });
    expect(trainingJobNamespaces(resolveConfig())).toBe('~fl-training');
    expect(trainingJobNamespaces(resolveConfig({ overrides: { prometheus: { onboardedNamespaces: 'all' } } }))).toBe('~.+');
  });

  test('the panels the guide lists: active jobs, GPU, memory and CPU per pod, a status table', () => {
    const titles = (board.json.panels as { title: string; type: string }[]).filter((p) => p.type !== 'row').map((p) => `${p.type}: ${p.title}`);
    expect(titles).toEqual([
      'stat: Active training jobs',
      'stat: Failed training jobs',
      'stat: Pods pending',
      'timeseries: GPU utilization',
      'timeseries: GPU memory used',
      'timeseries: CPU usage',
      'timeseries: Memory usage',
      'table: Training status',
      'table: Training times',
    ]);
  });

  describe('queries over a running, a completed and a failed Job (promtool)', () => {
    const ksm = (metric: string, labels: Readonly<Record<string, string>>): string =>
      `${metric}{${Object.entries({ job: 'kube-state-metrics', namespace: NS, ...labels }).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
    const job = (name: string, s: { active: number; failed?: boolean; complete?: boolean }) => [
      { series: ksm('kube_job_info', { job_name: name }), values: '1x10' },
      { series: ksm('kube_job_status_active', { job_name: name }), values: `${s.active}x10` },
      { series: ksm('kube_job_status_failed', { job_name: name }), values: `${s.failed === true ? 3 : 0}x10` },
      ...(s.failed === true ? [{ series: ksm('kube_job_failed', { job_name: name, condition: 'true' }), values: '1x10' }] : []),
      ...(s.complete === true ? [{ series: ksm('kube_job_complete', { job_name: name, condition: 'true' }), values: '1x10' }] : []),
    ];
    const pod = (owner: string, name: string, phase: string, gpus: readonly number[]) => [
      { series: ksm('kube_pod_owner', { pod: name, owner_kind: 'Job', owner_name: owner, owner_is_controller: 'true' }), values: '1x10' },
      { series: ksm('kube_pod_status_phase', { pod: name, phase }), values: '1x10' },
      { series: `container_cpu_usage_seconds_total{job="cadvisor", metrics_path="/metrics/cadvisor", namespace="${NS}", pod="${name}", container="trainer"}`, values: '0+90x10' },
      { series: `container_memory_working_set_bytes{job="cadvisor", metrics_path="/metrics/cadvisor", namespace="${NS}", pod="${name}", container="trainer"}`, values: '1073741824x10' },
      ...gpus.map((util, gpu) => ({
        series: `DCGM_FI_DEV_GPU_UTIL{job="dcgm-exporter", gpu="${gpu}", namespace="${NS}", pod="${name}", container="trainer"}`,
        values: `${util}x10`,
      })),
    ];
    const input = [
      ...job('train-running', { active: 1 }),
      ...job('train-done', { active: 0, complete: true }),
      ...job('train-failed', { active: 0, failed: true }),
      ...pod('train-running', 'train-running-abcde', 'Running', [80, 60]),
      ...pod('train-running', 'train-running-fghij', 'Pending', []),
    ];
    /** A panel's query as Grafana sends it: every namespace and Job selected, $__rate_interval 2m. */
    const query = (title: string, i = 0): string =>
      panel(board, title)
        .targets![i]!.expr.replaceAll('$namespace', '.*')
        .replaceAll(`$${JOB_VARIABLE}`, '.*')
        .replaceAll('$__rate_interval', '2m');
    const cases: { name: string; expr: string; samples: { labels: string; value: number }[] }[] = [
      { name: 'active jobs', expr: query('Active training jobs'), samples: [{ labels: '{}', value: 1 }] },
      { name: 'failed jobs', expr: query('Failed training jobs'), samples: [{ labels: '{}', value: 1 }] },
      { name: 'pending pods', expr: query('Pods pending'), samples: [{ labels: '{}', value: 1 }] },
      {
        name: 'GPU per pod, averaged over its GPUs, named by its Job',
        expr: query('GPU utilization'),
        samples: [{ labels: '{owner_name="train-running", pod="train-running-abcde"}', value: 70 }],
      },
      {
        name: 'CPU per pod (90 core-seconds a minute: 1.5 cores)',
        expr: query('CPU usage'),
        samples: [
          { labels: `{namespace="${NS}", owner_name="train-running", pod="train-running-abcde"}`, value: 1.5 },
          { labels: `{namespace="${NS}", owner_name="train-running", pod="train-running-fghij"}`, value: 1.5 },
        ],
      },
      {
        name: 'one state per Job: Failed, else Complete, else Running',
        expr: query('Training status', 0),
        samples: [
          { labels: `{job_name="train-done", namespace="${NS}", state="Complete"}`, value: 1 },
          { labels: `{job_name="train-failed", namespace="${NS}", state="Failed"}`, value: 1 },
          { labels: `{job_name="train-running", namespace="${NS}", state="Running"}`, value: 1 },
        ],
      },
      {
        name: 'failed pods per Job',
        expr: query('Training status', 3),
        samples: [
          { labels: `{job_name="train-done", namespace="${NS}"}`, value: 0 },
          { labels: `{job_name="train-failed", namespace="${NS}"}`, value: 3 },
          { labels: `{job_name="train-running", namespace="${NS}"}`, value: 0 },
        ],
      },
    ];

    test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const dir = mkdtempSync(join(tmpdir(), 'flobs-training-jobs-'));
      try {
        writeFileSync(join(dir, 'none.yaml'), 'groups: []\n');
        const test = {
          rule_files: ['none.yaml'],
          tests: [{ interval: '1m', input_series: input, promql_expr_test: [{ expr: c.expr, eval_time: '5m', exp_samples: c.samples.map((s) => ({ labels: s.labels, value: s.value })) }] }],
        };
        writeFileSync(join(dir, 'test.yaml'), stringify(test, { lineWidth: 0 }));
        const r = spawnSync(tool('promtool'), ['test', 'rules', 'test.yaml'], { cwd: dir, encoding: 'utf8' });
        expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
        expect(r.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
