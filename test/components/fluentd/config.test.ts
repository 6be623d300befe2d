import { fluentdNamespaces, fluentdShipsToLoki } from '../../../src/common/log-routing';
import { fluentdConfig, renderFluentd } from '../../../src/components/fluentd/config';
import { stackTopology } from '../../../src/component-list';
import { resolveConfig } from '../../../src/config/loader';

// No fluentd binary is reachable here: the builder's exact text is the test.
test('renders nested directives with two-space indentation', () => {
  expect(renderFluentd([{ name: 'match', arg: 'a.**', params: [['@type', 'stdout']], children: [{ name: 'buffer', params: [['flush_interval', '5s']] }] }])).toBe(
    '<match a.**>\n  @type stdout\n  <buffer>\n    flush_interval 5s\n  </buffer>\n</match>',
  );
});

test('the default config: CRI tail of the training namespace, metadata, JSON parse, Loki output', () => {
  const config = resolveConfig();
  const text = renderFluentd(fluentdConfig(config, stackTopology(config)));
  expect(text).toBe(
    [
      '<system>',
      '  log_level info',
      '  root_dir /var/lib/fluentd/root',
      '</system>',
      '<source>',
      '  @type prometheus',
      '  bind 0.0.0.0',
      '  port 24231',
      '  metrics_path /metrics',
      '</source>',
      '<source>',
      '  @type prometheus_output_monitor',
      '  interval 10',
      '</source>',
      '<source>',
      '  @type tail',
      '  @id containers',
      '  path /var/log/containers/*_fl-training_*.log',
      '  pos_file /var/lib/fluentd/containers.pos',
      '  tag kubernetes.*',
      '  read_from_head true',
      '  follow_inodes true',
      '  <parse>',
      '    @type cri',
      '    merge_cri_fields true',
      '  </parse>',
      '</source>',
      '<filter kubernetes.**>',
      '  @type kubernetes_metadata',
      '  skip_master_url true',
      '  skip_container_metadata true',
      '</filter>',
      '<filter kubernetes.**>',
      '  @type parser',
      '  key_name message',
      '  reserve_data true',
      '  remove_key_name_field false',
      '  emit_invalid_record_to_error false',
      '  <parse>',
      '    @type json',
      '  </parse>',
      '</filter>',
      '<match kubernetes.**>',
      '  @type loki',
      '  url http://loki.fl-monitoring.svc:3100',
      '  extra_labels {"cluster":"minikube","agent":"fluentd"}',
      '  line_format json',
      '  remove_keys kubernetes,docker,stream,logtag',
      '  <label>',
      '    namespace $.kubernetes.namespace_name',
      '    pod $.kubernetes.pod_name',
      '    container $.kubernetes.container_name',
      '    node $.kubernetes.host',
      "    app $['kubernetes']['labels']['app.kubernetes.io/name']",
      '    level $.level',
      '  </label>',
      '  <buffer>',
      '    @type file',
      '    path /var/lib/fluentd/buffer',
      '    flush_interval 5s',
      '    flush_thread_count 2',
      '    chunk_limit_size 1m',
      '    total_limit_size 256m',
      '    retry_max_interval 30s',
      '    retry_forever true',
      '    overflow_action drop_oldest_chunk',
      '  </buffer>',
      '</match>',
    ].join('\n'),
  );
});

test('forward output; no Elasticsearch output, which the image could not run', () => {
  const forward = resolveConfig({ overrides: { fluentd: { output: { type: 'forward', host: 'aggregator.logging', port: 24224 } } } });
  expect(renderFluentd(fluentdConfig(forward, stackTopology(forward)))).toContain('<match kubernetes.**>\n  @type forward\n  <server>\n    host aggregator.logging\n    port 24224\n  </server>');
  expect(() => resolveConfig({ overrides: { fluentd: { output: { type: 'elasticsearch', host: 'es', port: 9200 } } } })).toThrow(
    "fluentd.output.type: Invalid discriminator value. Expected 'loki' | 'forward' (got \"elasticsearch\")",
  );
});

test('streams are shipped to Loki once: Promtail skips the namespaces fluentd ships there', () => {
  const config = resolveConfig();
  expect(fluentdNamespaces(config)).toEqual(['fl-training']);
  expect(fluentdShipsToLoki(config)).toBe(true);
  const forward = resolveConfig({ overrides: { fluentd: { output: { type: 'forward', host: 'x', port: 1 } } } });
  expect(fluentdShipsToLoki(forward)).toBe(false);
});
