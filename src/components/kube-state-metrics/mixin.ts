import { ComponentName } from '../../common/names';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder } from '../../monitoring/rules';
import { kubeStateMetricsDashboards } from './dashboards';
import { sel, series } from '../../monitoring/selectors';
import { KUBE_STATE_METRICS } from './metrics';

const E = ComponentName.KUBE_STATE_METRICS;

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  const c = { namespace: ctx.config.namespaces.training, pod: 'fl-client-0', container: 'fl-client' };
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
        expr: `sum by (namespace, pod) (${sel('kube_pod_status_phase', E, { phase: '~Pending|Unknown|Failed' })}) > 0`,
        for: '15m',
        severity: 'warning',
        summary: 'A pod has not been running for 15 minutes.',
        description: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} is stuck pending, unknown or failed.',
        impact: 'The pod does no work: a component, an FL client or the FL server is missing.',
        mitigation: '`kubectl -n <namespace> describe pod <pod>`: pending pods wait for resources, a node selector/toleration (GPU nodes), a PVC or a Secret; failed pods show their exit reason.',
        test: {
          firing: { series: [{ series: series('kube_pod_status_phase', E, { namespace: c.namespace, pod: c.pod, phase: 'Pending' }), values: '1x20' }], at: '17m', labels: { namespace: c.namespace, pod: c.pod } },
          quiet: { series: [{ series: series('kube_pod_status_phase', E, { namespace: c.namespace, pod: c.pod, phase: 'Pending' }), values: '0x20' }], at: '17m' },
        },
      }),
  ];
}

/** Kubernetes object state: crash loops, OOM kills, pods that do not run. */
export const KUBE_STATE_METRICS_MIXIN: Mixin = {
  name: 'kubernetes',
  metrics: KUBE_STATE_METRICS,
  alertingRules: alerting,
  dashboards: kubeStateMetricsDashboards,
};
