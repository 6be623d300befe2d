import { Construct } from 'constructs';
import { configFiles } from '../../common/config-file';
import { ComponentName, ComponentRole } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import { WEB_CONFIG_FILE, webConfigFile, webTlsMount } from '../../common/web-tls';
import {
  claimVolume,
  containerPorts,
  containerResources,
  httpProbe,
  imageOf,
  objectMeta,
  restrictedContainerSecurity,
  statefulWorkload,
  componentService,
  componentClusterRole,
  componentServiceAccount,
  type ComponentIdentity,
  type ComponentProps,
} from '../../common/workload';
import { toYaml } from '../../common/yaml';
import { kplus } from '../../k8s';
import { PrometheusApi } from './api';
import {
  CONFIGMAPS_DIR,
  discoveredNamespaces,
  prometheusFile,
  credentialConfigMapNames,
  credentialSecretNames,
  RULES_DIR,
  SECRETS_DIR,
  type PrometheusFileValues,
} from './config';

/** Props of {@link Prometheus}: what prometheus.yml is rendered from, and what only the workload needs. */
export interface PrometheusProps extends ComponentProps, PrometheusFileValues {
  /** The URL its pages and alerts link to: its Ingress when exposed, else its Service. */
  readonly externalUrl: string;
  /** Rule files to load, file name → YAML text (collected from every component's mixin). */
  readonly ruleFiles: Readonly<Record<string, string>>;
  /**
   * The web certificate Secret (`webTls`): it serves HTTPS with it, and its scrapes of the HTTPS
   * pods and its alerts verify with its CA. @default - plain HTTP
   */
  readonly webTlsSecret?: string;
}

/** The Prometheus `nobody` user of the upstream image. */
const PROMETHEUS_UID = 65534;

/** Where prometheus.yml is mounted. */
const CONFIG_DIR = '/etc/prometheus/config';
const CONFIG_FILE = 'prometheus.yml';
/** Its TSDB directory (the PVC). */
const DATA_DIR = '/prometheus';

const HTTP = { name: 'http', port: PrometheusApi.port };

/**
 * Prometheus as a StatefulSet: kubernetes_sd scraping of the stack's and the onboarded namespaces
 * and the kubelets, rules from every mixin, alerts to Alertmanager, remote_write to the configured
 * targets (credentials from mounted Secrets).
 */
export class Prometheus extends Construct {
  /** The rendered prometheus.yml. */
  public readonly configText: string;
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: PrometheusProps) {
    super(scope, id);
    const slice = props.settings;
    this.identity = { name: ComponentName.PROMETHEUS, role: ComponentRole.METRICS, namespace: props.namespace, image: props.image };
    const me = this.identity;
    this.configText = toYaml(prometheusFile(props));
    const ruleNames = Object.keys(props.ruleFiles).sort();

    const serviceAccount = componentServiceAccount(this, me);

    // Least privilege: discovery reads pods/services/endpoints only in the namespaces it discovers (a
    // Role in each; cluster-wide only when every namespace is onboarded), plus cluster-scoped nodes
    // and the kubelet metrics endpoints.
    const discovery = [kplus.ApiResource.PODS, kplus.ApiResource.SERVICES, kplus.ApiResource.ENDPOINTS];
    const clusterRole = componentClusterRole(this, me, serviceAccount);
    clusterRole.allowRead(kplus.ApiResource.NODES);
    clusterRole.allow(['get'], kplus.ApiResource.custom({ apiGroup: '', resourceType: 'nodes/metrics' }));
    clusterRole.allow(['get'], kplus.NonApiResource.of('/metrics'));
    const namespaces = discoveredNamespaces(props);
    if (namespaces === undefined) {
      clusterRole.allow(['get', 'list', 'watch'], ...discovery);
    }
    for (const ns of namespaces ?? []) {
      const role = new kplus.Role(this, `role-${ns}`, { metadata: { ...objectMeta(me), namespace: ns } });
      role.allow(['get', 'list', 'watch'], ...discovery);
      new kplus.RoleBinding(this, `binding-${ns}`, { metadata: { ...objectMeta(me), namespace: ns }, role }).addSubjects(serviceAccount);
    }
    // Credentials and CA bundles (remote_write, external scrape jobs), each Secret and ConfigMap
    // mounted whole at its own directory.
    const credentialMounts: kplus.VolumeMount[] = [
      ...credentialSecretNames(slice).map((name, i) => ({
        path: `${SECRETS_DIR}/${name}`,
        volume: kplus.Volume.fromSecret(this, `secret-${name}`, kplus.Secret.fromSecretName(this, `secret-ref-${name}`, name), { name: `credentials-secret-${i}` }),
        readOnly: true,
      })),
      ...credentialConfigMapNames(slice).map((name, i) => ({
        path: `${CONFIGMAPS_DIR}/${name}`,
        volume: kplus.Volume.fromConfigMap(this, `configmap-${name}`, kplus.ConfigMap.fromConfigMapName(this, `configmap-ref-${name}`, name), {
          name: `credentials-configmap-${i}`,
        }),
        readOnly: true,
      })),
    ];

    // HTTPS with the web certificate; the same mount holds the CA its TLS scrapes and alerts verify with.
    const webTls = props.webTlsSecret !== undefined;
    const webTlsMounts = props.webTlsSecret === undefined ? [] : [webTlsMount(this, props.webTlsSecret)];
    // A change of a rule file rolls the pods like a change of prometheus.yml.
    const config = configFiles(this, me, {
      files: { [CONFIG_FILE]: this.configText, ...(webTls ? { [WEB_CONFIG_FILE]: toYaml(webConfigFile()) } : {}) },
      mountPath: CONFIG_DIR,
      alsoChecksummed: ruleNames.map((n) => `${n}\n${props.ruleFiles[n]}`),
    });
    const rules = configFiles(this, me, {
      id: 'rules',
      files: Object.fromEntries(ruleNames.map((name) => [name, props.ruleFiles[name]])),
      mountPath: RULES_DIR,
    });

    const sts = statefulWorkload(this, me, {
      replicas: slice.replicas,
      user: PROMETHEUS_UID,
      serviceAccount,
      apiAccess: true,
      annotations: { ...config.annotations, ...scrapeAnnotations(HTTP.port, { webTls }) },
      terminationGraceSeconds: 120,
      storage: slice.storage,
      ports: [HTTP],
    });
    const ready = { path: PrometheusApi.ready, port: HTTP.port, https: webTls };
    sts.addContainer({
      name: 'prometheus',
      ...imageOf(me),
      args: [
        `--config.file=${CONFIG_DIR}/${CONFIG_FILE}`,
        `--storage.tsdb.path=${DATA_DIR}`,
        `--storage.tsdb.retention.time=${slice.retention}`,
        `--storage.tsdb.retention.size=${slice.retentionSize.replace(/i$/, '')}B`,
        `--web.listen-address=:${HTTP.port}`,
        `--web.external-url=${props.externalUrl}`,
        ...(webTls ? [`--web.config.file=${CONFIG_DIR}/${WEB_CONFIG_FILE}`] : []),
      ],
      envVariables: { POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME) },
      ports: containerPorts([HTTP]),
      resources: containerResources(slice.resources),
      securityContext: restrictedContainerSecurity(PROMETHEUS_UID),
      readiness: httpProbe({ ...ready, periodSeconds: 5 }),
      liveness: httpProbe({ path: PrometheusApi.healthy, port: HTTP.port, https: webTls, periodSeconds: 15, failureThreshold: 6 }),
      // Replaying a large WAL takes a while: up to 10 minutes before the liveness probe counts.
      startup: httpProbe({ ...ready, failureThreshold: 60 }),
      volumeMounts: [config.mount, rules.mount, { path: DATA_DIR, volume: claimVolume(this, 'data') }, ...credentialMounts, ...webTlsMounts],
    });

    componentService(this, 'service', me, [HTTP]);
  }
}
