/**
 * What is particular to each program the live harness runs with a generated config file: which
 * keys of its config hold discovery, Service URLs, paths and listen addresses. One table,
 * {@link LOCAL_CONFIGS}, by component; every rewrite keeps rules, relabelling, remote_write queues,
 * alerting, routing and retention as generated.
 */
import { ComponentName, Ports } from '../../src/common/names';
import { hostPort } from './cluster';
import { toStatic, type WithDiscovery } from './kubernetes-sd';
import { relocate, type LocalTransform } from './relocate';

/** The Prometheus config keys the transform reads (a superset of the generated file's type). */
export interface PrometheusConfigInput {
  readonly scrape_configs: readonly (WithDiscovery & { readonly job_name: string })[];
  readonly alerting?: { readonly alertmanagers: readonly WithDiscovery[] };
  readonly [key: string]: unknown;
}

/**
 * prometheus.yml for the local stack: every job and the alertmanagers discover through
 * `static_configs` built from the local cluster; Service URLs (remote_write) and container paths
 * (rule files, credentials) are relocated. Relabelling, rules, remote_write queues and alerting are
 * kept as generated.
 */
export function localPrometheusConfig<T extends PrometheusConfigInput>(config: T, t: LocalTransform): T {
  const vars = t.variables ?? {};
  const withStatic = {
    ...config,
    scrape_configs: config.scrape_configs.map((job) => toStatic(job, t.cluster, `prometheus job ${job.job_name}`, vars)),
    ...(config.alerting !== undefined
      ? { alerting: { ...config.alerting, alertmanagers: config.alerting.alertmanagers.map((am, i) => toStatic(am, t.cluster, `prometheus alertmanagers[${i}]`, vars)) } }
      : {}),
  };
  return relocate(withStatic, t, 'prometheus.yml') as unknown as T;
}

/** The OpenTelemetry Collector config keys the transform reads. */
export interface OtelCollectorConfigInput {
  readonly extensions?: { readonly health_check?: { readonly endpoint?: string; readonly [key: string]: unknown }; readonly [key: string]: unknown };
  readonly service: {
    readonly telemetry?: {
      readonly metrics?: { readonly readers?: readonly { readonly pull?: { readonly exporter?: { readonly prometheus?: { readonly host?: string; readonly port?: number } } } }[]; readonly [key: string]: unknown };
      readonly [key: string]: unknown;
    };
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** The collector's local listen addresses. */
export interface OtelCollectorListen {
  readonly host: string;
  /** The health_check extension's port. */
  readonly healthPort: number;
  /** The port of its own metrics (the telemetry's Prometheus pull reader). */
  readonly metricsPort: number;
}

/**
 * The collector's config.yaml for the local stack: the files it tails, its file_storage directory and
 * the exporter's Service URL relocated (the Loki endpoint through the transform's substitutions), the
 * health_check extension and the own-metrics reader bound to loopback ports. Receivers' operators,
 * processors, queues and retries are left as generated.
 */
export function localOtelCollectorConfig<T extends OtelCollectorConfigInput>(config: T, t: LocalTransform, listen: OtelCollectorListen): T {
  const relocated = relocate(config, t, 'otel-collector config') as OtelCollectorConfigInput;
  const health = relocated.extensions?.health_check;
  if (health === undefined) {
    throw new Error('otel-collector config: no health_check extension to bind (the harness waits on it)');
  }
  const readers = relocated.service.telemetry?.metrics?.readers ?? [];
  const pulls = readers.filter((r) => r.pull?.exporter?.prometheus !== undefined);
  if (pulls.length !== 1) {
    throw new Error(`otel-collector config: expected one Prometheus pull reader for its own metrics, found ${pulls.length}`);
  }
  return {
    ...relocated,
    extensions: { ...relocated.extensions, health_check: { ...health, endpoint: hostPort(listen.host, listen.healthPort) } },
    service: {
      ...relocated.service,
      telemetry: {
        ...relocated.service.telemetry,
        metrics: {
          ...relocated.service.telemetry!.metrics,
          readers: readers.map((r) =>
            r.pull?.exporter?.prometheus === undefined
              ? r
              : { ...r, pull: { ...r.pull, exporter: { ...r.pull.exporter, prometheus: { ...r.pull.exporter.prometheus, host: listen.host, port: listen.metricsPort } } } },
          ),
        },
      },
    },
  } as unknown as T;
}

/** alertmanager.yml for the local stack: receiver secret files relocated; routing untouched. */
export function localAlertmanagerConfig<T extends object>(config: T, t: LocalTransform): T {
  return relocate(config, t, 'alertmanager.yml');
}

/** Where a program's own listeners are bound locally. */
export interface LocalListen {
  /** The loopback address every listener binds to. */
  readonly host: string;
  /** The local port standing for one of the pod's container ports. */
  portOf(containerPort: number): number;
}

/** A program's config file (parsed) rewritten for the local stack. */
export type LocalConfigRewrite = (config: unknown, t: LocalTransform, listen: LocalListen) => unknown;

/** The rewrite of each program that runs locally with a generated config file, by component. */
export const LOCAL_CONFIGS: Readonly<Partial<Record<ComponentName, LocalConfigRewrite>>> = {
  [ComponentName.PROMETHEUS]: (config, t) => localPrometheusConfig(config as PrometheusConfigInput, t),
  [ComponentName.ALERTMANAGER]: (config, t) => localAlertmanagerConfig(config as object, t),
  [ComponentName.OTEL_COLLECTOR]: (config, t, listen) =>
    localOtelCollectorConfig(config as OtelCollectorConfigInput, t, {
      host: listen.host,
      healthPort: listen.portOf(Ports.otelCollectorHealth),
      metricsPort: listen.portOf(Ports.otelCollectorMetrics),
    }),
};
