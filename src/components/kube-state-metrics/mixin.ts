import { ComponentName } from '../../common/names';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder } from '../../monitoring/rules';
import { kubeStateMetricsDashboards } from './dashboards';
import { sel, series } from '../../monitoring/selectors';
import { KUBE_STATE_METRICS } from './metrics';
import { trainingJobNamespaces, trainingJobsDashboard } from './training-jobs';

const E = ComponentName.KUBE_STATE_METRICS;
/** How long a pod may stay pending (or unknown, or failed) before someone is told. */
const POD_STUCK_FOR = '15m';

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  const c = { namespace: ctx.config.namespaces.training, pod: 'fl-client-0', container: 'fl-client' };
  const trainingNamespaces = trainingJobNamespaces(ctx.config);
  // A training Job's pod and its owner series (the test input of the training-job alerts).
  const job = { namespace: ctx.config.namespaces.training, job_name: 'train-resnet-42' };
  const jobPod = { namespace: job.namespace, pod: `${job.job_name}-x7k2p` };
  const owner = series('kube_pod_owner', E, { ...jobPod, owner_kind: 'Job', owner_name: job.job_name, owner_is_controller: 'true' });
  const jobOwners = sel('kube_pod_owner', E, { owner_kind: 'Job', namespace: trainingNamespaces });
  return [
    new RuleGroupBuilder('kubernetes.alerts', ctx.catalog, ctx.recorded)
      .alert({
        alert: 'PodCrashLooping',
        expr: `${sel('kube_pod_container_status_waiting_reason', E, { reason: 'CrashLoopBackOff' })} == 1`,
        for: '5m',
        severity: 'warning',
        summary: 'A container is crash-looping.',
        description: 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} keeps crashing.',
        impact: "The container's work (training, storage, shipping) is interrupted at every restart, with growing back-off.",
        mitigation: '`kubectl -n <namespace> logs <pod> -c <container> --previous` shows why it exited; check config changes rolled with the last deploy and the probes.',
        test: {
          firing: { series: [{ series: series('kube_pod_container_status_waiting_reason', E, { ...c, reason: 'CrashLoopBackOff' }), values: '1x10' }], at: '6m', labels: { job: E, ...c, reason: 'CrashLoopBackOff' } },
          quiet: { series: [{ series: series('kube_pod_container_status_waiting_reason', E, { ...c, reason: 'CrashLoopBackOff' }), values: '0x10' }], at: '6m' },
        },
      })
      .alert({
        alert: 'PodOomKilled',
        expr: `(${sel('kube_pod_container_status_last_terminated_reason', E, { reason: 'OOMKilled' })} == 1) and on (namespace, pod, container) (increase(${sel('kube_pod_container_status_restarts_total', E)}[10m]) > 0)`,
        for: '1m',
        severity: 'warning',
        summary: 'A container was OOM-killed.',
        description: 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} ran out of memory and restarted; raise its memory limit or reduce its load.',
        impact: 'The container lost its in-memory state and restarted; repeated kills become a crash loop.',
        mitigation: 'Compare its working set with the limit on the resources dashboard; raise `<component>.resources.limits.memory` or reduce its load (series, log volume, clients).',
        test: {
          firing: {
            series: [
              { series: series('kube_pod_container_status_last_terminated_reason', E, { ...c, reason: 'OOMKilled' }), values: '1x10' },
              { series: series('kube_pod_container_status_restarts_total', E, c), values: '0 0 1 1 1 1 1 1 1 1' },
            ],
            at: '5m',
            labels: { job: E, ...c, reason: 'OOMKilled' },
          },
          quiet: {
            series: [
              { series: series('kube_pod_container_status_last_terminated_reason', E, { ...c, reason: 'OOMKilled' }), values: '1x30' },
              { series: series('kube_pod_container_status_restarts_total', E, c), values: '1x30' },
            ],
            at: '25m',
          },
        },
      })
      .alert({
        alert: 'PodNotRunning',
        // Pods of training Jobs are the training-job alerts' (TrainingJobPodsPending, TrainingJobFailed).
        expr: `sum by (namespace, pod) (${sel('kube_pod_status_phase', E, { phase: '~Pending|Unknown|Failed' })}) > 0 unless on (namespace, pod) ${jobOwners}`,
        for: POD_STUCK_FOR,
        severity: 'warning',
        summary: `A pod has not been running for ${POD_STUCK_FOR}.`,
        description: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} is stuck pending, unknown or failed.',
        impact: 'The pod does no work: a component, an FL client or the FL server is missing.',
        mitigation: '`kubectl -n <namespace> describe pod <pod>`: pending pods wait for resources, a node selector/toleration (GPU nodes), a PVC or a Secret; failed pods show their exit reason.',
        test: {
          firing: { series: [{ series: series('kube_pod_status_phase', E, { namespace: c.namespace, pod: c.pod, phase: 'Pending' }), values: '1x20' }], at: '17m', labels: { namespace: c.namespace, pod: c.pod } },
          quiet: [
            { series: [{ series: series('kube_pod_status_phase', E, { namespace: c.namespace, pod: c.pod, phase: 'Pending' }), values: '0x20' }], at: '17m' },
            {
              case: 'a pending pod of a training Job (TrainingJobPodsPending tells)',
              series: [
                { series: series('kube_pod_status_phase', E, { ...jobPod, phase: 'Pending' }), values: '1x20' },
                { series: owner, values: '1x20' },
              ],
              at: '17m',
            },
          ],
        },
      }),
    new RuleGroupBuilder('training-jobs.alerts', ctx.catalog, ctx.recorded)
      .alert({
        alert: 'TrainingJobFailed',
        expr: `${sel('kube_job_failed', E, { condition: 'true', namespace: trainingNamespaces })} == 1`,
        for: '1m',
        severity: 'warning',
        summary: 'A training job failed.',
        description: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} failed: its pods failed up to its backoffLimit, or it ran past its activeDeadlineSeconds.',
        impact: 'The training run did not finish: no model from it, and the GPUs it held are idle or were released.',
        mitigation:
          '`kubectl -n <namespace> describe job <job_name>` gives the reason (BackoffLimitExceeded, DeadlineExceeded); `kubectl -n <namespace> logs -l job-name=<job_name> --previous` the last errors. ' +
          'The alert clears when the failed Job is deleted or re-run.',
        diagnose: [`${sel('kube_job_status_failed', E, { namespace: trainingNamespaces })}`],
        test: {
          firing: {
            series: [{ series: series('kube_job_failed', E, { ...job, condition: 'true' }), values: '0 0 1x10' }],
            at: '5m',
            labels: { job: E, ...job, condition: 'true' },
          },
          quiet: [
            {
              case: 'still running',
              series: [
                { series: series('kube_job_failed', E, { ...job, condition: 'true' }), values: '0x10' },
                { series: series('kube_job_failed', E, { ...job, condition: 'false' }), values: '1x10' },
              ],
              at: '5m',
            },
            {
              case: 'a namespace neither the training one nor onboarded',
              series: [{ series: series('kube_job_failed', E, { namespace: 'some-other-team', job_name: 'nightly', condition: 'true' }), values: '1x10' }],
              at: '5m',
            },
          ],
        },
      })
      .alert({
        alert: 'TrainingJobPodsPending',
        expr:
          `sum by (namespace, job_name) (label_replace(${jobOwners}, "job_name", "$1", "owner_name", "(.+)")` +
          ` * on (namespace, pod) group_left () (${sel('kube_pod_status_phase', E, { phase: 'Pending' })} == 1)) > 0`,
        for: POD_STUCK_FOR,
        severity: 'warning',
        summary: `Pods of a training job have been pending for ${POD_STUCK_FOR}.`,
        description: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} has pods that are not scheduled or not started.',
        impact: 'The training job waits: its run starts late or, for a distributed job, not at all.',
        mitigation:
          '`kubectl -n <namespace> describe pod -l job-name=<job_name>`: most often no node has the GPUs or memory it requests (check the GPU nodes\' allocations), ' +
          'a missing toleration or node selector for the GPU nodes, an unbound PVC, or an image that cannot be pulled.',
        test: {
          firing: {
            series: [
              { series: series('kube_pod_status_phase', E, { ...jobPod, phase: 'Pending' }), values: '1x20' },
              { series: owner, values: '1x20' },
            ],
            at: '17m',
            labels: job,
          },
          quiet: [
            {
              case: 'running',
              series: [
                { series: series('kube_pod_status_phase', E, { ...jobPod, phase: 'Pending' }), values: '1 1 1 0x20' },
                { series: series('kube_pod_status_phase', E, { ...jobPod, phase: 'Running' }), values: '0 0 0 1x20' },
                { series: owner, values: '1x20' },
              ],
              at: '17m',
            },
            {
              case: 'a pending pod that no Job owns',
              series: [{ series: series('kube_pod_status_phase', E, { namespace: c.namespace, pod: c.pod, phase: 'Pending' }), values: '1x20' }],
              at: '17m',
            },
          ],
        },
      }),
  ];
}

/** Kubernetes object state: crash loops, OOM kills, pods that do not run, training Jobs that fail or wait. */
export const KUBE_STATE_METRICS_MIXIN: Mixin = {
  name: 'kubernetes',
  metrics: KUBE_STATE_METRICS,
  alertingRules: alerting,
  dashboards: (ctx) => [...kubeStateMetricsDashboards(ctx), trainingJobsDashboard(ctx.config)],
};
