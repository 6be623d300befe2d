import type { StackConfig } from '../../config/schema';
import { ComponentName } from '../../common/names';
import { endpointUrl, Scheme, serviceHost, type Endpoint } from '../../common/topology';
import { webTlsClientConfig } from '../../common/web-tls';
import { ThanosApi } from './api';

/** The external label each Receive replica adds to its series; Query and the Compactor deduplicate on it. */
export const RECEIVE_REPLICA_LABEL = 'receive_replica';
/** The label that carries a write's tenant (the site) on every series Receive stores. */
export const TENANT_LABEL = 'tenant';

/** Mount points inside the Thanos containers. */
export const ThanosPaths = {
  objstoreDir: '/etc/thanos/objstore',
  hashringDir: '/etc/thanos/hashring',
  hashringFile: 'hashrings.json',
  tlsDir: '/etc/thanos/tls',
  dataDir: '/var/thanos/data',
} as const;

/**
 * How late a sample may arrive and still be stored. A site's agent sends its queue oldest first,
 * but one restarted during an outage puts the block it was retrying back at the end of its queue:
 * that block arrives after newer ones, as late as the outage lasted. Without this window Receive
 * refuses it as out-of-order (409) and the agent drops it.
 */
export const RECEIVE_OUT_OF_ORDER_WINDOW = '1h';

/** The name of the hashring (one ring: every tenant shares it). */
const HASHRING = 'default';

/** What the Thanos flags are rendered from: the `thanos` slice and where its pods live. */
export interface ThanosValues {
  readonly settings: StackConfig['thanos'];
  /** The namespace of the Thanos pods (their DNS names). */
  readonly namespace: string;
}

/** `host:port` of Receive replica `i`'s gRPC endpoint: its stable StatefulSet DNS name. */
export function receiveEndpoint(values: ThanosValues, i: number): string {
  const name = ComponentName.THANOS_RECEIVE;
  return `${name}-${i}.${name}-headless.${values.namespace}.svc:${ThanosApi.grpc}`;
}

/** The Store Gateway's gRPC endpoint (its Service). */
export function storeEndpoint(values: ThanosValues): string {
  return `${ComponentName.THANOS_STORE}.${values.namespace}.svc:${ThanosApi.grpc}`;
}

/** One hashring of Receive's hashrings file. */
export interface Hashring {
  readonly hashring: string;
  readonly endpoints: readonly string[];
}

/** hashrings.json: one ring of every replica; the replication factor spreads each series over that many of them. */
export function hashrings(values: ThanosValues): Hashring[] {
  return [{ hashring: HASHRING, endpoints: Array.from({ length: values.settings.receive.replicas }, (_, i) => receiveEndpoint(values, i)) }];
}

/** The object storage file, from its Secret. */
function objstoreArg(settings: StackConfig['thanos']): string {
  return `--objstore.config-file=${ThanosPaths.objstoreDir}/${settings.objectStorage.key}`;
}

const listen = (): string[] => [`--http-address=0.0.0.0:${ThanosApi.http}`, `--grpc-address=0.0.0.0:${ThanosApi.grpc}`, '--log.format=json'];

/**
 * `thanos receive`: the remote-write endpoint over mutual TLS (the site is the client certificate's
 * CommonName, stored as the `tenant` label), a replica of the hashring (`$(POD_NAME)` from the
 * environment), uploading its blocks to the bucket.
 */
export function receiveArgs(values: ThanosValues): string[] {
  const r = values.settings.receive;
  return [
    'receive',
    ...listen(),
    `--remote-write.address=0.0.0.0:${ThanosApi.remoteWrite}`,
    `--remote-write.server-tls-cert=${ThanosPaths.tlsDir}/tls.crt`,
    `--remote-write.server-tls-key=${ThanosPaths.tlsDir}/tls.key`,
    `--remote-write.server-tls-client-ca=${ThanosPaths.tlsDir}/ca.crt`,
    '--receive.tenant-certificate-field=commonName',
    `--receive.tenant-label-name=${TENANT_LABEL}`,
    `--receive.hashrings-file=${ThanosPaths.hashringDir}/${ThanosPaths.hashringFile}`,
    '--receive.hashrings-algorithm=ketama',
    `--receive.local-endpoint=$(POD_NAME).${ComponentName.THANOS_RECEIVE}-headless.${values.namespace}.svc:${ThanosApi.grpc}`,
    `--receive.replication-factor=${r.replicationFactor}`,
    // Replication goes over gRPC; the Cap'n Proto server Receive always starts stays on the pod's loopback.
    `--receive.capnproto-address=127.0.0.1:${ThanosApi.capnproto}`,
    `--label=${RECEIVE_REPLICA_LABEL}="$(POD_NAME)"`,
    `--tsdb.path=${ThanosPaths.dataDir}`,
    `--tsdb.retention=${r.retention}`,
    `--tsdb.out-of-order.time-window=${RECEIVE_OUT_OF_ORDER_WINDOW}`,
    objstoreArg(values.settings),
  ];
}

/** `thanos query`: PromQL over every Receive replica and the Store Gateway, replicas deduplicated. */
export function queryArgs(values: ThanosValues): string[] {
  return [
    'query',
    ...listen(),
    ...hashrings(values)[0].endpoints.map((e) => `--endpoint=${e}`),
    `--endpoint=${storeEndpoint(values)}`,
    `--query.replica-label=${RECEIVE_REPLICA_LABEL}`,
    // Receive's replicas hold the same samples (not independent scrapes): merge them 1:1. The
    // default penalty algorithm sticks to one replica through short gaps (a replica that was down,
    // a write that reached the other replica only) and would hide samples the other one has.
    '--deduplication.func=chain',
    '--query.auto-downsampling',
  ];
}

/** `thanos store`: serves the bucket's blocks (its volume caches their indexes). */
export function storeArgs(values: ThanosValues): string[] {
  return ['store', ...listen(), `--data-dir=${ThanosPaths.dataDir}`, objstoreArg(values.settings)];
}

/** Where Thanos Rule reads the federation's rule files. */
export const RULES_DIR = '/etc/thanos/rules';

/** The external label of Thanos Rule's replicas, dropped from the alerts it sends. */
export const RULE_REPLICA_LABEL = 'rule_replica';

/** What `thanos rule` needs beyond the Thanos slice: where it queries and where its alerts go. */
export interface RuleValues extends ThanosValues {
  /** Thanos Query's Service (`host:port`, HTTP). */
  readonly query: string;
  /** Alertmanager's Service. @default - Alertmanager is not deployed: alerts go nowhere */
  readonly alertmanager?: Endpoint;
  readonly evaluationInterval: string;
}

/**
 * Where Thanos Rule sends alerts: Alertmanager's Service URL, or, where it serves the web certificate
 * (`webTls`), the alerting config (inline YAML, here JSON) that verifies it with the mounted CA.
 */
function alertmanagersArg(alertmanager: Endpoint): string {
  if (alertmanager.scheme !== Scheme.HTTPS) return `--alertmanagers.url=${endpointUrl(alertmanager)}`;
  const config = {
    alertmanagers: [
      {
        scheme: Scheme.HTTPS,
        api_version: 'v2',
        static_configs: [`${serviceHost(alertmanager)}:${alertmanager.port}`],
        http_config: { tls_config: webTlsClientConfig(alertmanager) },
      },
    ],
  };
  return `--alertmanagers.config=${JSON.stringify(config)}`;
}

/** `thanos rule`: evaluates the federation's rules over Query (every site's series), alerts to Alertmanager. */
export function ruleArgs(values: RuleValues): string[] {
  return [
    'rule',
    ...listen(),
    `--data-dir=${ThanosPaths.dataDir}`,
    `--rule-file=${RULES_DIR}/*.yaml`,
    `--query=${values.query}`,
    ...(values.alertmanager === undefined ? [] : [alertmanagersArg(values.alertmanager)]),
    `--eval-interval=${values.evaluationInterval}`,
    `--label=${RULE_REPLICA_LABEL}="$(POD_NAME)"`,
    `--alert.label-drop=${RULE_REPLICA_LABEL}`,
  ];
}

/** `thanos compact`: compacts, deduplicates the replicas' blocks, downsamples and applies retention, continuously. */
export function compactArgs(values: ThanosValues): string[] {
  const retention = values.settings.compact.retention;
  return [
    'compact',
    '--wait',
    `--http-address=0.0.0.0:${ThanosApi.http}`,
    '--log.format=json',
    `--data-dir=${ThanosPaths.dataDir}`,
    objstoreArg(values.settings),
    `--deduplication.replica-label=${RECEIVE_REPLICA_LABEL}`,
    // Merges the replicas' overlapping blocks, and those of late (out-of-order) samples.
    '--compact.enable-vertical-compaction',
    `--retention.resolution-raw=${retention.raw}`,
    `--retention.resolution-5m=${retention.fiveMinutes}`,
    `--retention.resolution-1h=${retention.oneHour}`,
  ];
}
