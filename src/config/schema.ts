import * as z from 'zod';
import { ComponentName } from '../common/names';
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

export const PROFILES = ['minikube', 'production', 'site', 'central'] as const;
export const Profile = z.enum(PROFILES);
export type Profile = z.infer<typeof Profile>;

export const Severity = z.enum(['critical', 'warning', 'info']);
export type Severity = z.infer<typeof Severity>;

export const FlStrategy = z.enum(['fedavg', 'fedprox', 'fedadam']);
export type FlStrategy = z.infer<typeof FlStrategy>;

export const RoundFailurePolicy = z.enum(['continue', 'fail']);
export type RoundFailurePolicy = z.infer<typeof RoundFailurePolicy>;

/** Who runs Prometheus, Alertmanager and Grafana. */
export enum StackMode {
  /** The stack deploys its own Prometheus, Alertmanager and Grafana. */
  STANDALONE = 'standalone',
  /**
   * The cluster runs prometheus-operator (e.g. kube-prometheus-stack): the stack deploys none of the
   * three and hands its scrape targets, rules and dashboards to that stack as PodMonitors,
   * PrometheusRules and dashboard ConfigMaps.
   */
  OPERATOR = 'operator',
}

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
/** How many rule files, and how many dashboards, `extensions` may name. */
export const MAX_EXTENSION_FILES = 50;
/** A file path of `extensions`: a file name ending as its kind's, no NUL or line break. */
function extensionPath(ending: RegExp, what: string) {
  return z
    .string()
    .min(1)
    .max(4096)
    .refine((v) => !/[\0\r\n]/.test(v), { message: 'must be a file path (no NUL or line break)', abort: true })
    .refine((v) => ending.test(v), { message: `must name a ${what} file` })
    .refine((v) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(v.split(/[\\/]/).pop()!.replace(ending, '')), {
      message: 'its file name must be letters, digits, . _ - (it names the deployed file)',
    });
}
const LABEL_KEY_RULE = 'a Kubernetes label key: [prefix/]name, name up to 63 of A-Z a-z 0-9 - _ .';
const labelKey = z.string().refine(isLabelKey, { message: `must be ${LABEL_KEY_RULE}` });
const labelValue = z.string().refine(isLabelValue, { message: 'must be a Kubernetes label value: up to 63 of A-Z a-z 0-9 - _ ., starting and ending alphanumeric' });
const labelMap = z.record(z.string(), labelValue).superRefine((labels, ctx) => {
  for (const key of Object.keys(labels).filter((k) => !isLabelKey(k))) {
    ctx.addIssue({ code: 'custom', message: `key ${JSON.stringify(key)} is not ${LABEL_KEY_RULE}` });
  }
});
/** A host name an Ingress serves: a lowercase DNS name of two labels or more (no IP, no wildcard). */
const ingressHost = z
  .string()
  .max(253)
  .regex(/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: 'must be a lowercase DNS host name such as grafana.example.org' });
/** A key of a Secret's data, as the API server validates it. */
const secretKey = z.string().regex(/^[-._a-zA-Z0-9]+$/, { message: 'must be a Secret key' }).max(253);
/** An IPv4 or IPv6 CIDR block, as a NetworkPolicy's ipBlock takes it. */
const cidr = z.string().refine(
  (v) => {
    const [address, bits, ...rest] = v.split('/');
    if (rest.length > 0 || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) return address.split('.').every((o) => Number(o) <= 255) && Number(bits) <= 32;
    return /^[0-9a-f:]+$/i.test(address) && address.includes(':') && Number(bits) <= 128;
  },
  { message: 'must be a CIDR block such as 192.168.49.2/32 or fd00::/64' },
);
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

/** Pods of another namespace, as a NetworkPolicy names them: the namespace and pod labels (the operator stack's Prometheus, an Ingress controller). */
const PodPeer = z.strictObject({
  namespace: dnsLabel,
  podLabels: labelMap.refine((labels) => Object.keys(labels).length > 0, { message: 'must name at least one label (an empty selector admits every pod of the namespace)' }),
});

/** How the stack plugs into a prometheus-operator stack (`mode: operator`). */
const OperatorSettings = z.strictObject({
  /** Labels on every PodMonitor: what the Prometheus's `podMonitorSelector` matches. @default { release: 'kube-prometheus-stack' } */
  monitorLabels: labelMap,
  /** Labels on every PrometheusRule: what the Prometheus's `ruleSelector` matches. @default { release: 'kube-prometheus-stack' } */
  ruleLabels: labelMap,
  /** The dashboard ConfigMaps the Grafana dashboard sidecar loads. */
  dashboards: z.strictObject({
    /** @default 'grafana_dashboard' */
    label: labelKey,
    /** @default '1' */
    labelValue,
    /** Where the ConfigMaps go (a namespace the sidecar searches). @default - the stack's monitoring namespace */
    namespace: dnsLabel.optional(),
  }),
  /** The operator's Prometheus pods: the metrics ports of the stack admit them. @default kube-prometheus-stack's, in `monitoring` */
  prometheus: PodPeer,
  /** The cluster's Grafana pods: Loki, VictoriaMetrics and MLflow admit them. @default kube-prometheus-stack's, in `monitoring` */
  grafana: PodPeer,
  /**
   * Exporters the operator stack runs already (kube-prometheus-stack runs both, as jobs `node-exporter`
   * and `kube-state-metrics`): ours are not deployed, their rules and dashboards ship over its series.
   */
  provides: z.strictObject({
    /** @default true */
    nodeExporter: z.boolean(),
    /** @default true */
    kubeStateMetrics: z.boolean(),
  }),
});

/** Whether operator mode's cluster stack runs this exporter for us (`operator.provides`). */
export function operatorProvides(config: Pick<StackConfig, 'mode' | 'operator'>, exporter: keyof StackConfig['operator']['provides']): boolean {
  return config.mode === StackMode.OPERATOR && config.operator.provides[exporter];
}

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
  /**
   * PrometheusRemoteWriteBehind fires when the newest sample a remote_write queue has sent is older
   * than this behind the newest sample Prometheus appended (the store is unreachable or too slow). @default '2m'
   */
  remoteWriteBehind: duration,
  /** MLflowRequestErrors fires when more than this fraction of MLflow's requests fail with 5xx. @default 0.05 */
  mlflowErrorRatio: z.number().gt(0).lt(1),
  /** MLflowSlowRequests fires when MLflow's p99 request duration exceeds this many seconds. @default 2 */
  mlflowLatencyP99Seconds: z.number().positive(),
});
export type Thresholds = z.infer<typeof Thresholds>;

/** Text written into a generated file by a serializer: one line, no control characters. */
const singleLine = z.string().max(1024).regex(/^[^\p{Cc}]*$/u, { message: 'must be one line without control characters' });
/** A Prometheus label name (the classic charset, which every consumer of the series accepts). */
const promLabelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: 'must be a Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*' });
/** RE2 syntax JavaScript lacks, rewritten to its JavaScript equivalent before a compile check. */
function asJavaScriptRegex(re2: string): string {
  return re2.replace(/^\(\?[imsU]+\)/, '').replace(/\(\?[imsU]+:/g, '(?:').replace(/\(\?P</g, '(?<');
}
/** A regular expression as Prometheus (Go's RE2) takes it: no lookaround, no backreferences, repeats up to 1000. */
const re2Regex = singleLine
  .refine((v) => !/\(\?<?[=!]|\\[1-9]/.test(v), { message: 'must be an RE2 regular expression: no lookaround (?= (?! (?<= (?<! and no backreferences \\1' })
  .refine((v) => [...v.matchAll(/\{(\d+)(?:,(\d*))?\}/g)].every((m) => Number(m[1]) <= 1000 && Number(m[2] ?? 0) <= 1000), {
    message: 'must be an RE2 regular expression: a repeat count is at most 1000',
  })
  .refine(
    (v) => {
      try {
        new RegExp(asJavaScriptRegex(v));
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be a regular expression that compiles' },
  );

/** The relabel actions a write_relabel_configs entry may take. */
export const RelabelAction = z.enum(['replace', 'keep', 'drop', 'labelmap', 'labeldrop', 'labelkeep']);
export type RelabelAction = z.infer<typeof RelabelAction>;

/** One Prometheus relabel rule, in the config's camelCase (written out as `write_relabel_configs`). */
export const RelabelRule = z
  .strictObject({
    /** Labels whose values, joined by `separator`, are matched against `regex`. @default - none */
    sourceLabels: z.array(promLabelName).min(1).max(20).optional(),
    /** @default ';' */
    separator: singleLine.optional(),
    /** Anchored RE2. @default '(.*)' */
    regex: re2Regex.optional(),
    /** The label `replace` writes. @default - none (required by replace) */
    targetLabel: promLabelName.optional(),
    /** `$1`-style template of the written value. @default '$1' */
    replacement: singleLine.optional(),
    action: RelabelAction,
  })
  .superRefine((rule, ctx) => {
    const need = (field: 'sourceLabels' | 'targetLabel' | 'regex', actions: readonly RelabelAction[]): void => {
      if (actions.includes(rule.action) && rule[field] === undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: `action ${rule.action} needs ${field}` });
      }
    };
    need('targetLabel', ['replace']);
    need('sourceLabels', ['keep', 'drop']);
    need('regex', ['labelmap', 'labeldrop', 'labelkeep']);
    if (rule.action === 'labeldrop' || rule.action === 'labelkeep') {
      for (const field of ['sourceLabels', 'separator', 'targetLabel', 'replacement'] as const) {
        if (rule[field] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [field], message: `action ${rule.action} takes only regex (Prometheus refuses ${field} with it)` });
        }
      }
    }
  });
export type RelabelRule = z.infer<typeof RelabelRule>;

/** Prometheus's remote_write queue (`queue_config`); every field left out keeps Prometheus's default. */
export const RemoteWriteQueue = z
  .strictObject({
    /** Samples buffered per shard. */
    capacity: z.number().int().min(1).max(1_000_000).optional(),
    minShards: z.number().int().min(1).max(10_000).optional(),
    maxShards: z.number().int().min(1).max(10_000).optional(),
    maxSamplesPerSend: z.number().int().min(1).max(1_000_000).optional(),
    /** How long a shard waits for a full batch before it sends what it has. */
    batchSendDeadline: duration.optional(),
    /** Backoff of retries after a recoverable error. */
    minBackoff: duration.optional(),
    maxBackoff: duration.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.minShards !== undefined && q.maxShards !== undefined && q.minShards > q.maxShards) {
      ctx.addIssue({ code: 'custom', path: ['minShards'], message: `minShards ${q.minShards} exceeds maxShards ${q.maxShards}` });
    }
    if (q.minBackoff !== undefined && q.maxBackoff !== undefined && parseDuration(q.minBackoff)! > parseDuration(q.maxBackoff)!) {
      ctx.addIssue({ code: 'custom', path: ['minBackoff'], message: `minBackoff ${q.minBackoff} is longer than maxBackoff ${q.maxBackoff}` });
    }
  });
export type RemoteWriteQueue = z.infer<typeof RemoteWriteQueue>;

/** A key of a ConfigMap in the Prometheus namespace. */
export const ConfigMapKeyRef = z.strictObject({ name: dnsLabel, key: secretKey });
export type ConfigMapKeyRef = z.infer<typeof ConfigMapKeyRef>;

/**
 * A remote_write endpoint URL: http(s), a host, no credentials (they come from Secret files) and no
 * fragment. Error messages print it with any user info and query redacted.
 */
export const RemoteWriteUrl = z
  .string()
  .regex(/^https?:\/\/[^\s\p{Cc}]+$/u, { message: 'must be an http(s) URL without spaces or control characters', abort: true })
  .refine((v) => !/^https?:\/\/[^/?#]*@/.test(v), { message: 'must not carry credentials (user:password@): set basicAuth or bearerToken from a Secret', abort: true })
  .refine(
    (v) => {
      try {
        const url = new URL(v);
        return url.hostname !== '' && url.hash === '' && !v.includes('#');
      } catch {
        return false;
      }
    },
    { message: 'must be an http(s) URL with a host and no #fragment, such as https://metrics.example.org/api/v1/write' },
  );

const remoteWriteCommon = {
  /** Relabelling of the series sent to this target only, after the stack's own (the HA replica label is dropped first). @default [] */
  writeRelabelConfigs: z.array(RelabelRule).max(50).optional(),
  /** @default - Prometheus's defaults; the in-cluster VictoriaMetrics: maxSamplesPerSend 10000, capacity 20000 */
  queue: RemoteWriteQueue.optional(),
};

/**
 * Where Prometheus remote-writes: the stack's own VictoriaMetrics (written only while
 * `victoriaMetrics.enabled`), or any URL, with credentials and CA read from mounted Secret and
 * ConfigMap files (never inline).
 */
/** How Prometheus authenticates to an HTTP endpoint (a remote_write target, an external scrape target); secrets only as mounted files. */
const httpClient = {
  /** HTTP basic auth: the user name inline, the password from a Secret of the Prometheus namespace. @default - none */
  basicAuth: z
    .strictObject({
      username: z.string().regex(/^[^\s\p{Cc}:]{1,256}$/u, { message: 'must be a user name without spaces, colons or control characters' }),
      password: SecretKeyRef,
    })
    .optional(),
  /** `Authorization: Bearer <token>`, the token from a Secret of the Prometheus namespace. @default - none */
  bearerToken: SecretKeyRef.optional(),
  /** For https. @default - the system CAs, the host as server name */
  tls: z
    .strictObject({
      /** The CA bundle (PEM) that signs the server's certificate: exactly one of a Secret's or a ConfigMap's key. */
      ca: z
        .strictObject({ secret: SecretKeyRef.optional(), configMap: ConfigMapKeyRef.optional() })
        .superRefine((ca, ctx) => {
          if ((ca.secret === undefined) === (ca.configMap === undefined)) {
            ctx.addIssue({ code: 'custom', message: 'must name exactly one of secret, configMap' });
          }
        })
        .optional(),
      /** The name the server's certificate must carry (SNI). */
      serverName: host.optional(),
    })
    .optional(),
};
type HttpClient = { readonly basicAuth?: unknown; readonly bearerToken?: unknown; readonly tls?: unknown };

/** One Authorization header, TLS settings only for https. */
function checkHttpClient(client: HttpClient, https: boolean, plain: string, ctx: z.RefinementCtx): void {
  if (client.basicAuth !== undefined && client.bearerToken !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['bearerToken'], message: 'basicAuth and bearerToken are both set: Prometheus sends one Authorization header; set one' });
  }
  if (client.tls !== undefined && !https) {
    ctx.addIssue({ code: 'custom', path: ['tls'], message: `is set but ${plain}: use https` });
  }
}

export const RemoteWriteTarget = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('victoriaMetrics'), ...remoteWriteCommon }),
  z
    .strictObject({
      type: z.literal('url'),
      /** Names the queue in Prometheus's metrics (`remote_name`); unique among the targets. */
      name: dnsLabel,
      url: RemoteWriteUrl,
      ...httpClient,
      ...remoteWriteCommon,
    })
    .superRefine((target, ctx) => checkHttpClient(target, target.url.startsWith('https://'), 'the url is http://', ctx)),
]);
export type RemoteWriteTarget = z.infer<typeof RemoteWriteTarget>;

/** The word that selects every namespace of the cluster for discovery. */
export const ALL_NAMESPACES = 'all';

/** `host:port` of a target outside Kubernetes: a host name or IPv4 address and a port. */
const targetAddress = z.string().refine(
  (v) => {
    const colon = v.lastIndexOf(':');
    const port = Number(v.slice(colon + 1));
    return colon > 0 && HOST_PATTERN.test(v.slice(0, colon)) && /^\d{1,5}$/.test(v.slice(colon + 1)) && port >= 1 && port <= 65535;
  },
  { message: 'must be host:port, the host a name (RFC 1123) or an IPv4 address, the port 1-65535' },
);
/** Labels every target of an external scrape job carries; `job`, `instance` and `__…` are Prometheus's own. */
const targetLabels = z.record(z.string(), singleLine).superRefine((labels, ctx) => {
  for (const key of Object.keys(labels)) {
    if (!promLabelName.safeParse(key).success) {
      ctx.addIssue({ code: 'custom', message: `key ${JSON.stringify(key)} is not a Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*` });
    } else if (key === 'job' || key === 'instance' || key.startsWith('__')) {
      ctx.addIssue({ code: 'custom', message: `label ${key} is set by Prometheus (the job name, the target address); choose another name` });
    }
  }
});
/** Scrape job names the stack itself uses: its generated jobs (`kubernetes-…`, kubelet, cAdvisor) and its components' `job` labels. */
function isStackJobName(name: string): boolean {
  return name.startsWith('kubernetes-') || name === 'kubelet' || name === 'cadvisor' || (Object.values(ComponentName) as string[]).includes(name);
}

/**
 * A scrape job for targets outside Kubernetes (a lab's GPU hosts, an appliance's exporter): static
 * targets, their labels, scheme and path, and the same credentials and TLS as remote_write targets.
 */
export const ExternalScrapeJob = z
  .strictObject({
    /** The job's name, its series' `job` label; unique, and none of the stack's own. */
    name: dnsLabel.refine((v) => !isStackJobName(v), { message: 'is a job name of the stack (its scrape jobs and components select on it); choose another' }),
    targets: z.array(targetAddress).min(1).max(1000),
    /** @default 'http' */
    scheme: z.enum(['http', 'https']).optional(),
    /** @default '/metrics' */
    metricsPath: z
      .string()
      .max(256)
      .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, { message: 'must be an absolute URL path such as /metrics' })
      .optional(),
    /** @default - the stack's scrapeInterval */
    scrapeInterval: duration.optional(),
    /** @default {} */
    labels: targetLabels.optional(),
    ...httpClient,
  })
  .superRefine((job, ctx) => checkHttpClient(job, job.scheme === 'https', 'the scheme is http', ctx));
export type ExternalScrapeJob = z.infer<typeof ExternalScrapeJob>;

/** The header that names a write's tenant, as Thanos Receive reads it by default. */
export const DEFAULT_TENANT_HEADER = 'THANOS-TENANT';

/**
 * How a site's agent proves who it is to the central endpoint; every credential is a Secret key,
 * read from a mounted file (never inline).
 */
export const AgentAuth = z.discriminatedUnion('type', [
  /** None: only behind a network the site trusts. */
  z.strictObject({ type: z.literal('none') }),
  /** A client certificate: a `kubernetes.io/tls` Secret (`tls.crt`, `tls.key`); Thanos Receive takes the tenant from its CommonName. */
  z.strictObject({ type: z.literal('clientCertificate'), secret: dnsLabel }),
  /** `Authorization: Bearer <token>` (an authenticating proxy in front of the central store). */
  z.strictObject({ type: z.literal('bearer'), token: SecretKeyRef }),
  /** HTTP basic auth (an authenticating proxy in front of the central store): the user inline, the password from a Secret. */
  z.strictObject({
    type: z.literal('basic'),
    username: z.string().regex(/^[^\s\p{Cc}:]{1,256}$/u, { message: 'must be a user name without spaces, colons or control characters' }),
    password: SecretKeyRef,
  }),
]);
export type AgentAuth = z.infer<typeof AgentAuth>;

/** An HTTP header name (RFC 9110 token). */
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, { message: 'must be an HTTP header name' });

/** A site's metrics agent (vmagent): what it scrapes is the stack's scrape config; where it sends, here. */
const VmagentSettings = z.strictObject({
  ...componentBase,
  /** The `site` label added to every series it sends, and the tenant it writes as. @default - clusterName */
  site: dnsLabel.optional(),
  /** The volume of its on-disk queue (kept across restarts and outages of the central store). */
  storage: Storage,
  /** The most the queue may hold on disk; beyond it the oldest data is dropped (and counted). */
  maxDiskUsage: bytes,
  remoteWrite: z.strictObject({
    /** The central store's remote-write URL (Thanos Receive: https://…/api/v1/receive). Required when enabled. @default - none */
    url: RemoteWriteUrl.optional(),
    auth: AgentAuth,
    /** For https URLs. @default - the system CAs, the URL's host as server name */
    tls: z
      .strictObject({
        /** The CA bundle (PEM) that signs the central endpoint's certificate. @default - the system CAs */
        ca: SecretKeyRef.optional(),
        /** The name the central endpoint's certificate must carry (SNI). @default - the URL's host */
        serverName: host.optional(),
      })
      .optional(),
    /** The header that carries the site as tenant (ignored by a Receive that takes it from the client certificate). @default 'THANOS-TENANT' */
    tenantHeader: headerName,
  }),
});

/** The Thanos long-term store of the central profile: Receive, Query, Store Gateway and Compactor over one bucket. */
const ThanosSettings = z.strictObject({
  enabled: z.boolean(),
  /** Overrides the pinned image of versions.json (one image for every Thanos component). */
  image: image.optional(),
  /** The object storage config (Thanos objstore.yml: S3-compatible in production) as a Secret key; it holds credentials. */
  objectStorage: SecretKeyRef,
  receive: z.strictObject({
    /** Replicas of the hashring (at least 3). */
    replicas: z.number().int().min(1).max(50),
    /** Each series is written to this many replicas; with 2, a write succeeds on one (Receive's quorum for 2). */
    replicationFactor: z.number().int().min(1).max(5),
    resources: Resources,
    /** Each replica's TSDB volume (the recent past, before upload). */
    storage: Storage,
    /** How long a replica keeps its uploaded blocks locally. */
    retention: duration,
    /**
     * The remote-write endpoint's TLS: a Secret with `tls.crt`, `tls.key` (its certificate) and
     * `ca.crt` (the CA that signs the sites' client certificates). Sites must present one; the
     * certificate's CommonName is the site's tenant.
     */
    tlsSecret: dnsLabel,
  }),
  query: z.strictObject({ replicas, resources: Resources }),
  store: z.strictObject({ resources: Resources, storage: Storage }),
  /** Thanos Rule: the federation's alerts (a site stopped sending, its agent failing) over Query. */
  rule: z.strictObject({ resources: Resources, storage: Storage }),
  compact: z.strictObject({
    resources: Resources,
    /** Scratch space for compaction and downsampling. */
    storage: Storage,
    /** How long raw, 5-minute and 1-hour downsampled data is kept in the bucket. */
    retention: z.strictObject({ raw: duration, fiveMinutes: duration, oneHour: duration }),
  }),
});

/** An S3 bucket name, as MLflow's `s3://bucket/prefix` artifact destination takes it. */
const s3Bucket = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be an S3 bucket name: 3 to 63 of a-z 0-9 . -, starting and ending with a letter or digit' });

/** The URL users open MLflow's UI at (port-forward or ingress): http(s), a host, nothing after it. */
const mlflowUrl = z
  .string()
  .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/, {
    message: 'must be the http(s) root URL users open MLflow at, such as http://localhost:5000 or https://mlflow.example.org (no path, query, credentials or fragment: the server serves its UI at /)',
  });

/**
 * The MLflow tracking server: one run per federation. Metadata and artifacts live on its volume by
 * default; production may move either out (PostgreSQL, an S3-compatible bucket), credentials always
 * from Secrets of the monitoring namespace.
 */
const MlflowSettings = z.strictObject({
  ...componentBase,
  /** Its volume: the SQLite database and the artifacts, unless they live elsewhere. */
  storage: Storage,
  /** Uvicorn worker processes serving the API and UI (each holds about 250 MiB). */
  workers: z.number().int().min(1).max(16),
  /** Where runs' metadata live: SQLite on the volume, or PostgreSQL (the whole URI, password included, read from a Secret). */
  backendStore: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('sqlite') }),
    z.strictObject({ type: z.literal('postgresql'), uri: SecretKeyRef }),
  ]),
  /** Where artifacts (checkpoints, run configs) are stored; clients always upload and download through the server. */
  artifacts: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('volume') }),
    z.strictObject({
      type: z.literal('s3'),
      bucket: s3Bucket,
      /** A key prefix inside the bucket. @default - the bucket's root */
      prefix: z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { message: 'must be a key prefix such as mlflow/artifacts (no leading or trailing slash)' }).optional(),
      /** An S3-compatible endpoint (MinIO, Ceph). @default - AWS S3 */
      endpointUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
      /** @default - the SDK's default region */
      region: z.string().regex(/^[a-z0-9-]{1,32}$/, { message: 'must be a region name such as eu-west-1' }).optional(),
      accessKeyId: SecretKeyRef,
      secretAccessKey: SecretKeyRef,
    }),
  ]),
  /** The experiment each federation is logged to as one run (created when missing). */
  experimentName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/, { message: 'must be a plain experiment name: up to 100 of A-Z a-z 0-9 . _ - /' }),
  /** Where users open the UI: the dashboards' links to a run point there, and the server accepts requests addressed to it. */
  url: mlflowUrl,
  /** Also log the global model every N rounds (0: only the final model). */
  checkpointEveryRounds: z.number().int().min(0).max(100_000),
});

export const StackConfigSchema = z
  .strictObject({
    profile: Profile,
    /** Standalone (the stack's own Prometheus, Alertmanager, Grafana) or operator (the cluster's prometheus-operator stack's). @default 'standalone' */
    mode: z.enum(StackMode),
    /** Read in operator mode only. */
    operator: OperatorSettings,
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
    /**
     * Who reaches the UIs (Prometheus, Alertmanager, Grafana, Thanos Query) besides the stack's own
     * clients and `kubectl port-forward` (which NetworkPolicies do not filter): the Ingress controller
     * for the UIs `ingress.hosts` exposes, and these.
     */
    networkPolicies: z.strictObject({
      /**
       * The API server's source addresses (the control plane nodes), for its service proxy, which
       * `npm run health` reaches the UIs' health endpoints through. @default [] (health then needs
       * `--endpoint` with port-forwards where a CNI enforces NetworkPolicies)
       */
      apiServerCidrs: z.array(cidr).max(20),
    }),
    /**
     * HTTPS for Prometheus's and Alertmanager's web servers (`--web.config.file`) with the certificate
     * of a kubernetes.io/tls Secret that also holds its CA as `ca.crt` (cert-manager's layout), valid
     * for both Services' names (`prometheus.<monitoring>.svc`, `alertmanager.<monitoring>.svc`). Every
     * client follows: the probes, Prometheus's scrapes of both and its alerts, Grafana's datasources and
     * Thanos Rule (verifying with ca.crt), the health CLI and the Ingresses.
     */
    webTls: z.strictObject({
      /** @default false */
      enabled: z.boolean(),
      /** @default 'fl-web-tls' */
      secret: dnsLabel,
    }),
    /**
     * An Ingress per exposed UI (Grafana, Prometheus, Alertmanager, MLflow, Thanos Query), TLS-terminated
     * with a Secret's certificate; the UIs stay reachable by port-forward either way.
     */
    ingress: z.strictObject({
      /** @default false */
      enabled: z.boolean(),
      /** The IngressClass of the controller that serves them. @default 'nginx' */
      className: dnsLabel,
      /** A kubernetes.io/tls Secret with a certificate for every host, in each exposed UI's namespace. @default 'fl-ui-tls' */
      tlsSecret: dnsLabel,
      /** The controller's pods: the exposed UIs admit them. @default ingress-nginx's, in `ingress-nginx` */
      controller: PodPeer,
      /** The host name of each UI to expose, by its workload name (e.g. `grafana: grafana.example.org`); a UI without one gets no Ingress. @default {} */
      hosts: z.record(z.string(), ingressHost).superRefine((hosts, ctx) => {
        for (const name of Object.keys(hosts).filter((k) => !(Object.values(ComponentName) as string[]).includes(k))) {
          ctx.addIssue({ code: 'custom', message: `${JSON.stringify(name)} is not a workload of the stack` });
        }
      }),
    }),
    /**
     * The user's own Prometheus rule files and Grafana dashboards, checked like the stack's (a rule file
     * or dashboard that does not parse is refused; a metric the catalog does not know is a warning) and
     * deployed beside them. Relative paths are relative to the STACK_CONFIG file's directory.
     */
    extensions: z.strictObject({
      /** Prometheus rule files (`groups:` YAML, `.yaml`/`.yml`); Prometheus loads each as `user-<name>.rules.yaml`. @default [] */
      ruleFiles: z.array(extensionPath(/\.ya?ml$/, '.yaml or .yml')).max(MAX_EXTENSION_FILES),
      /** Grafana dashboard JSON models (`.json`), provisioned into the folder `Custom`. @default [] */
      dashboards: z.array(extensionPath(/\.json$/, '.json')).max(MAX_EXTENSION_FILES),
    }),
    prometheus: z.strictObject({
      ...componentBase,
      replicas,
      storage: Storage,
      retention: duration,
      retentionSize: bytes,
      /**
       * Namespaces besides the stack's three whose pods and Services are discovered and scraped when
       * they opt in with the prometheus.io annotations: a list (a Role in each), or 'all' (a ClusterRole). @default []
       */
      onboardedNamespaces: z.union([z.literal(ALL_NAMESPACES), z.array(dnsLabel).max(100)], {
        error: `must be '${ALL_NAMESPACES}' or a list of namespace names`,
      }),
      /** Where samples are remote-written, in order. @default [{ type: 'victoriaMetrics' }] */
      remoteWrite: z.array(RemoteWriteTarget).max(20),
      /** Scrape jobs for targets outside Kubernetes. @default [] */
      externalScrapeJobs: z.array(ExternalScrapeJob).max(50),
    }),
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
    /** A site's agent (site profile): scrapes the site and remote-writes to the central store. Enabled: @default false */
    vmagent: VmagentSettings,
    /** The central long-term store (central profile), in VictoriaMetrics's place. Enabled: @default false */
    thanos: ThanosSettings,
    dcgmExporter: z.strictObject({ ...componentBase }),
    nodeExporter: z.strictObject({ ...componentBase }),
    kubeStateMetrics: z.strictObject({ ...componentBase }),
    /** Experiment tracking of the federations. Enabled: @default false (production: true) */
    mlflow: MlflowSettings,
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
    checkPrometheusTargets(config, ctx);
    if (config.mode === StackMode.OPERATOR) {
      for (const own of ['prometheus', 'alertmanager', 'grafana'] as const) {
        if (config[own].enabled) {
          ctx.addIssue({ code: 'custom', path: [own, 'enabled'], message: `${own}.enabled is true but mode is operator: the cluster's prometheus-operator stack runs ${own}` });
        }
      }
      for (const exporter of ['nodeExporter', 'kubeStateMetrics'] as const) {
        if (config[exporter].enabled && config.operator.provides[exporter]) {
          ctx.addIssue({
            code: 'custom',
            path: [exporter, 'enabled'],
            message: `${exporter}.enabled is true but operator.provides.${exporter} says the cluster's stack runs it: its series would be exported twice; set one of them false`,
          });
        }
      }
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
    checkSiteAndCentral(config, ctx);
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

/** Cross-field checks of `prometheus.onboardedNamespaces`, `prometheus.remoteWrite` and `prometheus.externalScrapeJobs`. */
function checkPrometheusTargets(
  config: {
    readonly namespaces: Readonly<Record<string, string>>;
    readonly prometheus: {
      readonly onboardedNamespaces: typeof ALL_NAMESPACES | readonly string[];
      readonly remoteWrite: readonly RemoteWriteTarget[];
      readonly externalScrapeJobs: readonly ExternalScrapeJob[];
    };
  },
  ctx: z.RefinementCtx,
): void {
  const onboarded = config.prometheus.onboardedNamespaces;
  if (onboarded !== ALL_NAMESPACES) {
    const own = Object.entries(config.namespaces);
    onboarded.forEach((name, i) => {
      const path = ['prometheus', 'onboardedNamespaces', i];
      const tier = own.find(([, value]) => value === name)?.[0];
      if (tier !== undefined) {
        ctx.addIssue({ code: 'custom', path, message: `namespace '${name}' is the stack's own (namespaces.${tier}): it is scraped already` });
      } else if (onboarded.indexOf(name) !== i) {
        ctx.addIssue({ code: 'custom', path, message: `namespace '${name}' is listed twice` });
      }
    });
  }
  const targets = config.prometheus.remoteWrite;
  targets.forEach((target, i) => {
    if (target.type === 'victoriaMetrics' && targets.findIndex((t) => t.type === 'victoriaMetrics') !== i) {
      ctx.addIssue({ code: 'custom', path: ['prometheus', 'remoteWrite', i, 'type'], message: 'the in-cluster VictoriaMetrics is listed twice' });
    }
    if (target.type === 'url' && targets.findIndex((t) => t.type === 'url' && t.name === target.name) !== i) {
      ctx.addIssue({ code: 'custom', path: ['prometheus', 'remoteWrite', i, 'name'], message: `duplicate remote_write name '${target.name}'` });
    }
  });
  const jobs = config.prometheus.externalScrapeJobs;
  jobs.forEach((job, i) => {
    if (jobs.findIndex((other) => other.name === job.name) !== i) {
      ctx.addIssue({ code: 'custom', path: ['prometheus', 'externalScrapeJobs', i, 'name'], message: `duplicate scrape job name '${job.name}'` });
    }
  });
}

/** Cross-field checks of the site agent (`vmagent`) and the central store (`thanos`). */
function checkSiteAndCentral(
  config: { readonly vmagent: z.infer<typeof VmagentSettings>; readonly thanos: z.infer<typeof ThanosSettings>; readonly victoriaMetrics: { readonly enabled: boolean } },
  ctx: z.RefinementCtx,
): void {
  const agent = config.vmagent;
  if (agent.enabled && agent.remoteWrite.url === undefined) {
    ctx.addIssue({ code: 'custom', path: ['vmagent', 'remoteWrite', 'url'], message: "is required when vmagent.enabled is true: the central store's remote-write URL" });
  }
  if (parseBytes(agent.maxDiskUsage)! > parseBytes(agent.storage.size)!) {
    ctx.addIssue({
      code: 'custom',
      path: ['vmagent', 'maxDiskUsage'],
      message: `maxDiskUsage ${agent.maxDiskUsage} is larger than the volume it lives on (vmagent.storage.size ${agent.storage.size})`,
    });
  }
  if (agent.remoteWrite.tls !== undefined && agent.remoteWrite.url?.startsWith('http://') === true) {
    ctx.addIssue({ code: 'custom', path: ['vmagent', 'remoteWrite', 'tls'], message: 'is set but the url is http://: use an https URL' });
  }
  if (agent.remoteWrite.auth.type === 'clientCertificate' && agent.remoteWrite.url?.startsWith('http://') === true) {
    ctx.addIssue({ code: 'custom', path: ['vmagent', 'remoteWrite', 'auth', 'type'], message: 'clientCertificate needs an https url (a client certificate is presented in the TLS handshake)' });
  }
  const thanos = config.thanos;
  if (!thanos.enabled) return;
  if (config.victoriaMetrics.enabled) {
    ctx.addIssue({ code: 'custom', path: ['thanos', 'enabled'], message: 'thanos.enabled and victoriaMetrics.enabled are both true: choose one long-term store' });
  }
  const { replicas, replicationFactor } = thanos.receive;
  if (replicas < 3) {
    ctx.addIssue({ code: 'custom', path: ['thanos', 'receive', 'replicas'], message: `thanos.receive.replicas ${replicas} is below 3: the hashring needs at least 3 replicas to lose one and keep replicating` });
  }
  if (replicationFactor > replicas) {
    ctx.addIssue({
      code: 'custom',
      path: ['thanos', 'receive', 'replicationFactor'],
      message: `thanos.receive.replicationFactor ${replicationFactor} exceeds thanos.receive.replicas ${replicas}: each series is written to that many distinct replicas`,
    });
  }
  const r = thanos.compact.retention;
  if (parseDuration(r.raw)! > parseDuration(r.fiveMinutes)! || parseDuration(r.fiveMinutes)! > parseDuration(r.oneHour)!) {
    ctx.addIssue({
      code: 'custom',
      path: ['thanos', 'compact', 'retention'],
      message: `raw ${r.raw} ≤ fiveMinutes ${r.fiveMinutes} ≤ oneHour ${r.oneHour} does not hold: a coarser resolution is downsampled from a finer one and must be kept at least as long`,
    });
  }
}

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
