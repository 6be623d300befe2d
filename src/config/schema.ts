import { z } from 'zod';
import {
  BYTES_PATTERN,
  CPU_PATTERN,
  DNS_LABEL_PATTERN,
  HOST_PATTERN,
  IMAGE_PATTERN,
  isLabelKey,
  isLabelValue,
  MAX_DURATION_MS,
  maxRoundSeconds,
  parseBytes,
  parseCpuMillis,
  parseDuration,
} from './values';

/**
 * The schema of the fully merged stack config (defaults ⊕ profile ⊕ file). Every object is strict:
 * an unknown key is an error, so a typo never silently does nothing.
 */

export const PROFILES = ['minikube', 'production'] as const;
export const Profile = z.enum(PROFILES);
export type Profile = z.infer<typeof Profile>;

export const Severity = z.enum(['critical', 'warning', 'info']);
export type Severity = z.infer<typeof Severity>;

export const FlStrategy = z.enum(['fedavg', 'fedprox', 'fedadam']);
export type FlStrategy = z.infer<typeof FlStrategy>;

export const RoundFailurePolicy = z.enum(['continue', 'fail']);
export type RoundFailurePolicy = z.infer<typeof RoundFailurePolicy>;

const duration = z
  .string()
  .refine((v) => parseDuration(v) !== undefined, { message: 'must be a positive duration such as 30s, 5m, 15d' })
  .refine((v) => (parseDuration(v) ?? 0) <= MAX_DURATION_MS, { message: 'is longer than Prometheus and Go accept (292y)' });
const cpu = z
  .string()
  .regex(CPU_PATTERN, { message: 'must be a CPU quantity such as 100m or 0.5' })
  .refine((v) => parseCpuMillis(v) !== undefined, { message: 'must be greater than zero' });
const bytes = z
  .string()
  .regex(BYTES_PATTERN, { message: 'must be a positive size in Ki, Mi, Gi or Ti, such as 512Mi' })
  .refine((v) => parseBytes(v) !== undefined, { message: 'must be greater than zero' });
const image = z.string().regex(IMAGE_PATTERN, {
  message: 'must be an image reference repository:tag or repository@sha256:digest',
}).refine((v) => !v.endsWith(':latest'), { message: 'must be pinned: the tag latest is not allowed' });
const dnsLabel = z.string().regex(DNS_LABEL_PATTERN, { message: 'must be a lowercase RFC 1123 name' });
/** Namespaces Kubernetes or its users own: the stack labels its namespaces and puts default-deny policies in them. */
export const RESERVED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;
const ownNamespace = dnsLabel.refine((v) => !(RESERVED_NAMESPACES as readonly string[]).includes(v), {
  message: `is reserved (${RESERVED_NAMESPACES.join(', ')}): the stack sets Pod Security labels and default-deny policies on its namespaces`,
});
const LABEL_KEY_RULE = 'a Kubernetes label key: [prefix/]name, name up to 63 of A-Z a-z 0-9 - _ .';
const labelKey = z.string().refine(isLabelKey, { message: `must be ${LABEL_KEY_RULE}` });
const labelValue = z.string().refine(isLabelValue, { message: 'must be a Kubernetes label value: up to 63 of A-Z a-z 0-9 - _ ., starting and ending alphanumeric' });
const labelMap = z.record(z.string(), labelValue).superRefine((labels, ctx) => {
  for (const key of Object.keys(labels).filter((k) => !isLabelKey(k))) {
    ctx.addIssue({ code: 'custom', message: `key ${JSON.stringify(key)} is not ${LABEL_KEY_RULE}` });
  }
});
/** A key of a Secret's data, as the API server validates it. */
const secretKey = z.string().regex(/^[-._a-zA-Z0-9]+$/, { message: 'must be a Secret key' }).max(253);
/** A host name or IPv4 address, which config files take unquoted. */
const host = z.string().regex(HOST_PATTERN, { message: 'must be a host name (RFC 1123) or an IPv4 address' });

export const Resources = z.strictObject({
  requests: z.strictObject({ cpu, memory: bytes }),
  limits: z.strictObject({ cpu, memory: bytes }),
});
export type Resources = z.infer<typeof Resources>;

export const Storage = z.strictObject({
  /** PVC size. */
  size: bytes,
  /** Storage class; omitted means the cluster default. */
  storageClass: dnsLabel.optional(),
});
export type Storage = z.infer<typeof Storage>;

const componentBase = {
  enabled: z.boolean(),
  /** Overrides the pinned image of versions.json. */
  image: image.optional(),
  resources: Resources,
};

const replicas = z.number().int().min(1).max(10);

export const Toleration = z
  .strictObject({
    key: labelKey,
    operator: z.enum(['Exists', 'Equal']),
    value: labelValue.optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
  })
  .superRefine((t, ctx) => {
    if (t.operator === 'Exists' && (t.value ?? '') !== '') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be empty when operator is Exists (the API server refuses it)' });
    }
  });

export const SecretKeyRef = z.strictObject({
  /** Name of a Secret in the namespace of the component that reads it. */
  name: dnsLabel,
  key: secretKey,
});
export type SecretKeyRef = z.infer<typeof SecretKeyRef>;

export const Receiver = z.discriminatedUnion('type', [
  z.strictObject({ name: dnsLabel, type: z.literal('webhook'), url: SecretKeyRef }),
  z.strictObject({ name: dnsLabel, type: z.literal('slack'), channel: z.string().regex(/^#[a-z0-9_-]+$/), apiUrl: SecretKeyRef }),
  z.strictObject({
    name: dnsLabel,
    type: z.literal('email'),
    to: z.email(),
    from: z.email(),
    smarthost: z.string().regex(/^[a-zA-Z0-9.-]+:\d+$/, { message: 'must be host:port' }),
    authUsername: z.string().regex(/^\S{1,256}$/, { message: 'must be a user name without spaces or control characters' }),
    authPassword: SecretKeyRef,
  }),
  /** PagerDuty Events API v2; the routing (integration) key is read from the Secret file. */
  z.strictObject({ name: dnsLabel, type: z.literal('pagerduty'), routingKey: SecretKeyRef }),
  /** Opsgenie; the API key is read from the Secret file. */
  z.strictObject({ name: dnsLabel, type: z.literal('opsgenie'), apiKey: SecretKeyRef }),
  /** Microsoft Teams (Workflows/Power Automate webhook); the webhook URL is read from the Secret file. */
  z.strictObject({ name: dnsLabel, type: z.literal('msteams'), webhookUrl: SecretKeyRef }),
]);
export type Receiver = z.infer<typeof Receiver>;

export const Thresholds = z.strictObject({
  /** AccuracyDropped fires below this accuracy. */
  accuracyMin: z.number().gt(0).lt(1),
  /**
   * RoundDurationHigh fires when the p95 round duration exceeds this many seconds; it must be below
   * 2 × fl.roundTimeout, the top bucket of the round-duration histogram. @default - fl.roundTimeout in seconds
   */
  roundDurationP95Seconds: z.number().positive().optional(),
  /** TrainingStalled fires when no round completed for this long. */
  trainingStalledFor: duration,
  /** GpuTemperatureHigh fires above this temperature, °C. */
  gpuTemperatureCelsius: z.number().min(40).max(120),
  /** GpuIdleWhileTraining fires below this utilisation, percent. */
  gpuIdleUtilizationPercent: z.number().min(0).max(100),
  /** Node pressure alerts fire above these fractions. */
  nodeCpuUtilization: z.number().gt(0).lt(1),
  nodeMemoryUtilization: z.number().gt(0).lt(1),
  nodeDiskUtilization: z.number().gt(0).lt(1),
  /** OtelCollectorQueueNearlyFull fires when a send queue is fuller than this fraction of its capacity. @default 0.8 */
  logQueueUtilization: z.number().gt(0).lt(1),
  /** HighGPUMemoryUsage fires when a GPU's framebuffer is fuller than this fraction. @default 0.95 */
  gpuMemoryUtilization: z.number().gt(0).lt(1),
  /** PersistentVolumeLowOnSpace fires when a volume of the stack has less than this fraction free. @default 0.1 */
  volumeFreeRatio: z.number().gt(0).lt(1),
  /** PersistentVolumeFillingUp fires when a volume's trend says it fills within this time. @default '4h' */
  volumeFullWithin: duration,
});
export type Thresholds = z.infer<typeof Thresholds>;

export const StackConfigSchema = z
  .strictObject({
    profile: Profile,
    /** Added as the `cluster` external label to every series. */
    clusterName: dnsLabel,
    namespaces: z.strictObject({
      /** Prometheus, Alertmanager, Grafana, Loki, VictoriaMetrics, kube-state-metrics. */
      monitoring: ownNamespace,
      /** Node agents that need host access: node-exporter, otel-collector, promtail, fluentd, dcgm-exporter. */
      agents: ownNamespace,
      /** The FL server and clients. */
      training: ownNamespace,
    }),
    scrapeInterval: duration,
    evaluationInterval: duration,
    /**
     * Base of every alert's `runbook_url` (`<base>/<AlertName>.md`): an http(s) URL where docs/runbooks/
     * is served, or that path relative to the repository. @default 'docs/runbooks'
     */
    runbookBaseUrl: z.union([z.url({ protocol: /^https?$/ }), z.string().regex(/^[a-z0-9_-]+(\/(?!\.+(\/|$))[a-z0-9._-]+)*$/)], {
      message: 'must be an http(s) URL or a repository-relative path such as docs/runbooks',
    }),
    prometheus: z.strictObject({ ...componentBase, replicas, storage: Storage, retention: duration, retentionSize: bytes }),
    alertmanager: z.strictObject({
      ...componentBase,
      replicas,
      storage: Storage,
      receivers: z.array(Receiver),
      /** Receiver per severity; `null` drops alerts of that severity. */
      routes: z.strictObject({ critical: dnsLabel.nullable(), warning: dnsLabel.nullable(), info: dnsLabel.nullable() }),
      /** Receivers by the alerts' `team` label, checked before the severity routes. @default [] */
      teamRoutes: z.array(z.strictObject({ team: z.string().regex(/^[A-Za-z0-9._-]+$/, { message: 'must be a plain team name' }), receiver: dnsLabel })),
      /** The receiver of the always-firing Watchdog (a dead man's switch service); `null` drops it. @default null */
      deadMansSwitch: dnsLabel.nullable(),
      groupWait: duration,
      groupInterval: duration,
      repeatInterval: duration,
    }),
    grafana: z.strictObject({
      ...componentBase,
      storage: Storage,
      /** The Secret holding the admin user and password. Never inline. */
      adminSecret: z.strictObject({ name: dnsLabel, userKey: secretKey, passwordKey: secretKey }),
      /**
       * Let other sites show dashboards in an iframe (Grafana's allow_embedding, with the session
       * cookie SameSite=None; Secure): serve Grafana over HTTPS when this is on. @default false
       */
      allowEmbedding: z.boolean(),
    }),
    loki: z.strictObject({ ...componentBase, storage: Storage, retention: duration }),
    /** Deprecated (end-of-life 2026-03-02): the OpenTelemetry Collector is the node log agent. Enabled: @default false */
    promtail: z.strictObject({ ...componentBase }),
    /** The node log agent: the OpenTelemetry Collector shipping pod logs to Loki over OTLP. Enabled: @default true */
    otelCollector: z.strictObject({
      ...componentBase,
      /** Capacity of the persistent send queue, in requests (batches); reading pauses when it is full. @default 1000 */
      queueSize: z.number().int().min(1).max(100_000),
    }),
    fluentd: z.strictObject({
      ...componentBase,
      /**
       * Where fluentd sends the FL workloads' logs: `loki` (the stack's Loki) or `forward` (another
       * Fluentd/Fluent Bit). The image carries only the Loki plugin (images/fluentd/), so there is no
       * Elasticsearch output: forward to an aggregator that has one.
       */
      output: z.discriminatedUnion('type', [
        z.strictObject({ type: z.literal('loki') }),
        z.strictObject({ type: z.literal('forward'), host, port: z.number().int().min(1).max(65535) }),
      ]),
    }),
    victoriaMetrics: z.strictObject({ ...componentBase, storage: Storage, retention: duration }),
    dcgmExporter: z.strictObject({ ...componentBase }),
    nodeExporter: z.strictObject({ ...componentBase }),
    kubeStateMetrics: z.strictObject({ ...componentBase }),
    fl: z.strictObject({
      enabled: z.boolean(),
      numClients: z.number().int().min(1).max(10_000),
      minClients: z.number().int().min(1),
      rounds: z.number().int().min(1).max(100_000),
      strategy: FlStrategy,
      roundFailurePolicy: RoundFailurePolicy,
      /**
       * How long the server waits for the clients' replies in each phase of a round (fit, then
       * evaluate); a client silent that long counts as failed and is not sampled again in the run.
       */
      roundTimeout: duration,
      modelName: z.string().regex(/^[A-Za-z0-9._-]+$/, { message: 'must be a plain model name' }),
      server: z.strictObject({ image: image.optional(), resources: Resources }),
      client: z.strictObject({ image: image.optional(), resources: Resources }),
    }),
    gpu: z.strictObject({
      enabled: z.boolean(),
      nodeSelector: labelMap,
      tolerations: z.array(Toleration),
      runtimeClassName: dnsLabel.optional(),
    }),
    thresholds: Thresholds,
  })
  .superRefine((config, ctx) => {
    const names = config.alertmanager.receivers.map((r) => r.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) {
        ctx.addIssue({ code: 'custom', path: ['alertmanager', 'receivers', i, 'name'], message: `duplicate receiver name '${name}'` });
      }
    });
    const known = (target: string | null, path: (string | number)[], field: string): void => {
      if (target !== null && !names.includes(target)) {
        ctx.addIssue({ code: 'custom', path: ['alertmanager', ...path], message: `${field} names receiver '${target}', which is not in alertmanager.receivers` });
      }
    };
    known(config.alertmanager.deadMansSwitch, ['deadMansSwitch'], 'deadMansSwitch');
    config.alertmanager.teamRoutes.forEach((t, i) => known(t.receiver, ['teamRoutes', i, 'receiver'], `team ${t.team}`));
    const maxRound = maxRoundSeconds(config.fl.roundTimeout);
    const roundThreshold = config.thresholds.roundDurationP95Seconds;
    if (roundThreshold !== undefined && roundThreshold >= maxRound) {
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds', 'roundDurationP95Seconds'],
        message: `thresholds.roundDurationP95Seconds ${roundThreshold} is not below ${maxRound}, the top bucket of fl_round_duration_seconds (2 × fl.roundTimeout ${config.fl.roundTimeout}): the p95 can never exceed it`,
      });
    }
    for (const severity of Severity.options) {
      const target = config.alertmanager.routes[severity];
      if (target !== null && !names.includes(target)) {
        ctx.addIssue({
          code: 'custom',
          path: ['alertmanager', 'routes', severity],
          message: `names receiver '${target}', which is not in alertmanager.receivers`,
        });
      }
    }
    if (parseBytes(config.prometheus.retentionSize)! > parseBytes(config.prometheus.storage.size)!) {
      ctx.addIssue({
        code: 'custom',
        path: ['prometheus', 'retentionSize'],
        message: `retentionSize ${config.prometheus.retentionSize} is larger than the volume it lives on (prometheus.storage.size ${config.prometheus.storage.size})`,
      });
    }
    const ns = Object.entries(config.namespaces);
    ns.forEach(([key, value], i) => {
      if (ns.findIndex(([, other]) => other === value) !== i) {
        ctx.addIssue({ code: 'custom', path: ['namespaces', key], message: `namespace '${value}' is used twice; each namespace must be distinct` });
      }
    });
    if (config.fl.minClients > config.fl.numClients) {
      ctx.addIssue({
        code: 'custom',
        path: ['fl', 'minClients'],
        message: `minClients ${config.fl.minClients} exceeds numClients ${config.fl.numClients}`,
      });
    }
    if (config.promtail.enabled && config.otelCollector.enabled) {
      ctx.addIssue({
        code: 'custom',
        path: ['promtail', 'enabled'],
        message: 'promtail.enabled and otelCollector.enabled are both true: every pod log would be shipped twice; enable one node log agent',
      });
    }
    forEachResources(config, [], (resources, path) => checkLimits(resources, path, ctx));
    if (config.dcgmExporter.enabled && !config.gpu.enabled) {
      ctx.addIssue({ code: 'custom', path: ['dcgmExporter', 'enabled'], message: 'dcgmExporter.enabled is true but gpu.enabled is false' });
    }
    if (parseDuration(config.evaluationInterval)! < parseDuration(config.scrapeInterval)!) {
      ctx.addIssue({
        code: 'custom',
        path: ['evaluationInterval'],
        message: `evaluationInterval ${config.evaluationInterval} is shorter than scrapeInterval ${config.scrapeInterval}`,
      });
    }
  });

/** Calls `visit` for every `resources` block of the config (any component's, nested ones too), with its path. */
function forEachResources(value: unknown, path: (string | number)[], visit: (resources: Resources, path: (string | number)[]) => void): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (key === 'resources') {
      visit(child as Resources, [...path, key]);
    } else {
      forEachResources(child, [...path, key], visit);
    }
  }
}

function checkLimits(resources: Resources, path: (string | number)[], ctx: z.RefinementCtx): void {
  if (parseCpuMillis(resources.limits.cpu)! < parseCpuMillis(resources.requests.cpu)!) {
    ctx.addIssue({ code: 'custom', path: [...path, 'limits', 'cpu'], message: `limit ${resources.limits.cpu} is below the request ${resources.requests.cpu}` });
  }
  if (parseBytes(resources.limits.memory)! < parseBytes(resources.requests.memory)!) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'limits', 'memory'],
      message: `limit ${resources.limits.memory} is below the request ${resources.requests.memory}`,
    });
  }
}

/** The validated stack config every construct reads from. */
export type StackConfig = z.infer<typeof StackConfigSchema>;

/** A deep partial of the config: what a profile overlay or a config file may set. */
export type ConfigOverlay = { [K in keyof StackConfig]?: DeepPartial<StackConfig[K]> };
export type DeepPartial<T> = T extends readonly (infer _U)[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
