import { ALL_NAMESPACES, type ExternalScrapeJob, type RelabelRule, type RemoteWriteQueue, type RemoteWriteTarget, type StackConfig } from '../../config/schema';
import { ComponentName, ScrapeAnnotations } from '../../common/names';
import type { HttpClientConfig, KubernetesSdConfig, RelabelConfig, ScrapeConfig } from '../../common/scrape-config';
import { endpointUrl, Scheme, type Endpoint, type Topology } from '../../common/topology';
import { webTlsClientConfig } from '../../common/web-tls';
import { JOB_POD_LABEL, KUBELET_METRICS_PATHS, METRICS_PATH_LABEL, podMetaLabel, POD_TARGET_LABELS, type KubeletJob } from '../../common/scrape';

export type { HttpClientConfig, KubernetesSdConfig, RelabelConfig, ScrapeConfig };


/** `queue_config` of a remote_write entry. */
export interface QueueConfig {
  readonly max_samples_per_send?: number;
  readonly capacity?: number;
  readonly min_shards?: number;
  readonly max_shards?: number;
  readonly batch_send_deadline?: string;
  readonly min_backoff?: string;
  readonly max_backoff?: string;
}

/** One `remote_write` entry: credentials and CA only as files (mounted Secrets and ConfigMaps). */
export interface RemoteWriteConfig extends HttpClientConfig {
  readonly name?: string;
  readonly url: string;
  readonly write_relabel_configs?: readonly RelabelConfig[];
  readonly queue_config?: QueueConfig;
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
  readonly remote_write?: readonly RemoteWriteConfig[];
  readonly scrape_configs: readonly ScrapeConfig[];
}

/** Where the rule files are mounted inside the Prometheus container. */
export const RULES_DIR = '/etc/prometheus/rules';
/** Where the Secrets of remote_write credentials are mounted: one directory per Secret. */
export const SECRETS_DIR = '/etc/prometheus/secrets';
/** Where the ConfigMaps of remote_write CA bundles are mounted: one directory per ConfigMap. */
export const CONFIGMAPS_DIR = '/etc/prometheus/configmaps';
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The label that carries the HA replica; dropped before alerts leave and deduplicated by VictoriaMetrics. */
export const REPLICA_LABEL = 'prometheus_replica';

function metaAnnotation(annotation: string): string {
  return `__meta_kubernetes_pod_annotation_${annotation.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}
function serviceMetaLabel(label: string): string {
  return `__meta_kubernetes_service_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}
function serviceMetaAnnotation(annotation: string): string {
  return `__meta_kubernetes_service_annotation_${annotation.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** Discovery of `role` in these namespaces, or in every namespace (`undefined`). */
function discovery(role: KubernetesSdConfig['role'], namespaces: readonly string[] | undefined): KubernetesSdConfig {
  return namespaces === undefined ? { role } : { role, namespaces: { names: [...namespaces] } };
}

/** Which of the stack's pod scrape jobs: each annotated pod is scraped by exactly one. */
type PodsJobKind =
  /** Every annotated pod but those of the two below. */
  | { readonly honorLabels: false; readonly webTls?: undefined }
  /** Exporters whose series describe other pods: their labels win. */
  | { readonly honorLabels: true; readonly webTls?: undefined }
  /** The pods of one Service that serve HTTPS with the stack's web certificate, verified under its name. */
  | { readonly honorLabels: false; readonly webTls: Endpoint };

/**
 * Scrapes every pod of the namespaces (`undefined`: all) that opts in with the prometheus.io
 * annotations. Pods that ask for honor_labels (exporters whose series describe other pods) get a job
 * of their own, which only the stack's namespaces have: elsewhere a pod cannot overwrite its target
 * labels (and one asking for it is not scraped). So do the pods of each Service served with the
 * stack's web certificate (`webTls`): their job verifies it under that Service's name.
 */
function podsJob(namespaces: readonly string[] | undefined, kind: PodsJobKind): ScrapeConfig {
  const { honorLabels, webTls } = kind;
  const webTlsRules: RelabelConfig[] =
    webTls === undefined
      ? [{ source_labels: [metaAnnotation(ScrapeAnnotations.webTls)], regex: 'true', action: 'drop' }]
      : [
          { source_labels: [metaAnnotation(ScrapeAnnotations.webTls)], regex: 'true', action: 'keep' },
          { source_labels: [podMetaLabel(JOB_POD_LABEL)], regex: webTls.service, action: 'keep' },
        ];
  return {
    job_name: webTls !== undefined ? `kubernetes-pods-web-tls-${webTls.service}` : honorLabels ? 'kubernetes-pods-honor-labels' : 'kubernetes-pods',
    ...(honorLabels ? { honor_labels: true } : {}),
    ...(webTls === undefined ? {} : { tls_config: webTlsClientConfig(webTls) }),
    kubernetes_sd_configs: [discovery('pod', namespaces)],
    relabel_configs: [
      { source_labels: [metaAnnotation(ScrapeAnnotations.scrape)], regex: 'true', action: 'keep' },
      { source_labels: [metaAnnotation(ScrapeAnnotations.honorLabels)], regex: 'true', action: honorLabels ? 'keep' : 'drop' },
      ...webTlsRules,
      { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed', action: 'drop' },
      { source_labels: [metaAnnotation(ScrapeAnnotations.scheme)], regex: '(https?)', target_label: '__scheme__', action: 'replace' },
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
      // A pod without app.kubernetes.io/name keeps the job name of the scrape job.
      { source_labels: [podMetaLabel(JOB_POD_LABEL)], regex: '(.+)', target_label: 'job', action: 'replace' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace', action: 'replace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod', action: 'replace' },
      ...POD_TARGET_LABELS.map(relabelConfig),
    ],
  };
}

/**
 * Scrapes the endpoints of every Service of the namespaces (`undefined`: all) that opts in with the
 * prometheus.io annotations on the Service: each ready or not-ready pod behind it, at the annotated
 * port (else the endpoint's), path and scheme. A pod annotated itself and behind an annotated
 * Service is scraped by both jobs: annotate one of them.
 */
function serviceEndpointsJob(namespaces: readonly string[] | undefined): ScrapeConfig {
  return {
    job_name: 'kubernetes-service-endpoints',
    kubernetes_sd_configs: [discovery('endpoints', namespaces)],
    relabel_configs: [
      { source_labels: [serviceMetaAnnotation(ScrapeAnnotations.scrape)], regex: 'true', action: 'keep' },
      { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed', action: 'drop' },
      { source_labels: [serviceMetaAnnotation(ScrapeAnnotations.scheme)], regex: '(https?)', target_label: '__scheme__', action: 'replace' },
      { source_labels: [serviceMetaAnnotation(ScrapeAnnotations.path)], regex: '(.+)', target_label: '__metrics_path__', action: 'replace' },
      // The endpoint's host (IPv6 in brackets) with the annotated port.
      {
        source_labels: ['__address__', serviceMetaAnnotation(ScrapeAnnotations.port)],
        regex: '(.+?)(?::\\d+)?;(\\d+)',
        replacement: '$1:$2',
        target_label: '__address__',
        action: 'replace',
      },
      // The job is the Service's app.kubernetes.io/name, else its name.
      { source_labels: ['__meta_kubernetes_service_name'], target_label: 'job', action: 'replace' },
      { source_labels: [serviceMetaLabel('app.kubernetes.io/name')], regex: '(.+)', target_label: 'job', action: 'replace' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace', action: 'replace' },
      { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service', action: 'replace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod', action: 'replace' },
      { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node', action: 'replace' },
    ],
  };
}

/** Scrapes the kubelets (and their cAdvisor) directly, with the service account token. */
function kubeletJob(jobName: KubeletJob): ScrapeConfig {
  return {
    job_name: jobName,
    scheme: 'https',
    metrics_path: KUBELET_METRICS_PATHS[jobName],
    honor_labels: true,
    kubernetes_sd_configs: [{ role: 'node' }],
    authorization: { credentials_file: `${SA_DIR}/token` },
    // Kubelet serving certificates are self-signed on minikube and most clusters.
    tls_config: { ca_file: `${SA_DIR}/ca.crt`, insecure_skip_verify: true },
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node', action: 'replace' },
      { source_labels: ['__metrics_path__'], target_label: METRICS_PATH_LABEL, action: 'replace' },
    ],
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
  /** Its slice of the config: replicas (the replica label), onboarded namespaces, remote_write targets, external scrape jobs. */
  readonly settings: StackConfig['prometheus'];
  /** The `cluster` external label. */
  readonly clusterName: string;
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  /** The stack's own namespaces, always discovered (with `settings.onboardedNamespaces`). */
  readonly scrapeNamespaces: readonly string[];
  /** Alertmanager's Service, where alerts go. @default - Alertmanager is not deployed: no alerting */
  readonly alertmanager?: Endpoint;
  /** VictoriaMetrics's Service, the `victoriaMetrics` remote_write target. @default - VictoriaMetrics is not deployed: that target is skipped */
  readonly victoriaMetrics?: Endpoint;
  /** The deployed Services served with the stack's web certificate (`webTls`): a scrape job each. @default [] */
  readonly webTlsTargets?: readonly Endpoint[];
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
    ...(config.victoriaMetrics.enabled ? { victoriaMetrics: topology.endpoint(ComponentName.VICTORIA_METRICS) } : {}),
    webTlsTargets: [
      ...(config.prometheus.enabled ? [topology.endpoint(ComponentName.PROMETHEUS)] : []),
      ...(config.alertmanager.enabled ? [topology.endpoint(ComponentName.ALERTMANAGER)] : []),
    ].filter((e) => e.scheme === Scheme.HTTPS),
  };
}

/**
 * Every namespace whose pods and Services are discovered: the stack's and the onboarded ones, or
 * `undefined` for all of them.
 */
export function discoveredNamespaces(values: Pick<PrometheusFileValues, 'settings' | 'scrapeNamespaces'>): readonly string[] | undefined {
  const onboarded = values.settings.onboardedNamespaces;
  return onboarded === ALL_NAMESPACES ? undefined : [...values.scrapeNamespaces, ...onboarded];
}

/** The path a Secret key is read from inside the Prometheus container. */
export function secretFile(ref: { readonly name: string; readonly key: string }): string {
  return `${SECRETS_DIR}/${ref.name}/${ref.key}`;
}

/** The path a ConfigMap key is read from inside the Prometheus container. */
export function configMapFile(ref: { readonly name: string; readonly key: string }): string {
  return `${CONFIGMAPS_DIR}/${ref.name}/${ref.key}`;
}

/** Every endpoint Prometheus authenticates to: the remote_write URLs and the external scrape jobs. */
function httpClients(settings: Pick<StackConfig['prometheus'], 'remoteWrite' | 'externalScrapeJobs'>): (Extract<RemoteWriteTarget, { type: 'url' }> | ExternalScrapeJob)[] {
  return [...settings.remoteWrite.flatMap((t) => (t.type === 'url' ? [t] : [])), ...settings.externalScrapeJobs];
}

/** The Secrets Prometheus reads credentials and CA bundles from (remote_write, external scrape jobs), by name. */
export function credentialSecretNames(settings: Pick<StackConfig['prometheus'], 'remoteWrite' | 'externalScrapeJobs'>): string[] {
  const refs = httpClients(settings).flatMap((c) => [c.basicAuth?.password, c.bearerToken, c.tls?.ca?.secret]);
  return [...new Set(refs.flatMap((r) => (r === undefined ? [] : [r.name])))].sort();
}

/** The ConfigMaps Prometheus reads CA bundles from, by name. */
export function credentialConfigMapNames(settings: Pick<StackConfig['prometheus'], 'remoteWrite' | 'externalScrapeJobs'>): string[] {
  return [...new Set(httpClients(settings).flatMap((c) => (c.tls?.ca?.configMap === undefined ? [] : [c.tls.ca.configMap.name])))].sort();
}

/** The `basic_auth`/`authorization`/`tls_config` of an endpoint: every credential a mounted file. */
function httpClientConfig(client: Pick<ExternalScrapeJob, 'basicAuth' | 'bearerToken' | 'tls'>): HttpClientConfig {
  const tls = client.tls;
  const ca = tls?.ca === undefined ? undefined : tls.ca.secret !== undefined ? secretFile(tls.ca.secret) : configMapFile(tls.ca.configMap!);
  return {
    ...(client.basicAuth === undefined ? {} : { basic_auth: { username: client.basicAuth.username, password_file: secretFile(client.basicAuth.password) } }),
    ...(client.bearerToken === undefined ? {} : { authorization: { type: 'Bearer', credentials_file: secretFile(client.bearerToken) } }),
    ...(tls === undefined ? {} : { tls_config: { ...(ca === undefined ? {} : { ca_file: ca }), ...(tls.serverName === undefined ? {} : { server_name: tls.serverName }) } }),
  };
}

/** A scrape job of static targets outside Kubernetes. */
function externalJob(job: ExternalScrapeJob): ScrapeConfig {
  return {
    job_name: job.name,
    ...(job.scheme === undefined ? {} : { scheme: job.scheme }),
    ...(job.metricsPath === undefined ? {} : { metrics_path: job.metricsPath }),
    ...(job.scrapeInterval === undefined ? {} : { scrape_interval: job.scrapeInterval }),
    ...httpClientConfig(job),
    static_configs: [{ targets: job.targets, ...(job.labels === undefined ? {} : { labels: job.labels }) }],
  };
}

function relabelConfig(rule: RelabelRule): RelabelConfig {
  return {
    ...(rule.sourceLabels === undefined ? {} : { source_labels: [...rule.sourceLabels] }),
    ...(rule.separator === undefined ? {} : { separator: rule.separator }),
    ...(rule.regex === undefined ? {} : { regex: rule.regex }),
    ...(rule.targetLabel === undefined ? {} : { target_label: rule.targetLabel }),
    ...(rule.replacement === undefined ? {} : { replacement: rule.replacement }),
    action: rule.action,
  };
}

function queueConfig(queue: RemoteWriteQueue): QueueConfig {
  const fields: readonly [keyof RemoteWriteQueue, keyof QueueConfig][] = [
    ['maxSamplesPerSend', 'max_samples_per_send'],
    ['capacity', 'capacity'],
    ['minShards', 'min_shards'],
    ['maxShards', 'max_shards'],
    ['batchSendDeadline', 'batch_send_deadline'],
    ['minBackoff', 'min_backoff'],
    ['maxBackoff', 'max_backoff'],
  ];
  return Object.fromEntries(fields.flatMap(([from, to]) => (queue[from] === undefined ? [] : [[to, queue[from]]])));
}

/** The in-cluster VictoriaMetrics's queue: bigger batches than Prometheus's default (it ingests them cheaply). */
const VICTORIA_METRICS_QUEUE: QueueConfig = { max_samples_per_send: 10_000, capacity: 20_000 };

/**
 * The `remote_write` entries of the targets, in order: the stack's own relabelling first (HA replicas
 * drop the replica label), then the target's own; `victoriaMetrics` is skipped while it is not deployed.
 */
function remoteWriteConfigs(values: PrometheusFileValues, replicated: boolean): RemoteWriteConfig[] {
  // HA replicas scrape the same targets and differ only by the replica label: without it their
  // samples are identical series, which VictoriaMetrics deduplicates (-dedup.minScrapeInterval = the
  // scrape interval) into one copy.
  const stackRelabel: RelabelConfig[] = replicated ? [{ regex: REPLICA_LABEL, action: 'labeldrop' }] : [];
  return values.settings.remoteWrite.flatMap((target): RemoteWriteConfig[] => {
    const relabel = [...stackRelabel, ...(target.writeRelabelConfigs ?? []).map(relabelConfig)];
    const relabelling = relabel.length === 0 ? {} : { write_relabel_configs: relabel };
    const queue = target.queue === undefined ? {} : queueConfig(target.queue);
    if (target.type === 'victoriaMetrics') {
      return values.victoriaMetrics === undefined
        ? []
        : [{ url: endpointUrl(values.victoriaMetrics, '/api/v1/write'), ...relabelling, queue_config: { ...VICTORIA_METRICS_QUEUE, ...queue } }];
    }
    return [
      {
        name: target.name,
        url: target.url,
        ...httpClientConfig(target),
        ...relabelling,
        ...(Object.keys(queue).length === 0 ? {} : { queue_config: queue }),
      },
    ];
  });
}

/** prometheus.yml from its values. */
export function prometheusFile(values: PrometheusFileValues): PrometheusConfigFile {
  const { alertmanager } = values;
  const replicated = values.settings.replicas > 1;
  const externalLabels: Record<string, string> = { cluster: values.clusterName };
  if (replicated) {
    externalLabels[REPLICA_LABEL] = '${POD_NAME}';
  }
  const remoteWrite = remoteWriteConfigs(values, replicated);
  const discovered = discoveredNamespaces(values);
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
                ...(alertmanager.scheme === Scheme.HTTPS ? { scheme: Scheme.HTTPS, tls_config: webTlsClientConfig(alertmanager) } : {}),
                kubernetes_sd_configs: [{ role: 'endpoints', namespaces: { names: [alertmanager.namespace] } }],
                relabel_configs: [
                  { source_labels: ['__meta_kubernetes_service_name'], regex: alertmanager.service, action: 'keep' },
                  { source_labels: ['__meta_kubernetes_endpoint_port_name'], regex: 'http', action: 'keep' },
                ],
              },
            ],
          },
        }),
    ...(remoteWrite.length === 0 ? {} : { remote_write: remoteWrite }),
    scrape_configs: [
      podsJob(discovered, { honorLabels: false }),
      podsJob(values.scrapeNamespaces, { honorLabels: true }),
      ...(values.webTlsTargets ?? []).map((target) => podsJob([target.namespace], { honorLabels: false, webTls: target })),
      serviceEndpointsJob(discovered),
      kubeletJob('kubelet'),
      kubeletJob('cadvisor'),
      ...values.settings.externalScrapeJobs.map(externalJob),
    ],
  };
}

/** prometheus.yml of a whole stack config (the form the tests and the promtool check validate). */
export function prometheusConfig(config: StackConfig, topology: Topology): PrometheusConfigFile {
  return prometheusFile(prometheusFileValues(config, topology));
}
