/**
 * What the fault suite (test/faults/) measures with: the Prometheus-compatible query APIs of
 * Prometheus and VictoriaMetrics, raw samples per series, a webhook receiver that counts every
 * delivery (and can answer HTTP 500 for a while), a scrape target the suite switches between
 * healthy and failing, and the results table the suite prints.
 */
import { appendFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { scrapeAnnotations } from '../../src/common/scrape';
import type { LocalPod } from '../local/cluster';
import { localUid } from '../local/pods';
import { LOCAL_NODE } from '../live/harness';

const LOOPBACK = '127.0.0.1';
/** The suite's stack config: the live stack's, plus the remote-write lag threshold its outages cross. */
export const FAULT_STACK_CONFIG = join(__dirname, 'fault-stack.yaml');

/** Milliseconds as seconds with one decimal, for the printed figures. */
export const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** Sleeps `ms` (nothing when not positive). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

/** One series of an instant query. */
export interface InstantSeries {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

/** One series of raw samples: its labels and `[unix seconds, value]` pairs. */
export interface RangeSeries {
  readonly metric: Record<string, string>;
  readonly values: [number, string][];
}

/** GET a Prometheus-style JSON API (`{status, data}`); throws with the error text otherwise. */
export async function promApi<T>(base: string, path: string, params: Readonly<Record<string, string>> = {}): Promise<T> {
  const res = await fetch(`${base}${path}?${new URLSearchParams(params)}`, { signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let body: { status?: string; data?: T; error?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: reported below
  }
  if (body.status !== 'success') {
    throw new Error(`${base}${path} ${JSON.stringify(params)}: HTTP ${res.status} ${body.error ?? text.slice(0, 300)}`);
  }
  return body.data as T;
}

/** An instant query at `time` (unix ms; now when omitted). */
export async function instant(base: string, query: string, time?: number): Promise<InstantSeries[]> {
  const params: Record<string, string> = { query };
  if (time !== undefined) {
    params.time = (time / 1000).toFixed(3);
  }
  return (await promApi<{ result: InstantSeries[] }>(base, '/api/v1/query', params)).result;
}

/** The single value of an instant query, or undefined when it returns no series. */
export async function scalar(base: string, query: string, time?: number): Promise<number | undefined> {
  const r = await instant(base, query, time);
  return r.length === 0 ? undefined : Number(r[0].value[1]);
}

/** A stable key of a label set. */
export function seriesKey(labels: Readonly<Record<string, string>>, drop: readonly string[] = []): string {
  return JSON.stringify(
    Object.entries(labels)
      .filter(([k]) => !drop.includes(k))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** Options of {@link prometheusSamples} and {@link victoriaMetricsSamples}. */
export interface SampleWindow {
  /** A series selector, e.g. `{job=~".+"}`. */
  readonly selector: string;
  /** The window, unix ms: samples with start < t ≤ end. */
  readonly start: number;
  readonly end: number;
}

/** Options of {@link prometheusSamples}. */
export interface PrometheusSampleOptions {
  /**
   * Leave out samples whose value is NaN (a summary quantile without observations): VictoriaMetrics
   * drops NaN values on ingestion, so a comparison with it cannot count them. @default false
   */
  readonly withoutNaN?: boolean;
}

/**
 * Every raw sample Prometheus holds in the window, by series: a range-vector instant query
 * (`selector[end-start]` at `end`), which returns the stored samples themselves, stale markers excluded.
 */
export async function prometheusSamples(base: string, w: SampleWindow, options: PrometheusSampleOptions = {}): Promise<Map<string, number[]>> {
  // A range in whole milliseconds reaching past the start; the samples are then cut at the exact window.
  const range = Math.ceil(w.end - w.start) + 1000;
  const data = await promApi<{ result: RangeSeries[] }>(base, '/api/v1/query', { query: `${w.selector}[${range}ms]`, time: (w.end / 1000).toFixed(3) });
  const kept = (values: [number, string][]): [number, string][] => ((options.withoutNaN ?? false) ? values.filter(([, v]) => v !== 'NaN') : values);
  return new Map(
    data.result
      .map((s): [string, number[]] => [
        seriesKey(s.metric),
        kept(s.values)
          .map(([t]) => Math.round(t * 1000))
          .filter((t) => t > w.start && t <= w.end),
      ])
      .filter(([, times]) => times.length > 0),
  );
}

/**
 * Every raw sample VictoriaMetrics holds in the window, by series (its `/api/v1/export`, one JSON
 * series per line, not hidden by the query latency offset), with `dropLabels` removed from the key
 * (the external labels remote_write adds) and stale markers (NaN) left out.
 */
export async function victoriaMetricsSamples(base: string, w: SampleWindow, dropLabels: readonly string[]): Promise<Map<string, number[]>> {
  const params = new URLSearchParams({ 'match[]': w.selector, start: ((w.start + 1) / 1000).toFixed(3), end: (w.end / 1000).toFixed(3) });
  const res = await fetch(`${base}/api/v1/export?${params}`, { signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  if (res.status !== 200) {
    throw new Error(`${base}/api/v1/export: HTTP ${res.status} ${text.slice(0, 300)}`);
  }
  const out = new Map<string, number[]>();
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    const s = JSON.parse(line) as { metric: Record<string, string>; values: (number | null)[]; timestamps: number[] };
    const kept = s.timestamps.filter((t, i) => s.values[i] !== null && !Number.isNaN(Number(s.values[i])) && t > w.start && t <= w.end);
    const key = seriesKey(s.metric, dropLabels);
    out.set(key, [...(out.get(key) ?? []), ...kept].sort((a, b) => a - b));
  }
  return out;
}

/** Options of {@link longTermCopy}. */
export interface LongTermCopyOptions extends SampleWindow {
  /** Prometheus's base URL (the reference). */
  readonly prometheus: string;
  /** VictoriaMetrics's base URL (the copy). */
  readonly victoriaMetrics: string;
  /** Labels remote_write adds (the external labels), left out of the copy's series keys. */
  readonly addedLabels: readonly string[];
  /** How long to keep comparing while samples are missing, in ms. */
  readonly settleMs: number;
  /** VictoriaMetrics's `-dedup.minScrapeInterval`, in ms (the stack sets it to the scrape interval). */
  readonly dedupIntervalMs: number;
}

/**
 * Prometheus's samples of the window (NaN values left out: VictoriaMetrics drops them) against
 * VictoriaMetrics's, compared again every 2 s while some are missing, up to `settleMs`: remote_write
 * shards send independently, so the queue's highest sent timestamp does not mean that every shard has
 * sent everything older.
 */
export async function longTermCopy(o: LongTermCopyOptions): Promise<SampleComparison> {
  const reference = await prometheusSamples(o.prometheus, o, { withoutNaN: true });
  const until = Date.now() + o.settleMs;
  for (;;) {
    const c = compareSamples(reference, await victoriaMetricsSamples(o.victoriaMetrics, o, o.addedLabels), { dedupIntervalMs: o.dedupIntervalMs });
    if (c.missing === 0 || Date.now() >= until) {
      return c;
    }
    await sleep(2000);
  }
}

/** Samples of one store missing from another, by series: what {@link compareSamples} finds. */
export interface SampleComparison {
  /** Series compared (those the reference holds in the window). */
  readonly series: number;
  /** Samples the reference holds in the window (those the copy's deduplication keeps). */
  readonly samples: number;
  /** Reference samples (series and timestamp) the copy does not hold. */
  readonly missing: number;
  /** Samples the copy holds that the reference does not (same series, other timestamps). */
  readonly extra: number;
  /** A few missing ones, for the failure message. */
  readonly examples: readonly string[];
  /** A few series with extra samples. */
  readonly extraExamples: readonly string[];
}

/**
 * The samples a store deduplicating at `intervalMs` keeps of `times` (ascending): VictoriaMetrics's
 * `-dedup.minScrapeInterval` keeps, of the samples of each window (k-1)·interval < t ≤ k·interval, the
 * last one. Two scrapes of one target fall in one window when a late scrape crosses a window's end.
 */
export function dedupedTimes(times: readonly number[], intervalMs: number): number[] {
  const kept = new Map<number, number>();
  for (const t of times) {
    kept.set(Math.ceil(t / intervalMs), t);
  }
  return [...kept.values()];
}

/** Options of {@link compareSamples}. */
export interface CompareOptions {
  /**
   * The copy's deduplication interval in ms: the reference's samples are first reduced to those the
   * copy keeps ({@link dedupedTimes}).
   * @default 0 (no deduplication: every sample must be there)
   */
  readonly dedupIntervalMs?: number;
}

/** Compares two stores' samples per series and timestamp: the copy should hold every sample of the reference (that its deduplication keeps). */
export function compareSamples(reference: ReadonlyMap<string, readonly number[]>, copy: ReadonlyMap<string, readonly number[]>, options: CompareOptions = {}): SampleComparison {
  const dedupIntervalMs = options.dedupIntervalMs ?? 0;
  let samples = 0;
  let missing = 0;
  let extra = 0;
  const examples: string[] = [];
  const extraExamples: string[] = [];
  for (const [key, all] of reference) {
    const times = dedupIntervalMs > 0 ? dedupedTimes(all, dedupIntervalMs) : all;
    samples += times.length;
    const got = new Set(copy.get(key) ?? []);
    const lost = times.filter((t) => !got.has(t));
    missing += lost.length;
    const want = new Set(all);
    const more = [...got].filter((t) => !want.has(t));
    extra += more.length;
    if (lost.length > 0 && examples.length < 5) {
      examples.push(`${key}: ${lost.length} of ${times.length} missing (first at ${new Date(lost[0]).toISOString()})`);
    }
    if (more.length > 0 && extraExamples.length < 5) {
      extraExamples.push(`${key}: ${more.length} extra (first at ${new Date(more[0]).toISOString()}; reference ${all.length} from ${new Date(all[0] ?? 0).toISOString()})`);
    }
  }
  return { series: reference.size, samples, missing, extra, examples, extraExamples };
}

/** One request the webhook receiver got. */
export interface Delivery {
  /** When it arrived (unix ms). */
  readonly at: number;
  /** The HTTP status the receiver answered. */
  readonly answered: number;
  readonly payload: WebhookPayload;
}

/** Alertmanager's webhook payload (the fields the suite reads). */
export interface WebhookPayload {
  readonly receiver: string;
  readonly status: string;
  readonly groupKey: string;
  readonly alerts: readonly { readonly status: string; readonly labels: Record<string, string>; readonly startsAt: string; readonly endsAt: string }[];
}

/** A webhook receiver on loopback that records every delivery and can fail on purpose. */
export class WebhookReceiver {
  /** Every request received, in order, with the status it was answered. */
  public readonly deliveries: Delivery[] = [];
  private failUntil = 0;
  private constructor(
    private readonly server: Server,
    /** The URL Alertmanager posts to. */
    public readonly url: string,
  ) {}

  /** Starts the receiver on a free loopback port. */
  public static async start(): Promise<WebhookReceiver> {
    let self: WebhookReceiver | undefined;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const answered = Date.now() < (self?.failUntil ?? 0) ? 500 : 200;
        try {
          self?.deliveries.push({ at: Date.now(), answered, payload: JSON.parse(body) as WebhookPayload });
        } catch {
          // not a webhook payload
        }
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, LOOPBACK, r));
    self = new WebhookReceiver(server, `http://${LOOPBACK}:${(server.address() as AddressInfo).port}/alerts`);
    return self;
  }

  /** Answers HTTP 500 to every delivery until `until` (unix ms). */
  public failDeliveriesUntil(until: number): void {
    this.failUntil = until;
  }

  /** Deliveries carrying an alert whose labels include all of `labels`, with that alert's status. */
  public about(labels: Readonly<Record<string, string>>): (Delivery & { readonly alertStatus: string })[] {
    return this.deliveries.flatMap((d) => {
      const alert = d.payload.alerts.find((a) => Object.entries(labels).every(([k, v]) => a.labels[k] === v));
      return alert === undefined ? [] : [{ ...d, alertStatus: alert.status }];
    });
  }

  /**
   * The delivered (answered 200) notifications carrying the alert with `labels` in `status`, and how
   * many of them repeat an earlier one: same group, status and alerts (each with its status, start and
   * labels). A notification of the same group with other alerts added or resolved is an update, not a copy.
   */
  public delivered(labels: Readonly<Record<string, string>>, status: 'firing' | 'resolved'): { distinct: number; duplicated: number } {
    const seen = new Set<string>();
    let duplicated = 0;
    for (const d of this.about(labels).filter((x) => x.answered === 200 && x.alertStatus === status)) {
      const alerts = d.payload.alerts.map((a) => JSON.stringify([a.status, a.startsAt, Object.entries(a.labels).sort()])).sort();
      const key = JSON.stringify([d.payload.groupKey, d.payload.status, alerts]);
      if (seen.has(key)) {
        duplicated += 1;
      }
      seen.add(key);
    }
    return { distinct: seen.size, duplicated };
  }

  /** Stops the server (open connections too). */
  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

/** Options of {@link ScrapeTarget.start}. */
export interface ScrapeTargetOptions {
  /** The pod's namespace (one the generated scrape jobs discover). */
  readonly namespace: string;
  /** The pod's name; its `app.kubernetes.io/name` (the job) is `app`. */
  readonly pod: string;
  readonly app: string;
  /** The exposition served at /metrics. */
  readonly metrics: () => string;
  /** The node the pod runs on (its `node` label). @default LOCAL_NODE */
  readonly nodeName?: string;
  /** Extra pod labels. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A scrape target the suite serves itself on loopback, as a pod of the local cluster; it can be made to fail. */
export class ScrapeTarget {
  private failing = false;
  /** Scrapes answered so far. */
  public scrapes = 0;
  private constructor(
    private readonly server: Server,
    /** The pod discovery finds (pass it in the harness's `extraPods`). */
    public readonly pod: LocalPod,
  ) {}

  /** Listens on a free loopback port and describes the pod that exposes it. */
  public static async start(o: ScrapeTargetOptions): Promise<ScrapeTarget> {
    let self: ScrapeTarget | undefined;
    const server = createServer((req, res) => {
      if (self?.failing === true || req.url !== '/metrics') {
        res.writeHead(self?.failing === true ? 503 : 404).end();
        return;
      }
      self!.scrapes += 1;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(o.metrics());
    });
    await new Promise<void>((r) => server.listen(0, LOOPBACK, r));
    const port = (server.address() as AddressInfo).port;
    const pod: LocalPod = {
      namespace: o.namespace,
      name: o.pod,
      uid: localUid(o.namespace, o.pod),
      nodeName: o.nodeName ?? LOCAL_NODE,
      ip: LOOPBACK,
      labels: { 'app.kubernetes.io/name': o.app, ...(o.labels ?? {}) },
      // The pod's own port is the local one already: nothing to map.
      annotations: scrapeAnnotations(port),
      containers: [{ name: o.app, ports: [{ name: 'metrics', port }] }],
    };
    self = new ScrapeTarget(server, pod);
    return self;
  }

  /** Makes scrapes fail (HTTP 503) or succeed again. */
  public setFailing(failing: boolean): void {
    this.failing = failing;
  }

  /** Stops the server (open connections too). */
  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

/** One row of the suite's results table. */
export interface FaultResult {
  /** The scenario's number in issue 22 (rows are printed in this order). */
  readonly scenario: number;
  readonly fault: string;
  readonly expected: string;
  /** What was counted, e.g. `0 of 41230 samples lost`. */
  readonly measured: string;
  /** Time from the end of the fault to recovery, e.g. `12.3 s`. */
  readonly recovery: string;
}

/** Where the suite's files append their rows (set by test/faults/setup.js). */
export const RESULTS_ENV = 'FLOBS_FAULTS_RESULTS';

/** Appends a row to the results table (and prints it at once). */
export function report(row: FaultResult): void {
  process.stderr.write(`fault result: ${row.fault} | ${row.expected} | ${row.measured} | ${row.recovery}\n`);
  const file = process.env[RESULTS_ENV];
  if (file !== undefined) {
    appendFileSync(file, `${JSON.stringify(row)}\n`);
  }
}

/** An active alert as Prometheus's `/api/v1/alerts` lists it. */
export interface ActiveAlert {
  readonly labels: Record<string, string>;
  readonly state: 'pending' | 'firing';
  /** When the condition started to hold (ISO 8601). */
  readonly activeAt: string;
}

/** The active (pending or firing) alerts named `alertname` whose labels include `labels`. */
export async function activeAlerts(prometheus: string, alertname: string, labels: Readonly<Record<string, string>> = {}): Promise<ActiveAlert[]> {
  const { alerts } = await promApi<{ alerts: ActiveAlert[] }>(prometheus, '/api/v1/alerts');
  return alerts.filter((a) => a.labels.alertname === alertname && Object.entries(labels).every(([k, v]) => a.labels[k] === v));
}

/** The state of the one alert named `alertname` with `labels`: pending, firing, or inactive. */
export async function alertState(prometheus: string, alertname: string, labels: Readonly<Record<string, string>> = {}): Promise<'pending' | 'firing' | 'inactive'> {
  const found = await activeAlerts(prometheus, alertname, labels);
  return found.some((a) => a.state === 'firing') ? 'firing' : found.length > 0 ? 'pending' : 'inactive';
}

/** One JSON log line of a CRI log file: the file and its sequence number. */
export interface SequencedLine {
  readonly file: string;
  readonly seq: number;
}

/**
 * The JSON lines carrying a `seq` field in CRI log files (complete `F` entries; the workload's
 * lines are short, never split), in file order.
 */
export function sequencedLines(files: readonly string[], read: (file: string) => string): SequencedLine[] {
  const out: SequencedLine[] = [];
  for (const file of files) {
    for (const line of read(file).split('\n')) {
      const m = /^\S+ (?:stdout|stderr) F (\{.*\})$/.exec(line);
      if (m === null) {
        continue;
      }
      try {
        const seq = (JSON.parse(m[1]) as { seq?: unknown }).seq;
        if (typeof seq === 'number') {
          out.push({ file, seq });
        }
      } catch {
        // not JSON
      }
    }
  }
  return out;
}

/** Lines of one store against the lines written: lost (written, not stored), duplicated (stored more than once), unknown (stored, never written). */
export interface LineComparison {
  readonly written: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly unknown: number;
  readonly examples: readonly string[];
}

/**
 * Compares the lines written with the lines stored, each identified by file and sequence number.
 * `writtenSince` is every line written by the time the store was read (a superset of `written`): a
 * stored line outside it is unknown.
 */
export function compareLines(written: readonly SequencedLine[], stored: readonly SequencedLine[], writtenSince: readonly SequencedLine[] = written): LineComparison {
  const key = (l: SequencedLine): string => `${l.file}#${l.seq}`;
  const counts = new Map<string, number>();
  stored.forEach((l) => counts.set(key(l), (counts.get(key(l)) ?? 0) + 1));
  const wanted = new Set(writtenSince.map(key));
  const lost = written.filter((l) => !counts.has(key(l)));
  const duplicated = [...counts].filter(([, n]) => n > 1);
  const unknown = [...counts.keys()].filter((k) => !wanted.has(k));
  return {
    written: new Set(written.map(key)).size,
    lost: lost.length,
    duplicated: duplicated.reduce((sum, [, n]) => sum + n - 1, 0),
    unknown: unknown.length,
    examples: [...lost.slice(0, 3).map((l) => `lost ${key(l)}`), ...duplicated.slice(0, 3).map(([k, n]) => `${n}× ${k}`), ...unknown.slice(0, 3).map((k) => `unknown ${k}`)],
  };
}
