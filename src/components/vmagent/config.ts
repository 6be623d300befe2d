import type { StackConfig } from '../../config/schema';
import { AGENT_RETRY_MAX_INTERVAL } from '../../common/sites';
import { parseBytes } from '../../config/values';
import type { ScrapeConfig } from '../../common/scrape-config';
import { VmagentApi } from './api';

/** Where the scrape config is mounted. */
export const CONFIG_DIR = '/etc/vmagent/config';
export const CONFIG_FILE = 'scrape.yml';
/** Where each Secret it reads (credentials, CA) is mounted: one directory per Secret. */
export const SECRETS_DIR = '/etc/vmagent/secrets';
/** The on-disk queue (the PVC). */
export const QUEUE_DIR = '/queue';

/** The promscrape config vmagent reads (`-promscrape.config`). */
export interface VmagentScrapeFile {
  /** `external_labels`: the `site` and `cluster` of every scraped series. */
  readonly global: { readonly scrape_interval: string; readonly external_labels: { readonly site: string; readonly cluster: string } };
  readonly scrape_configs: readonly ScrapeConfig[];
}

/**
 * The stack's pod and Service discovery jobs (`BuildContext.scrapeJobs`: the Prometheus component's, so a
 * site scrapes with the same selectors and relabelling and its series carry the same job, namespace, pod
 * and client_index labels), without the kubelet jobs (node role: a site ships its exporters' view).
 */
export function siteScrapeJobs(stackJobs: readonly ScrapeConfig[]): ScrapeConfig[] {
  return stackJobs.filter((job) => (job.kubernetes_sd_configs ?? []).every((sd) => sd.role !== 'node'));
}

/**
 * scrape.yml of a config. Every series leaves the site with its `site` and `cluster` as external
 * labels of the scrape (not `-remoteWrite.label`: vmagent appends those after sorting the labels,
 * and Thanos Receive refuses unsorted series with a 409 that vmagent does not retry: data lost).
 */
export function vmagentScrapeFile(config: StackConfig, stackJobs: readonly ScrapeConfig[]): VmagentScrapeFile {
  const site = siteName({ settings: config.vmagent, clusterName: config.clusterName });
  return {
    global: { scrape_interval: config.scrapeInterval, external_labels: { site, cluster: config.clusterName } },
    scrape_configs: siteScrapeJobs(stackJobs),
  };
}

/**
 * The namespaces the scrape jobs discover, for the agent's Roles; `undefined` when a job discovers
 * every namespace (a ClusterRole then).
 */
export function discoveredNamespaces(jobs: readonly ScrapeConfig[]): readonly string[] | undefined {
  const sds = jobs.flatMap((job) => job.kubernetes_sd_configs ?? []);
  if (sds.some((sd) => sd.namespaces === undefined)) return undefined;
  return [...new Set(sds.flatMap((sd) => sd.namespaces!.names))];
}

/** The file a Secret key is read from inside the container. */
export function secretFile(ref: { readonly name: string; readonly key: string }): string {
  return `${SECRETS_DIR}/${ref.name}/${ref.key}`;
}

/** The Secrets the agent mounts (each once, in a stable order). */
export function agentSecretNames(settings: StackConfig['vmagent']): string[] {
  const auth = settings.remoteWrite.auth;
  const names: string[] = [];
  if (auth.type === 'clientCertificate') names.push(auth.secret);
  if (auth.type === 'bearer') names.push(auth.token.name);
  if (auth.type === 'basic') names.push(auth.password.name);
  const ca = settings.remoteWrite.tls?.ca;
  if (ca !== undefined) names.push(ca.name);
  return [...new Set(names)];
}

/** What the agent's flags are rendered from. */
export interface VmagentArgsValues {
  /** Its slice of the config; `remoteWrite.url` is set (the schema requires it when enabled). */
  readonly settings: StackConfig['vmagent'];
  /** The `cluster` label, as Prometheus's external label. */
  readonly clusterName: string;
}

/** The site name: the `site` label and tenant (`vmagent.site`, else the cluster name). */
export function siteName(values: VmagentArgsValues): string {
  return values.settings.site ?? values.clusterName;
}

/** vmagent's command-line flags: scrape, label, queue on disk, send with credentials from files. */
export function vmagentArgs(values: VmagentArgsValues): string[] {
  const { settings } = values;
  const rw = settings.remoteWrite;
  const site = siteName(values);
  const auth = rw.auth;
  const authArgs: string[] = [];
  switch (auth.type) {
    case 'clientCertificate':
      authArgs.push(`-remoteWrite.tlsCertFile=${secretFile({ name: auth.secret, key: 'tls.crt' })}`, `-remoteWrite.tlsKeyFile=${secretFile({ name: auth.secret, key: 'tls.key' })}`);
      break;
    case 'bearer':
      authArgs.push(`-remoteWrite.bearerTokenFile=${secretFile(auth.token)}`);
      break;
    case 'basic':
      authArgs.push(`-remoteWrite.basicAuth.username=${auth.username}`, `-remoteWrite.basicAuth.passwordFile=${secretFile(auth.password)}`);
      break;
    case 'none':
      break;
  }
  return [
    `-promscrape.config=${CONFIG_DIR}/${CONFIG_FILE}`,
    `-remoteWrite.url=${rw.url!}`,
    // Thanos Receive speaks the Prometheus remote-write protocol only, and refuses (409, which
    // vmagent does not retry) series whose labels are not sorted, as that protocol requires: the
    // external labels would otherwise come last.
    '-remoteWrite.forcePromProto=true',
    '-sortLabels=true',
    // One sender, so that what waited out an outage reaches the store oldest first: with parallel
    // senders, newer blocks land first and Receive refuses the older ones as out-of-order samples.
    // A site's few thousand series need far less than one sender's throughput.
    '-remoteWrite.queues=1',
    `-remoteWrite.retryMaxInterval=${AGENT_RETRY_MAX_INTERVAL}`,
    `-remoteWrite.headers=${rw.tenantHeader}:${site}`,
    ...authArgs,
    ...(rw.tls?.ca === undefined ? [] : [`-remoteWrite.tlsCAFile=${secretFile(rw.tls.ca)}`]),
    ...(rw.tls?.serverName === undefined ? [] : [`-remoteWrite.tlsServerName=${rw.tls.serverName}`]),
    // What the central store has not acknowledged waits on the volume, across restarts and outages.
    `-remoteWrite.tmpDataPath=${QUEUE_DIR}`,
    `-remoteWrite.maxDiskUsagePerURL=${parseBytes(settings.maxDiskUsage)!}`,
    `-httpListenAddr=:${VmagentApi.port}`,
    '-loggerFormat=json',
  ];
}
