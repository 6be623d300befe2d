import { Construct } from 'constructs';
import { stringify } from 'yaml';
import type { StackConfig } from '../../config/schema';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import type { Topology } from '../../common/topology';
import { scrapeAnnotations } from '../../common/scrape';
import {
  claimVolume,
  configChecksum,
  containerResources,
  httpProbe,
  imageOf,
  objectMeta,
  resolveImage,
  restrictedContainerSecurity,
  statefulWorkload,
  componentService,
  componentClusterRole,
  componentServiceAccount,
  type ComponentIdentity,
} from '../../common/workload';
import { kplus } from '../../k8s';
import { prometheusConfig, RULES_DIR } from './config';

/** Props of {@link Prometheus}. */
export interface PrometheusProps {
  /** The whole validated config; Prometheus reads its own slice, the namespaces and scrape settings. */
  readonly config: StackConfig;
  readonly topology: Topology;
  /** Rule files to load, file name → YAML text (collected from every component's mixin). */
  readonly ruleFiles: Readonly<Record<string, string>>;
}

/** The Prometheus `nobody` user of the upstream image. */
const PROMETHEUS_UID = 65534;

/**
 * Prometheus as a StatefulSet: kubernetes_sd scraping of the stack's namespaces and the kubelets,
 * rules from every mixin, alerts to Alertmanager, remote_write to VictoriaMetrics.
 */
export class Prometheus extends Construct {
  /** The rendered prometheus.yml. */
  public readonly configText: string;
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: PrometheusProps) {
    super(scope, id);
    const { config, topology } = props;
    const slice = config.prometheus;
    this.identity = {
      name: ComponentName.PROMETHEUS,
      role: ComponentRole.METRICS,
      namespace: config.namespaces.monitoring,
      image: resolveImage('prometheus', slice.image),
    };
    const me = this.identity;
    this.configText = stringify(prometheusConfig(config, topology), { lineWidth: 0 });
    const ruleNames = Object.keys(props.ruleFiles).sort();

    const serviceAccount = componentServiceAccount(this, me);

    // Least privilege: discovery reads pods/services/endpoints only in the stack's namespaces, plus
    // cluster-scoped nodes and the kubelet metrics endpoints.
    const clusterRole = componentClusterRole(this, me, serviceAccount);
    clusterRole.allowRead(kplus.ApiResource.NODES);
    clusterRole.allow(['get'], kplus.ApiResource.custom({ apiGroup: '', resourceType: 'nodes/metrics' }));
    clusterRole.allow(['get'], kplus.NonApiResource.of('/metrics'));
    for (const ns of [config.namespaces.monitoring, config.namespaces.agents, config.namespaces.training]) {
      const role = new kplus.Role(this, `role-${ns}`, { metadata: { ...objectMeta(me), namespace: ns } });
      role.allow(['get', 'list', 'watch'], kplus.ApiResource.PODS, kplus.ApiResource.SERVICES, kplus.ApiResource.ENDPOINTS);
      new kplus.RoleBinding(this, `binding-${ns}`, { metadata: { ...objectMeta(me), namespace: ns }, role }).addSubjects(serviceAccount);
    }

    const configMap = new kplus.ConfigMap(this, 'config', { metadata: objectMeta(me, `${me.name}-config`), data: { 'prometheus.yml': this.configText } });
    const rulesMap = new kplus.ConfigMap(this, 'rules', {
      metadata: objectMeta(me, `${me.name}-rules`),
      data: Object.fromEntries(ruleNames.map((name) => [name, props.ruleFiles[name]])),
    });

    const checksum = configChecksum(this.configText, ...ruleNames.map((n) => `${n}\n${props.ruleFiles[n]}`));
    const sts = statefulWorkload(this, me, {
      replicas: slice.replicas,
      user: PROMETHEUS_UID,
      serviceAccount,
      apiAccess: true,
      annotations: { 'checksum/config': checksum, ...scrapeAnnotations(Ports.prometheus) },
      terminationGraceSeconds: 120,
      storage: slice.storage,
      ports: [{ name: 'http', port: Ports.prometheus }],
    });
    sts.addContainer({
      name: 'prometheus',
      ...imageOf(me),
      args: [
        '--config.file=/etc/prometheus/config/prometheus.yml',
        '--storage.tsdb.path=/prometheus',
        `--storage.tsdb.retention.time=${slice.retention}`,
        `--storage.tsdb.retention.size=${slice.retentionSize.replace(/i$/, '')}B`,
        `--web.listen-address=:${Ports.prometheus}`,
        `--web.external-url=http://${topology.prometheus.service}.${topology.prometheus.namespace}.svc:${Ports.prometheus}`,
      ],
      envVariables: { POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME) },
      ports: [{ name: 'http', number: Ports.prometheus }],
      resources: containerResources(slice.resources),
      securityContext: restrictedContainerSecurity(PROMETHEUS_UID),
      readiness: httpProbe('/-/ready', Ports.prometheus, 5, 3),
      liveness: httpProbe('/-/healthy', Ports.prometheus, 15, 6),
      startup: httpProbe('/-/ready', Ports.prometheus, 10, 60),
      volumeMounts: [
        { path: '/etc/prometheus/config', volume: kplus.Volume.fromConfigMap(this, 'config-vol', configMap, { name: 'config' }), readOnly: true },
        { path: RULES_DIR, volume: kplus.Volume.fromConfigMap(this, 'rules-vol', rulesMap, { name: 'rules' }), readOnly: true },
        { path: '/prometheus', volume: claimVolume(this, 'data') },
      ],
    });

    componentService(this, 'service', me, [{ name: 'http', port: Ports.prometheus }]);
  }
}
