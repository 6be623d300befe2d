import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import {
  componentClusterRole,
  componentServiceAccount,
  containerPorts,
  containerResources,
  deploymentWorkload,
  httpProbe,
  imageOf,
  restrictedContainerSecurity,
  type ComponentIdentity,
  type ComponentProps,
} from '../../common/workload';
import { kplus } from '../../k8s';

/** Props of {@link KubeStateMetrics}. */
export interface KubeStateMetricsProps extends ComponentProps {
  /** Its slice of the config: resources. */
  readonly settings: StackConfig['kubeStateMetrics'];
}

const KSM_UID = 65534;

/** The object-state metrics; `/livez` answers here. */
const METRICS = { name: 'metrics', port: Ports.kubeStateMetrics };
/** Its own metrics; `/readyz` answers here. */
const TELEMETRY = { name: 'telemetry', port: Ports.kubeStateMetricsTelemetry };

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
    this.identity = { name: ComponentName.KUBE_STATE_METRICS, role: ComponentRole.EXPORTER, namespace: props.namespace, image: props.image };
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
      annotations: scrapeAnnotations(METRICS.port, { honorLabels: true }),
    });
    deployment.addContainer({
      name: 'kube-state-metrics',
      ...imageOf(me),
      args: [
        `--port=${METRICS.port}`,
        `--telemetry-port=${TELEMETRY.port}`,
        `--resources=${KSM_RESOURCES.map((r) => r.flag).join(',')}`,
        '--metric-labels-allowlist=pods=[app.kubernetes.io/name,app.kubernetes.io/part-of],nodes=[nvidia.com/gpu.present]',
      ],
      ports: containerPorts([METRICS, TELEMETRY]),
      resources: containerResources(props.settings.resources),
      securityContext: restrictedContainerSecurity(KSM_UID),
      readiness: httpProbe({ path: '/readyz', port: TELEMETRY.port }),
      liveness: httpProbe({ path: '/livez', port: METRICS.port, periodSeconds: 30, failureThreshold: 5 }),
    });
  }
}
