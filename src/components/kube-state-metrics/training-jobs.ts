import { ComponentName } from '../../common/names';
import { ALL_NAMESPACES, type StackConfig } from '../../config/schema';
import {
  dashboard,
  dashboardDef,
  DashboardFolder,
  defaultMetricsDatasource,
  labelValues,
  promQuery,
  statPanel,
  tablePanel,
  timeseriesPanel,
  Unit,
  type DashboardDef,
} from '../../monitoring/dashboard';
import { sel } from '../../monitoring/selectors';

/*
 * Training jobs: Kubernetes Jobs of the training namespace and the onboarded ones (the 3-tier training
 * monitor guide's "Training Jobs Monitoring" dashboard), from kube-state-metrics, cAdvisor and DCGM.
 */

const KSM = ComponentName.KUBE_STATE_METRICS;
const CADVISOR = 'cadvisor';
const DCGM = ComponentName.DCGM_EXPORTER;

/** The dashboard's uid and its job variable: the guide embeds `/d/training-dashboard?var-job_id=<job>`. */
export const TRAINING_JOBS_UID = 'training-dashboard';
export const JOB_VARIABLE = 'job_id';

/**
 * The namespaces whose Jobs are training jobs, as a `~` regex matcher value (see `sel`): the training
 * namespace and `prometheus.onboardedNamespaces` (any namespace when that is 'all').
 */
export function trainingJobNamespaces(config: StackConfig): string {
  const onboarded = config.prometheus.onboardedNamespaces;
  return onboarded === ALL_NAMESPACES ? '~.+' : `~${[config.namespaces.training, ...onboarded].join('|')}`;
}

/** A Job's state, as the status table's State column shows it. */
export enum TrainingJobState {
  RUNNING = 'Running',
  COMPLETE = 'Complete',
  FAILED = 'Failed',
}

/** `expr` (by namespace and pod) restricted to the pods of the selected Jobs, with the Job's name as `owner_name`. */
function ofJobPods(expr: string): string {
  const owners = sel('kube_pod_owner', KSM, { namespace: '~$namespace', owner_kind: 'Job', owner_name: `~$${JOB_VARIABLE}` });
  return `${expr} * on (namespace, pod) group_left (owner_name) ${owners}`;
}

const JOBS = { namespace: '~$namespace', job_name: `~$${JOB_VARIABLE}` };
const CONTAINERS = { namespace: '~$namespace', container: '~.+' };
const byJob = (metric: string, extra: Readonly<Record<string, string>> = {}): string => `max by (namespace, job_name) (${sel(metric, KSM, { ...JOBS, ...extra })})`;

/** The queries of the training jobs dashboard (layout below). */
const queries = {
  namespaces: (config: StackConfig): string => labelValues(sel('kube_job_info', KSM, { namespace: trainingJobNamespaces(config) }), 'namespace'),
  jobs: labelValues(sel('kube_job_info', KSM, { namespace: '~$namespace' }), 'job_name'),
  active: `count(${sel('kube_job_status_active', KSM, JOBS)} > 0)`,
  failed: `count(${sel('kube_job_failed', KSM, { ...JOBS, condition: 'true' })} == 1)`,
  pendingPods: `count(${ofJobPods(`(${sel('kube_pod_status_phase', KSM, { namespace: '~$namespace', phase: 'Pending' })} == 1)`)})`,
  gpu: `avg by (owner_name, pod) (${ofJobPods(sel('DCGM_FI_DEV_GPU_UTIL', DCGM, { namespace: '~$namespace' }))})`,
  gpuMemory: `sum by (owner_name, pod) (${ofJobPods(sel('DCGM_FI_DEV_FB_USED', DCGM, { namespace: '~$namespace' }))})`,
  cpu: `${ofJobPods(`sum by (namespace, pod) (rate(${sel('container_cpu_usage_seconds_total', CADVISOR, CONTAINERS)}[$__rate_interval]))`)}`,
  memory: `${ofJobPods(`sum by (namespace, pod) (${sel('container_memory_working_set_bytes', CADVISOR, CONTAINERS)})`)}`,
  // Failed, else Complete, else Running (a Job has no condition series until it ends), as a `state` label.
  state: [
    [TrainingJobState.FAILED, `${byJob('kube_job_failed', { condition: 'true' })} == 1`],
    [TrainingJobState.COMPLETE, `${byJob('kube_job_complete', { condition: 'true' })} == 1`],
    [TrainingJobState.RUNNING, byJob('kube_job_info')],
  ]
    .map(([state, expr]) => `label_replace(${expr}, "state", "${state}", "", "")`)
    .join(' or on (namespace, job_name) '),
};

/** Active, failed and pending training jobs; GPU, CPU and memory of their pods; a status table per Job. */
export function trainingJobsDashboard(config: StackConfig): DashboardDef {
  const q = queries;
  const pods = '{{owner_name}}/{{pod}}';
  const board = dashboard(TRAINING_JOBS_UID, 'Training Jobs Monitoring', {
    tags: ['training', 'kubernetes'],
    description:
      'Kubernetes Jobs of the training namespace and the onboarded ones: state (kube-state-metrics), GPU per pod (DCGM), CPU and memory per pod (cAdvisor). ' +
      `Embeddable with ?var-${JOB_VARIABLE}=<Job name>.`,
    namespace: { multi: true, values: q.namespaces(config) },
    metricsDatasource: defaultMetricsDatasource(config),
    variables: [{ name: JOB_VARIABLE, label: 'Training job', query: q.jobs }],
    rows: [
      {
        title: 'Training jobs',
        panels: [
          statPanel('Active training jobs', Unit.NONE, [promQuery(q.active, 'active')], { width: 8, decimals: 0, noValue: '0', description: 'Jobs with at least one running pod.' }),
          statPanel('Failed training jobs', Unit.NONE, [promQuery(q.failed, 'failed')], {
            width: 8,
            decimals: 0,
            noValue: '0',
            threshold: { value: 1 },
            description: 'Jobs whose Failed condition is true (their backoffLimit or deadline was reached).',
          }),
          statPanel('Pods pending', Unit.NONE, [promQuery(q.pendingPods, 'pending')], {
            width: 8,
            decimals: 0,
            noValue: '0',
            threshold: { value: 1, color: 'orange' },
            description: 'Pods of the selected jobs waiting to be scheduled or to start.',
          }),
        ],
      },
      {
        title: 'Resources per pod',
        panels: [
          timeseriesPanel('GPU utilization', Unit.PERCENT, [promQuery(q.gpu, pods)], {
            width: 12,
            min: 0,
            max: 100,
            description: 'DCGM exporter, averaged over the GPUs a pod holds (needs the DCGM exporter on the GPU nodes).',
          }),
          timeseriesPanel('GPU memory used', Unit.MEBIBYTES, [promQuery(q.gpuMemory, pods)], { width: 12, description: 'Framebuffer used, summed over the GPUs a pod holds.' }),
          timeseriesPanel('CPU usage', Unit.SHORT, [promQuery(q.cpu, pods)], { width: 12, axisLabel: 'cores', legendCalcs: ['mean', 'max'] }),
          timeseriesPanel('Memory usage', Unit.BYTES, [promQuery(q.memory, pods)], { width: 12, description: 'Working set of the containers.', legendCalcs: ['lastNotNull', 'max'] }),
        ],
      },
      {
        title: 'Status per job',
        panels: [
          tablePanel('Training status', {
            keys: [
              { label: 'namespace', header: 'Namespace' },
              { label: 'job_name', header: 'Job' },
              { label: 'state', header: 'State' },
            ],
            columns: [
              { header: 'State', expr: q.state, labelsOnly: true },
              { header: 'Active pods', expr: byJob('kube_job_status_active') },
              { header: 'Succeeded pods', expr: byJob('kube_job_status_succeeded') },
              { header: 'Failed pods', expr: byJob('kube_job_status_failed') },
            ],
            width: 16,
            description: 'One row per Job; failed pods count retries (a Job fails when they reach its backoffLimit).',
          }),
          tablePanel('Training times', {
            keys: [
              { label: 'namespace', header: 'Namespace' },
              { label: 'job_name', header: 'Job' },
            ],
            columns: [
              { header: 'Started', expr: `${byJob('kube_job_status_start_time')} * 1000` },
              { header: 'Completed', expr: `${byJob('kube_job_status_completion_time')} * 1000` },
            ],
            unit: Unit.DATE_TIME,
            width: 8,
          }),
        ],
      },
    ],
  });
  return dashboardDef(board, DashboardFolder.FL);
}
