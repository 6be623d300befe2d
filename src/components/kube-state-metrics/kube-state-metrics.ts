import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import {
  componentClusterRole,
  componentServiceAccount,
  containerResources,
  deploymentWorkload,
  httpProbe,
  imageOf,
  resolveImage,
  restrictedContainerSecurity,
  type ComponentIdentity,
} from '../../common/workload';
import { kplus } from '../../k8s';

/** Props of {@link KubeStateMetrics}. */
export interface KubeStateMetricsProps {
  readonly config: StackConfig;
}

const KSM_UID = 65534;

/** The object kinds whose state is exported (and that its ClusterRole may list/watch, no more). */
export const KSM_RESOURCES: readonly { readonly group: string; readonly resource: string; readonly flag: string }[] = [
  { group: '', resource: 'nodes', flag: 'nodes' },
  { group: '', resource: 'pods', flag: 'pods' },
  { group: '', resource: 'namespaces', flag: 'namespaces' },
  { group: '', resource: 'persistentvolumeclaims', flag: 'persistentvolumeclaims' },
  { group: '', resource: 'persistentvolumes', flag: 'persistentvolumes' },
  { group: '', resource: 'services', flag: 'services' },
  { group: 'apps', resource: 'deployments', flag: 'deployments' },
  { group: 'apps', resource: 'statefulsets', flag: 'statefulsets' },
  { group: 'apps', resource: 'daemonsets', flag: 'daemonsets' },
  { group: 'batch', resource: 'jobs', flag: 'jobs' },
];

/** kube-state-metrics: object state of nodes, pods and workloads, read-only, no Secrets. */
export class KubeStateMetrics extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: KubeStateMetricsProps) {
    super(scope, id);
    const slice = props.config.kubeStateMetrics;
    this.identity = {
      name: ComponentName.KUBE_STATE_METRICS,
      role: ComponentRole.EXPORTER,
      namespace: props.config.namespaces.monitoring,
      image: resolveImage('kubeStateMetrics', slice.image),
    };
    const me = this.identity;
    const serviceAccount = componentServiceAccount(this, me);
    const clusterRole = componentClusterRole(this, me, serviceAccount);
    for (const r of KSM_RESOURCES) {
      clusterRole.allow(['list', 'watch'], kplus.ApiResource.custom({ apiGroup: r.group, resourceType: r.resource }));
    }

    const deployment = deploymentWorkload(this, me, {
      replicas: 1,
      user: KSM_UID,
      serviceAccount,
      apiAccess: true,
      annotations: scrapeAnnotations(Ports.kubeStateMetrics, { honorLabels: true }),
    });
    deployment.addContainer({
      name: 'kube-state-metrics',
      ...imageOf(me),
      args: [
        `--port=${Ports.kubeStateMetrics}`,
        `--telemetry-port=${Ports.kubeStateMetricsTelemetry}`,
        `--resources=${KSM_RESOURCES.map((r) => r.flag).join(',')}`,
        '--metric-labels-allowlist=pods=[app.kubernetes.io/name,app.kubernetes.io/part-of],nodes=[nvidia.com/gpu.present]',
      ],
      ports: [
        { name: 'metrics', number: Ports.kubeStateMetrics },
        { name: 'telemetry', number: Ports.kubeStateMetricsTelemetry },
      ],
      resources: containerResources(slice.resources),
      securityContext: restrictedContainerSecurity(KSM_UID),
      readiness: httpProbe('/readyz', Ports.kubeStateMetricsTelemetry, 10),
      liveness: httpProbe('/livez', Ports.kubeStateMetrics, 30, 5),
    });
  }
}
