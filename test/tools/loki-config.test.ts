/**
 * The generated loki.yaml and promtail.yaml against strict schemas of the keys, types and values of
 * Loki's and Promtail's configuration references (test/tools/loki-schemas.ts). They replace
 * `loki -verify-config` and `promtail -check-syntax`: Loki's module is AGPL and is not built here.
 */
import { lokiConfig } from '../../src/components/loki/config';
import { promtailConfig } from '../../src/components/promtail/config';
import { stackTopology } from '../../src/component-list';
import { resolveConfig } from '../../src/config/loader';
import type { StackConfig } from '../../src/config/schema';
import { LokiConfigSchema, problems, PromtailConfigSchema } from './loki-schemas';

type Doc = Record<string, any>;
const clone = <T>(v: T): T => structuredClone(v);
const loki = (config: StackConfig = resolveConfig()): Doc => lokiConfig(config) as Doc;
const promtail = (config: StackConfig = resolveConfig()): Doc => promtailConfig(config, stackTopology(config)) as Doc;

const VARIANTS: [string, StackConfig][] = [
  ['minikube', resolveConfig({ profile: 'minikube' })],
  ['production', resolveConfig({ profile: 'production' })],
  ['minikube, fluentd off', resolveConfig({ overrides: { fluentd: { enabled: false } } })],
  ['production, fluentd off', resolveConfig({ profile: 'production', overrides: { fluentd: { enabled: false } } })],
  ['retention 720h', resolveConfig({ overrides: { loki: { retention: '720h' } } })],
];

test.each(VARIANTS)('the generated loki.yaml conforms to the Loki 3.7 reference (%s)', (_name, config) => {
  expect(problems(LokiConfigSchema, lokiConfig(config))).toEqual([]);
});

test.each(VARIANTS)('the generated promtail.yaml conforms to the Promtail 3.6 reference (%s)', (_name, config) => {
  expect(problems(PromtailConfigSchema, promtailConfig(config, stackTopology(config)))).toEqual([]);
});

test('the variants differ where they should: fluentd on drops its namespace in Promtail, off does not', () => {
  const on = promtail(resolveConfig()).scrape_configs[0].relabel_configs as Doc[];
  const off = promtail(resolveConfig({ overrides: { fluentd: { enabled: false } } })).scrape_configs[0].relabel_configs as Doc[];
  expect(on.length).toBe(off.length + 1);
  expect(on[0]).toMatchObject({ action: 'drop', source_labels: ['__meta_kubernetes_namespace'] });
});

/** A mutation of a generated loki.yaml and the `path: message` it must be refused with. */
const LOKI_MUTATIONS: [string, (c: Doc) => void, RegExp][] = [
  ['an unknown top-level key', (c) => (c.ingestor = {}), /^\(root\): Unrecognized key: "ingestor"/],
  ['an unknown key in a block (typo)', (c) => (c.compactor.retention_enable = true), /^compactor: Unrecognized key: "retention_enable"/],
  ['schema v12', (c) => (c.schema_config.configs[0].schema = 'v12'), /^schema_config\.configs\.0\.schema: /],
  ['store boltdb (removed)', (c) => (c.schema_config.configs[0].store = 'boltdb'), /^schema_config\.configs\.0\.store: /],
  ['object_store s4', (c) => (c.schema_config.configs[0].object_store = 's4'), /^schema_config\.configs\.0\.object_store: /],
  ['a TSDB index period other than 24h', (c) => (c.schema_config.configs[0].index.period = '168h'), /^schema_config\.configs\.0\.index\.period: the TSDB index period must be 24h/],
  ['a from date that is not YYYY-MM-DD', (c) => (c.schema_config.configs[0].from = '2024/04/01'), /^schema_config\.configs\.0\.from: a day in YYYY-MM-DD/],
  ['retention without delete_request_store', (c) => delete c.compactor.delete_request_store, /^compactor\.delete_request_store: required when compactor\.retention_enabled is true/],
  ['a retention period written in words', (c) => (c.limits_config.retention_period = '30 days'), /^limits_config\.retention_period: a Prometheus-style duration/],
  ['days in a Go-duration field', (c) => (c.compactor.compaction_interval = '1d'), /^compactor\.compaction_interval: a Go duration/],
  ['a log level Loki does not have', (c) => (c.server.log_level = 'trace'), /^server\.log_level: /],
  ['a log format Loki does not have', (c) => (c.server.log_format = 'text'), /^server\.log_format: /],
  ['a ring store Loki does not have', (c) => (c.common.ring.kvstore.store = 'redis'), /^common\.ring\.kvstore\.store: /],
  ['a port as a string', (c) => (c.server.http_listen_port = '3100'), /^server\.http_listen_port: /],
  ['a boolean as a string', (c) => (c.auth_enabled = 'false'), /^auth_enabled: /],
];

test.each(LOKI_MUTATIONS)('a loki.yaml with %s is refused, the path named', (_name, mutate, expected) => {
  const config = clone(loki(resolveConfig({ profile: 'production' })));
  expect(problems(LokiConfigSchema, config)).toEqual([]);
  mutate(config);
  const found = problems(LokiConfigSchema, config);
  expect(found).toHaveLength(1);
  expect(found[0]).toMatch(expected);
});

test('retention switched off needs no delete request store (the companion rule is conditional)', () => {
  const config = clone(loki());
  config.compactor.retention_enabled = false;
  delete config.compactor.delete_request_store;
  expect(problems(LokiConfigSchema, config)).toEqual([]);
});

const PROMTAIL_MUTATIONS: [string, (c: Doc) => void, RegExp][] = [
  ['an unknown top-level key', (c) => (c.client = c.clients), /^\(root\): Unrecognized key: "client"/],
  ['a push URL without the push path', (c) => (c.clients[0].url = 'http://loki.fl-monitoring.svc:3100/'), /^clients\.0\.url: the push API path/],
  ['an external label that is not a label name', (c) => (c.clients[0].external_labels['agent-name'] = 'x'), /^clients\.0\.external_labels\.agent-name: /],
  ['a discovery role Promtail does not have', (c) => (c.scrape_configs[0].kubernetes_sd_configs[0].role = 'pods'), /^scrape_configs\.0\.kubernetes_sd_configs\.0\.role: /],
  ['a relabel action Promtail does not have', (c) => (c.scrape_configs[0].relabel_configs[1].action = 'rename'), /^scrape_configs\.0\.relabel_configs\.1\.action: /],
  ['a replace without target_label', (c) => delete c.scrape_configs[0].relabel_configs[2].target_label, /^scrape_configs\.0\.relabel_configs\.2\.target_label: required for the replace action/],
  ['a regex that does not compile', (c) => (c.scrape_configs[0].relabel_configs[0].regex = 'Pending|(Failed'), /^scrape_configs\.0\.relabel_configs\.0\.regex: not a regular expression/],
  ['an unknown pipeline stage option', (c) => (c.scrape_configs[0].pipeline_stages[0].cri = { partial: true }), /^scrape_configs\.0\.pipeline_stages\.0\.cri: Unrecognized key: "partial"/],
  ['a positions file without a name', (c) => (c.positions = {}), /^positions\.filename: /],
];

test.each(PROMTAIL_MUTATIONS)('a promtail.yaml with %s is refused, the path named', (_name, mutate, expected) => {
  const config = clone(promtail(resolveConfig({ overrides: { fluentd: { enabled: false } } })));
  expect(problems(PromtailConfigSchema, config)).toEqual([]);
  mutate(config);
  const found = problems(PromtailConfigSchema, config);
  expect(found).toHaveLength(1);
  expect(found[0]).toMatch(expected);
});
