import type { StackConfig } from '../../config/schema';
import { ComponentName, ScrapeAnnotations } from '../../common/names';
import { endpointUrl, type Endpoint, type Topology } from '../../common/topology';

/** The subset of Prometheus's configuration file this stack writes, typed. */
export interface RelabelConfig {
  readonly source_labels?: readonly string[];
  readonly separator?: string;
  readonly regex?: string;
  readonly target_label?: string;
  readonly replacement?: string;
  readonly action?: 'replace' | 'keep' | 'drop' | 'labelmap' | 'labeldrop' | 'labelkeep';
}

export interface KubernetesSdConfig {
  readonly role: 'pod' | 'node' | 'endpoints' | 'service' | 'endpointslice';
  readonly namespaces?: { readonly names: readonly string[] };
}

export interface ScrapeConfig {
  readonly job_name: string;
  readonly scheme?: 'http' | 'https';
  readonly metrics_path?: string;
  readonly honor_labels?: boolean;
  readonly kubernetes_sd_configs?: readonly KubernetesSdConfig[];
  readonly static_configs?: readonly { readonly targets: readonly string[]; readonly labels?: Record<string, string> }[];
  readonly authorization?: { readonly credentials_file: string };
  readonly tls_config?: { readonly ca_file: string; readonly insecure_skip_verify?: boolean };
  readonly relabel_configs?: readonly RelabelConfig[];
  readonly metric_relabel_configs?: readonly RelabelConfig[];
}

export interface PrometheusConfigFile {
  readonly global: {
    readonly scrape_interval: string;
    readonly evaluation_interval: string;
    readonly external_labels: Record<string, string>;
  };
  readonly rule_files: readonly string[];
  readonly alerting?: {
    readonly alert_relabel_configs: readonly RelabelConfig[];
    readonly alertmanagers: readonly {
      readonly kubernetes_sd_configs: readonly KubernetesSdConfig[];
      readonly relabel_configs: readonly RelabelConfig[];
      readonly api_version: 'v2';
    }[];
  };
  readonly remote_write?: readonly {
    readonly url: string;
    readonly write_relabel_configs?: readonly RelabelConfig[];
    readonly queue_config?: { readonly max_samples_per_send?: number; readonly capacity?: number };
  }[];
  readonly scrape_configs: readonly ScrapeConfig[];
}

/** Where the rule files are mounted inside the Prometheus container. */
export const RULES_DIR = '/etc/prometheus/rules';
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The label that carries the HA replica; dropped before alerts leave and deduplicated by VictoriaMetrics. */
export const REPLICA_LABEL = 'prometheus_replica';

function metaLabel(label: string): string {
  return `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}
function metaAnnotation(annotation: string): string {
  return `__meta_kubernetes_pod_annotation_${annotation.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/**
 * Scrapes every pod of the stack's namespaces that opts in with the prometheus.io annotations. Pods
 * that ask for honor_labels (exporters whose series describe other pods) get a job of their own.
 */
function podsJob(namespaces: readonly string[], honorLabels: boolean): ScrapeConfig {
  return {
    job_name: honorLabels ? 'kubernetes-pods-honor-labels' : 'kubernetes-pods',
    ...(honorLabels ? { honor_labels: true } : {}),
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: namespaces } }],
    relabel_configs: [
      { source_labels: [metaAnnotation(ScrapeAnnotations.scrape)], regex: 'true', action: 'keep' },
      { source_labels: [metaAnnotation(ScrapeAnnotations.honorLabels)], regex: 'true', action: honorLabels ? 'keep' : 'drop' },
      { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed', action: 'drop' },
      { source_labels: [metaAnnotation(ScrapeAnnotations.path)], regex: '(.+)', target_label: '__metrics_path__', action: 'replace' },
      {
        source_labels: ['__meta_kubernetes_pod_ip', metaAnnotation(ScrapeAnnotations.port)],
        regex: '(.+);(\\d+)',
        replacement: '$1:$2',
        target_label: '__address__',
        action: 'replace',
      },
      // IPv6 pod addresses need brackets.
      {
        source_labels: ['__meta_kubernetes_pod_ip', metaAnnotation(ScrapeAnnotations.port)],
        regex: '(.*:.*);(\\d+)',
        replacement: '[$1]:$2',
        target_label: '__address__',
        action: 'replace',
      },
      { source_labels: [metaLabel('app.kubernetes.io/name')], target_label: 'job', action: 'replace' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace', action: 'replace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod', action: 'replace' },
      { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node', action: 'replace' },
      // The FL client's partition (its StatefulSet pod index); other StatefulSets' pods get no client_index.
      {
        source_labels: [metaLabel('app.kubernetes.io/name'), metaLabel('apps.kubernetes.io/pod-index')],
        regex: `${ComponentName.FL_CLIENT};(\\d+)`,
        replacement: '$1',
        target_label: 'client_index',
        action: 'replace',
      },
    ],
  };
}

/** Scrapes the kubelets (and their cAdvisor) directly, with the service account token. */
function kubeletJob(jobName: 'kubelet' | 'cadvisor', metricsPath: string): ScrapeConfig {
  return {
    job_name: jobName,
    scheme: 'https',
    metrics_path: metricsPath,
    honor_labels: true,
    kubernetes_sd_configs: [{ role: 'node' }],
    authorization: { credentials_file: `${SA_DIR}/token` },
    // Kubelet serving certificates are self-signed on minikube and most clusters.
    tls_config: { ca_file: `${SA_DIR}/ca.crt`, insecure_skip_verify: true },
    relabel_configs: [{ source_labels: ['__meta_kubernetes_node_name'], target_label: 'node', action: 'replace' }],
    metric_relabel_configs:
      jobName === 'cadvisor'
        ? [
            // Per-container series only: drop the pause container and cgroup aggregates without a container.
            { source_labels: ['container'], regex: 'POD', action: 'drop' },
          ]
        : [],
  };
}

/** What prometheus.yml is rendered from: the `prometheus` slice, stack-wide values and the Services it sends to. */
export interface PrometheusFileValues {
  /** Its slice of the config (the replica count decides the replica label). */
  readonly settings: StackConfig['prometheus'];
  /** The `cluster` external label. */
  readonly clusterName: string;
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  /** The namespaces whose pods it discovers and scrapes (its Roles grant exactly these). */
  readonly scrapeNamespaces: readonly string[];
  /** Alertmanager's Service, where alerts go. @default - Alertmanager is not deployed: no alerting */
  readonly alertmanager?: Endpoint;
  /** VictoriaMetrics's Service, where samples are remote-written. @default - VictoriaMetrics is not deployed: no remote_write */
  readonly remoteWrite?: Endpoint;
}

/** The {@link PrometheusFileValues} of a config, resolved once (the component's build passes them to the construct). */
export function prometheusFileValues(config: StackConfig, topology: Topology): PrometheusFileValues {
  return {
    settings: config.prometheus,
    clusterName: config.clusterName,
    scrapeInterval: config.scrapeInterval,
    evaluationInterval: config.evaluationInterval,
    scrapeNamespaces: [config.namespaces.monitoring, config.namespaces.agents, config.namespaces.training],
    ...(config.alertmanager.enabled ? { alertmanager: topology.endpoint(ComponentName.ALERTMANAGER) } : {}),
    ...(config.victoriaMetrics.enabled ? { remoteWrite: topology.endpoint(ComponentName.VICTORIA_METRICS) } : {}),
  };
}

/** prometheus.yml from its values. */
export function prometheusFile(values: PrometheusFileValues): PrometheusConfigFile {
  const { alertmanager, remoteWrite } = values;
  const replicated = values.settings.replicas > 1;
  const externalLabels: Record<string, string> = { cluster: values.clusterName };
  if (replicated) {
    externalLabels[REPLICA_LABEL] = '${POD_NAME}';
  }
  return {
    global: {
      scrape_interval: values.scrapeInterval,
      evaluation_interval: values.evaluationInterval,
      external_labels: externalLabels,
    },
    rule_files: [`${RULES_DIR}/*.yaml`],
    ...(alertmanager === undefined
      ? {}
      : {
          alerting: {
            alert_relabel_configs: [{ regex: REPLICA_LABEL, action: 'labeldrop' }],
            alertmanagers: [
              {
                api_version: 'v2',
                kubernetes_sd_configs: [{ role: 'endpoints', namespaces: { names: [alertmanager.namespace] } }],
                relabel_configs: [
                  { source_labels: ['__meta_kubernetes_service_name'], regex: alertmanager.service, action: 'keep' },
                  { source_labels: ['__meta_kubernetes_endpoint_port_name'], regex: 'http', action: 'keep' },
                ],
              },
            ],
          },
        }),
    ...(remoteWrite === undefined
      ? {}
      : {
          remote_write: [
            {
              url: endpointUrl(remoteWrite, '/api/v1/write'),
              // HA replicas scrape the same targets and differ only by the replica label: without it
              // their samples are identical series, which VictoriaMetrics deduplicates
              // (-dedup.minScrapeInterval = the scrape interval) into one copy.
              ...(replicated ? { write_relabel_configs: [{ regex: REPLICA_LABEL, action: 'labeldrop' }] } : {}),
              queue_config: { max_samples_per_send: 10_000, capacity: 20_000 },
            },
          ],
        }),
    scrape_configs: [
      podsJob(values.scrapeNamespaces, false),
      podsJob(values.scrapeNamespaces, true),
      kubeletJob('kubelet', '/metrics'),
      kubeletJob('cadvisor', '/metrics/cadvisor'),
    ],
  };
}

/** prometheus.yml of a whole stack config (the form the tests and the promtool check validate). */
export function prometheusConfig(config: StackConfig, topology: Topology): PrometheusConfigFile {
  return prometheusFile(prometheusFileValues(config, topology));
}
