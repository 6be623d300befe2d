/**
 * The bounded load of the fault suite: synthetic node-exporter targets on loopback (pods of the
 * agents namespace labelled as node-exporter, one per synthetic node, so the generated relabelling,
 * node recording rules, node alerts and cluster-resources dashboard all work on them), idle (no
 * series) until the load starts; and the dashboard queries of the generated dashboards, run as
 * Grafana would run a refresh, timed.
 */
import { parse } from 'yaml';
import { COMPONENTS } from '../../src/component-list';
import { ComponentName } from '../../src/common/names';
import type { StackConfig } from '../../src/config/schema';
import { parseDuration } from '../../src/config/values';
import { collectMonitoring } from '../../src/monitoring/collect';
import { promApi, ScrapeTarget } from './measure';

const CPU_MODES = ['idle', 'user', 'system', 'iowait', 'irq', 'softirq', 'steal', 'nice'] as const;
/** Series of a target besides the CPU ones: memory (2), filesystem (2), network (2), load (1). */
const OTHER_SERIES = 7;

/** Options of {@link LoadTargets.start}. */
export interface LoadTargetsOptions {
  readonly count: number;
  /** Series each target exposes while the load runs (a multiple of the CPU modes, plus 7). */
  readonly seriesPerTarget: number;
  /** The namespace of the node agents (the generated scrape jobs discover it). */
  readonly namespace: string;
}

/** node-exporter-like exposition of one synthetic node: counters that grow with time, steady gauges. */
function exposition(node: number, cpus: number, startedAt: number): string {
  const elapsed = (Date.now() - startedAt) / 1000;
  const lines: string[] = ['# TYPE node_cpu_seconds_total counter'];
  for (let cpu = 0; cpu < cpus; cpu++) {
    for (const mode of CPU_MODES) {
      // 70 % idle, the rest shared by the other modes.
      const share = mode === 'idle' ? 0.7 : 0.3 / (CPU_MODES.length - 1);
      lines.push(`node_cpu_seconds_total{cpu="${cpu}",mode="${mode}"} ${(1000 + elapsed * share).toFixed(3)}`);
    }
  }
  const gib = 2 ** 30;
  lines.push(
    `node_memory_MemTotal_bytes ${64 * gib}`,
    `node_memory_MemAvailable_bytes ${(32 + (node % 8)) * gib}`,
    `node_filesystem_size_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} ${500 * gib}`,
    `node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} ${250 * gib}`,
    `node_network_receive_bytes_total{device="eth0"} ${Math.round(elapsed * 1e6)}`,
    `node_network_transmit_bytes_total{device="eth0"} ${Math.round(elapsed * 5e5)}`,
    `node_load1 ${(1 + (node % 4) / 4).toFixed(2)}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The synthetic targets; they expose nothing until {@link LoadTargets.begin}. */
export class LoadTargets {
  private activeSince: number | undefined;
  private constructor(
    public readonly targets: readonly ScrapeTarget[],
    /** Series each target exposes while active. */
    public readonly seriesPerTarget: number,
  ) {}

  /** Listens on `count` loopback ports, one pod (and node) each. */
  public static async start(o: LoadTargetsOptions): Promise<LoadTargets> {
    const cpus = (o.seriesPerTarget - OTHER_SERIES) / CPU_MODES.length;
    if (!Number.isInteger(cpus) || cpus < 1) {
      throw new Error(`seriesPerTarget ${o.seriesPerTarget} is not ${OTHER_SERIES} + a multiple of ${CPU_MODES.length} (the CPU modes)`);
    }
    let self: LoadTargets | undefined;
    const targets = await Promise.all(
      Array.from({ length: o.count }, (_, i) =>
        ScrapeTarget.start({
          namespace: o.namespace,
          pod: `node-exporter-load-node-${i}`,
          app: ComponentName.NODE_EXPORTER,
          nodeName: `load-node-${i}`,
          metrics: () => (self?.activeSince === undefined ? '' : exposition(i, cpus, self.activeSince)),
        }),
      ),
    );
    self = new LoadTargets(targets, o.seriesPerTarget);
    return self;
  }

  /** Starts exposing the series. */
  public begin(): void {
    this.activeSince = Date.now();
  }

  /** Stops exposing them (the targets stay up, empty). */
  public end(): void {
    this.activeSince = undefined;
  }

  /** Stops every target's server. */
  public async close(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.close()));
  }
}

/** A PromQL query of a dashboard panel, with Grafana's variables substituted. */
export interface DashboardQuery {
  /** `<dashboard uid>/<panel title>`. */
  readonly panel: string;
  readonly expr: string;
}

interface Variable {
  name: string;
  type: string;
  allValue?: string;
  current?: { value?: string | string[] };
}

/**
 * Every PromQL query of the generated dashboards as a refresh would run it: each variable at its
 * default ("All" → its allValue), `$__rate_interval` and `$__interval` from the scrape interval.
 */
export function dashboardQueries(config: StackConfig): DashboardQuery[] {
  const scrape = parseDuration(config.scrapeInterval)! / 1000;
  const builtins: Record<string, string> = { __interval: `${3 * scrape}s`, __rate_interval: `${4 * scrape}s`, __range: '15m' };
  return collectMonitoring(config, COMPONENTS).dashboardDefs.flatMap((def) => {
    const vars = new Map(Object.entries(builtins));
    for (const v of ((def.json.templating as { list?: Variable[] } | undefined)?.list ?? []).filter((x) => x.type !== 'datasource')) {
      const current = Array.isArray(v.current?.value) ? v.current?.value[0] : v.current?.value;
      vars.set(v.name, current === '$__all' ? (v.allValue ?? '.*') : (current ?? ''));
    }
    const substitute = (text: string): string => text.replace(/\$\{?(\w+)\}?/g, (m, name: string) => vars.get(name) ?? m);
    return (def.json.panels as { title: string; targets?: { expr: string; datasource?: { type?: string } }[] }[]).flatMap((p) =>
      (p.targets ?? []).filter((t) => t.datasource?.type === 'prometheus').map((t) => ({ panel: `${def.uid}/${p.title}`, expr: substitute(t.expr) })),
    );
  });
}

/** The recording rules of the generated rule files: what they record and the expression they stand for. */
export function recordingRules(config: StackConfig): { record: string; expr: string }[] {
  return Object.values(collectMonitoring(config, COMPONENTS).ruleFiles).flatMap((text) =>
    (parse(text) as { groups: { rules: { record?: string; expr: string }[] }[] }).groups.flatMap((g) =>
      g.rules.flatMap((r) => (r.record === undefined ? [] : [{ record: r.record, expr: r.expr }])),
    ),
  );
}

/** A range query as a dashboard panel runs it. */
export interface RangeQuery {
  readonly expr: string;
  /** The range, ending now, in seconds. */
  readonly rangeSeconds: number;
  /** One point per this many seconds. */
  readonly stepSeconds: number;
}

/** Times one range query against Prometheus, in ms; throws on a query error. */
export async function timedRangeQuery(prometheus: string, q: RangeQuery): Promise<number> {
  const end = Date.now() / 1000;
  const t0 = performance.now();
  await promApi(prometheus, '/api/v1/query_range', { query: q.expr, start: String(end - q.rangeSeconds), end: String(end), step: String(q.stepSeconds) });
  return performance.now() - t0;
}

/** The `p`-quantile (0…1) of `values` (nearest rank), 0 when empty. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) {
    return 0;
  }
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
