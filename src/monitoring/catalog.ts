import { compareCodeUnits } from '../common/order';

/** Prometheus metric types, as exposition formats name them. */
export enum MetricType {
  COUNTER = 'counter',
  GAUGE = 'gauge',
  HISTOGRAM = 'histogram',
}

/** One metric that dashboards and rules may use: the contract with its exporter. */
export interface MetricDef {
  /** Sample name; counters include `_total`, histograms are named without `_bucket/_sum/_count`. */
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** Labels the exporter itself sets (the scrape adds job, namespace, pod, node). */
  readonly labels: readonly string[];
  /** Unit: `seconds`, `bytes`, `ratio`, `percent`, `celsius`, `watts`, or '' for counts. */
  readonly unit: string;
  /** Who exports it: an `app.kubernetes.io/name`, or `kubelet` / `cadvisor`. */
  readonly exporter: string;
  /** Histogram buckets, when the exporter's are part of the contract. */
  readonly buckets?: readonly number[];
}

/** A small constructor that keeps catalog entries one line each. */
export function metric(
  exporter: string,
  name: string,
  type: MetricType,
  help: string,
  options: { labels?: readonly string[]; unit?: string; buckets?: readonly number[] } = {},
): MetricDef {
  return {
    name,
    type,
    help,
    labels: options.labels ?? [],
    unit: options.unit ?? '',
    exporter,
    ...(options.buckets === undefined ? {} : { buckets: options.buckets }),
  };
}

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/** The catalog of every metric in use, with look-up by sample name (histogram series included). */
export class MetricCatalog {
  private readonly byName = new Map<string, MetricDef>();

  constructor(public readonly metrics: readonly MetricDef[]) {
    for (const m of metrics) {
      if (this.byName.has(m.name)) {
        throw new Error(`metric catalog: ${m.name} is defined twice (exporters ${this.byName.get(m.name)!.exporter} and ${m.exporter})`);
      }
      this.byName.set(m.name, m);
    }
  }

  /** The definition a sample name belongs to (e.g. `x_bucket` → histogram `x`), if any. */
  lookup(sample: string): MetricDef | undefined {
    const direct = this.byName.get(sample);
    if (direct !== undefined) {
      return direct;
    }
    for (const suffix of HISTOGRAM_SUFFIXES) {
      if (sample.endsWith(suffix)) {
        const base = this.byName.get(sample.slice(0, -suffix.length));
        if (base?.type === MetricType.HISTOGRAM) {
          return base;
        }
      }
    }
    return undefined;
  }

  /** The catalog as the plain JSON contract file (contracts/metric-catalog.json). */
  toJson(): { metrics: MetricDef[] } {
    return { metrics: [...this.metrics].sort((a, b) => compareCodeUnits(a.exporter, b.exporter) || compareCodeUnits(a.name, b.name)) };
  }
}
