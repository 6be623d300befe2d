import type { StackConfig } from '../../config/schema';
import { CONTAINER_LOGS_DIR, logShipping, type LogShipping } from '../../common/log-agent';
import { ComponentName, Ports } from '../../common/names';
import { fluentdNamespaces } from '../../common/log-routing';
import { endpointUrl, type Topology } from '../../common/topology';

/** One fluentd directive: `<name arg> params… children… </name>`. */
export interface FluentdDirective {
  readonly name: string;
  readonly arg?: string;
  readonly params: readonly (readonly [string, string | number | boolean])[];
  readonly children?: readonly FluentdDirective[];
}

function d(name: string, arg: string | undefined, params: FluentdDirective['params'], children: FluentdDirective[] = []): FluentdDirective {
  return { name, ...(arg === undefined ? {} : { arg }), params, children };
}

/** Renders directives as fluentd configuration text, two spaces per level. */
export function renderFluentd(directives: readonly FluentdDirective[], depth = 0): string {
  const pad = '  '.repeat(depth);
  return directives
    .map((dir) => {
      const open = `${pad}<${dir.name}${dir.arg === undefined ? '' : ` ${dir.arg}`}>`;
      const params = dir.params.map(([k, v]) => `${pad}  ${k} ${String(v)}`);
      const children = dir.children === undefined || dir.children.length === 0 ? [] : [renderFluentd(dir.children, depth + 1)];
      return [open, ...params, ...children, `${pad}</${dir.name}>`].join('\n');
    })
    .join('\n');
}

/** The path of fluentd's own metrics (its `prometheus` source), also its probes' path. */
export const FLUENTD_METRICS_PATH = '/metrics';

/** Where fluentd keeps positions and buffers on the node, so a restart neither loses nor repeats logs. */
export const FLUENTD_STATE_DIR = '/var/lib/fluentd';

function output(values: FluentdFileValues): FluentdDirective {
  const buffer = d('buffer', undefined, [
    ['@type', 'file'],
    ['path', `${FLUENTD_STATE_DIR}/buffer`],
    ['flush_interval', '5s'],
    ['flush_thread_count', 2],
    ['chunk_limit_size', '1m'],
    ['total_limit_size', '256m'],
    ['retry_max_interval', '30s'],
    ['retry_forever', true],
    ['overflow_action', 'drop_oldest_chunk'],
  ]);
  const out = values.settings.output;
  switch (out.type) {
    case 'loki':
      return d('match', 'kubernetes.**', [
        ['@type', 'loki'],
        ['url', endpointUrl(values.shipping.loki)],
        ['extra_labels', JSON.stringify({ cluster: values.shipping.clusterName, agent: ComponentName.FLUENTD })],
        ['line_format', 'json'],
        ['remove_keys', 'kubernetes,docker,stream,logtag'],
      ], [
        d('label', undefined, [
          ['namespace', '$.kubernetes.namespace_name'],
          ['pod', '$.kubernetes.pod_name'],
          ['container', '$.kubernetes.container_name'],
          ['node', '$.kubernetes.host'],
          ['app', "$['kubernetes']['labels']['app.kubernetes.io/name']"],
          ['level', '$.level'],
        ]),
        buffer,
      ]);
    case 'forward':
      return d('match', 'kubernetes.**', [['@type', 'forward']], [d('server', undefined, [['host', out.host], ['port', out.port]]), buffer]);
  }
}

/** What fluent.conf is rendered from, resolved once. */
export interface FluentdFileValues {
  /** Its slice of the config: the output. */
  readonly settings: StackConfig['fluentd'];
  /** Where the `loki` output ships. */
  readonly shipping: LogShipping;
  /** The namespaces whose containers it tails: the FL workloads' ({@link fluentdNamespaces}). */
  readonly namespaces: readonly string[];
}

/** The {@link FluentdFileValues} of a config. */
export function fluentdFileValues(config: StackConfig, topology: Topology): FluentdFileValues {
  return { settings: config.fluentd, shipping: logShipping(config, topology), namespaces: fluentdNamespaces(config) };
}

/**
 * fluent.conf: tail the containers of the FL namespaces with the CRI parser, add Kubernetes
 * metadata, parse the workloads' JSON lines, ship them; expose fluentd's own metrics for Prometheus.
 */
export function fluentdFile(values: FluentdFileValues): FluentdDirective[] {
  const paths = values.namespaces.map((ns) => `${CONTAINER_LOGS_DIR}/*_${ns}_*.log`).join(',');
  return [
    d('system', undefined, [['log_level', 'info'], ['root_dir', `${FLUENTD_STATE_DIR}/root`]]),
    d('source', undefined, [['@type', 'prometheus'], ['bind', '0.0.0.0'], ['port', Ports.fluentdMetrics], ['metrics_path', FLUENTD_METRICS_PATH]]),
    d('source', undefined, [['@type', 'prometheus_output_monitor'], ['interval', 10]]),
    d('source', undefined, [
      ['@type', 'tail'],
      ['@id', 'containers'],
      ['path', paths],
      ['pos_file', `${FLUENTD_STATE_DIR}/containers.pos`],
      ['tag', 'kubernetes.*'],
      ['read_from_head', true],
      ['follow_inodes', true],
    ], [d('parse', undefined, [['@type', 'cri'], ['merge_cri_fields', true]])]),
    d('filter', 'kubernetes.**', [['@type', 'kubernetes_metadata'], ['skip_master_url', true], ['skip_container_metadata', true]]),
    // The FL workloads log one JSON object per line: lift its fields (level, round, client_id, …).
    d('filter', 'kubernetes.**', [['@type', 'parser'], ['key_name', 'message'], ['reserve_data', true], ['remove_key_name_field', false], ['emit_invalid_record_to_error', false]], [
      d('parse', undefined, [['@type', 'json']]),
    ]),
    output(values),
  ];
}

/** fluent.conf of a whole stack config (the form the tests check). */
export function fluentdConfig(config: StackConfig, topology: Topology): FluentdDirective[] {
  return fluentdFile(fluentdFileValues(config, topology));
}
