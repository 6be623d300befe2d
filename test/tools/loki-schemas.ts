/**
 * Strict schemas for exactly the subset of Loki's and Promtail's configuration files that
 * src/components/loki/config.ts and src/components/promtail/config.ts generate. They stand in for
 * `loki -verify-config` and `promtail -check-syntax`: Loki (grafana/loki/v3) is AGPL and is no longer
 * built or run by the tests (issue 14).
 *
 * Every key, type, allowed value and companion rule below is a fact from the upstream configuration
 * references (read, not copied):
 *  - Loki: grafana/loki docs/sources/shared/configuration.md (the "Grafana Loki configuration
 *    parameters" page, /docs/loki/v3.7.x/reference/loki-config-ref/; the deployed image is 3.7.x)
 *    and docs/sources/operations/storage/schema.md + logs-deletion.md for the schema and retention
 *    rules;
 *  - Promtail: grafana/loki docs/sources/send-data/promtail/configuration.md (Promtail 3.6.x, the
 *    deployed image), which defers relabel_config to Prometheus' relabelling.
 *
 * Strict objects: a key the reference does not define for that block (or one this stack does not
 * generate) fails with its path. That is deliberately narrower than what Loki accepts: a new key in
 * the builders must be looked up in the reference and added here.
 */
import { z } from 'zod';

/**
 * Loki's two duration syntaxes (configuration.md, "Generic placeholders"):
 *  - Prometheus-style fields (model.Duration, e.g. limits_config.retention_period, whose defaults are
 *    written `1w`, `30d1h`): units ms, s, m, h, d, w, y;
 *  - Go-native fields (time.Duration, e.g. compactor.compaction_interval, default `10m`): units ns,
 *    us, µs, ms, s, m, h, not d, w or y.
 * `0` is allowed without a unit in both.
 */
const PROM_DURATION = /^(0|(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$/;
const GO_DURATION = /^(0|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/;
const promDuration = z.string().regex(PROM_DURATION, 'a Prometheus-style duration (ms, s, m, h, d, w, y units)').refine((s) => s !== '', 'an empty duration');
const goDuration = z.string().regex(GO_DURATION, 'a Go duration (ns, us, µs, ms, s, m, h units; no d, w, y)');
const port = z.number().int().min(0).max(65535);
const path = z.string().min(1);
/** `<labelname>`: `[a-zA-Z_][a-zA-Z0-9_]*` (both references, "Generic placeholders"). */
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a label name ([a-zA-Z_][a-zA-Z0-9_]*)');

/**
 * server block. Loki's reference: "Valid levels: [debug, info, warn, error]", "Valid formats: [logfmt,
 * json]". Promtail's server block lists log_level with the same values but not log_format; Promtail
 * embeds the same server configuration (the removed `promtail -check-syntax` test accepted it).
 */
const serverBase = {
  http_listen_address: z.string().optional(),
  http_listen_port: port,
  grpc_listen_address: z.string().optional(),
  grpc_listen_port: port,
  log_level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
  log_format: z.enum(['logfmt', 'json']).optional(),
};

/** Ring kvstore backends: "Supported values are: consul, etcd, inmemory, memberlist, multi". */
const kvstore = z.strictObject({ store: z.enum(['consul', 'etcd', 'inmemory', 'memberlist', 'multi']) });

/**
 * period_config: `from` is a day in YYYY-MM-DD; `store` is tsdb or boltdb-shipper (the others are
 * deprecated); the chunks' `object_store` one of the listed stores (named stores are not generated);
 * `schema` v13 is the recommended schema (older ones exist but TSDB wants v13 here); the TSDB index
 * `period` must be 24h (schema.md: "period: must be 24h").
 */
const periodConfig = z
  .strictObject({
    from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day in YYYY-MM-DD format'),
    store: z.enum(['tsdb', 'boltdb-shipper']),
    object_store: z.enum(['aws', 's3', 'azure', 'gcs', 'alibabacloud', 'bos', 'cos', 'swift', 'filesystem']),
    schema: z.enum(['v13']),
    index: z.strictObject({ prefix: z.string().regex(/^\S*$/, 'no spaces'), period: goDuration }),
  })
  .superRefine((p, ctx) => {
    if (p.store === 'tsdb' && p.index.period !== '24h') {
      ctx.addIssue({ code: 'custom', path: ['index', 'period'], message: 'the TSDB index period must be 24h' });
    }
  });

/** The loki.yaml this stack generates (single binary, filesystem, TSDB v13, compactor retention). */
export const LokiConfigSchema = z
  .strictObject({
    auth_enabled: z.boolean(),
    server: z.strictObject(serverBase),
    common: z.strictObject({
      path_prefix: path,
      replication_factor: z.number().int().min(1),
      ring: z.strictObject({ kvstore, instance_addr: z.string().optional() }),
      storage: z.strictObject({ filesystem: z.strictObject({ chunks_directory: path, rules_directory: path }) }),
    }),
    schema_config: z.strictObject({ configs: z.array(periodConfig).min(1) }),
    storage_config: z.strictObject({ tsdb_shipper: z.strictObject({ active_index_directory: path, cache_location: path }) }),
    limits_config: z.strictObject({
      retention_period: promDuration,
      reject_old_samples: z.boolean(),
      reject_old_samples_max_age: promDuration,
      allow_structured_metadata: z.boolean(),
      volume_enabled: z.boolean(),
      // limits_config.otlp_config (reference: "otlp_config" block; send-data/otel): per attribute
      // kind, a list of {action, attributes | regex}; actions index_label, structured_metadata, drop.
      otlp_config: z.strictObject({
        resource_attributes: z.strictObject({
          ignore_defaults: z.boolean().optional(),
          attributes_config: z.array(
            z.strictObject({
              action: z.enum(['index_label', 'structured_metadata', 'drop']),
              attributes: z.array(z.string().min(1)).min(1).optional(),
              regex: z.string().optional(),
            }).refine((a) => (a.attributes === undefined) !== (a.regex === undefined), { message: 'exactly one of attributes and regex' }),
          ),
        }),
      }).optional(),
    }),
    compactor: z.strictObject({
      working_directory: path,
      compaction_interval: goDuration,
      retention_enabled: z.boolean(),
      retention_delete_delay: goDuration,
      // "Store used for managing delete requests": one of the object stores.
      delete_request_store: z.enum(['aws', 's3', 'azure', 'gcs', 'alibabacloud', 'bos', 'cos', 'swift', 'filesystem']).optional(),
    }),
    ruler: z.strictObject({ enable_api: z.boolean() }),
    analytics: z.strictObject({ reporting_enabled: z.boolean() }),
  })
  .superRefine((c, ctx) => {
    // logs-deletion.md: "delete_request_store also needs to be configured when retention is enabled".
    if (c.compactor.retention_enabled && c.compactor.delete_request_store === undefined) {
      ctx.addIssue({ code: 'custom', path: ['compactor', 'delete_request_store'], message: 'required when compactor.retention_enabled is true' });
    }
  });

/** `<relabel_action>` values of the Promtail reference (its relabel_config is Prometheus'). */
const relabelAction = z.enum(['replace', 'keep', 'drop', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep']);

const relabelConfig = z
  .strictObject({
    source_labels: z.array(labelName).optional(),
    separator: z.string().optional(),
    target_label: z.string().optional(),
    regex: z.string().optional(),
    replacement: z.string().optional(),
    action: relabelAction.optional(),
  })
  .superRefine((r, ctx) => {
    // "target_label ... is mandatory for replace actions" (replace is the default action).
    if ((r.action ?? 'replace') === 'replace' && r.target_label === undefined) {
      ctx.addIssue({ code: 'custom', path: ['target_label'], message: 'required for the replace action' });
    }
    // `__path__`, `__address__` … are internal labels; anything else must be a label name.
    if (r.target_label !== undefined && !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(r.target_label)) {
      ctx.addIssue({ code: 'custom', path: ['target_label'], message: 'a label name ([a-zA-Z_][a-zA-Z0-9_]*)' });
    }
    if (r.regex !== undefined) {
      try {
        // RE2 is close enough to JavaScript's syntax for the patterns generated here (alternations).
        new RegExp(`^(?:${r.regex})$`);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['regex'], message: `not a regular expression: ${(err as Error).message}` });
      }
    }
  });

/** kubernetes_sd_config: "`<role>` must be endpoints, service, pod, node, or ingress". */
const kubernetesRole = z.enum(['endpoints', 'service', 'pod', 'node', 'ingress']);

/** The promtail.yaml this stack generates (Kubernetes pods of this node, CRI stage, one client). */
export const PromtailConfigSchema = z.strictObject({
  server: z.strictObject(serverBase),
  positions: z.strictObject({ filename: path }),
  clients: z
    .array(
      z.strictObject({
        // "Path to the push API needs to be included".
        url: z.url({ protocol: /^https?$/ }).refine((u) => new URL(u).pathname.endsWith('/loki/api/v1/push'), 'the push API path /loki/api/v1/push'),
        external_labels: z.record(labelName, z.string()).optional(),
      }),
    )
    .min(1),
  scrape_configs: z
    .array(
      z.strictObject({
        job_name: z.string().min(1),
        kubernetes_sd_configs: z
          .array(
            z.strictObject({
              role: kubernetesRole,
              selectors: z.array(z.strictObject({ role: kubernetesRole, field: z.string().optional(), label: z.string().optional() })).optional(),
            }),
          )
          .optional(),
        // The cri stage with its defaults (no options generated).
        pipeline_stages: z.array(z.strictObject({ cri: z.strictObject({}) })).optional(),
        relabel_configs: z.array(relabelConfig).optional(),
      }),
    )
    .min(1),
});

/** Each problem of a config against a schema, as `path: message` (empty when it conforms). */
export function problems(schema: z.ZodType, config: unknown): string[] {
  const r = schema.safeParse(config);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}
