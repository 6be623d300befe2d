import type { RelabelRule } from '../config/schema';
import { ComponentName, ScrapeAnnotations } from './names';

/** Options of {@link scrapeAnnotations}. */
export interface ScrapeOptions {
  /** @default '/metrics' */
  readonly path?: string;
  /** The exporter's labels win over the target's (its series describe other pods). @default false */
  readonly honorLabels?: boolean;
  /** Served over HTTPS with the stack's web certificate (`webTls`). @default false */
  readonly webTls?: boolean;
}

/** Pod annotations that make Prometheus's pod scrape jobs scrape a port. */
export function scrapeAnnotations(port: number, options: ScrapeOptions = {}): Record<string, string> {
  return {
    [ScrapeAnnotations.scrape]: 'true',
    [ScrapeAnnotations.port]: String(port),
    [ScrapeAnnotations.path]: options.path ?? '/metrics',
    ...(options.honorLabels ?? false ? { [ScrapeAnnotations.honorLabels]: 'true' } : {}),
    ...(options.webTls ?? false ? { [ScrapeAnnotations.scheme]: 'https', [ScrapeAnnotations.webTls]: 'true' } : {}),
  };
}

/** The kubelet's metrics paths, by the standalone scrape job that reads each. */
export const KUBELET_METRICS_PATHS = { kubelet: '/metrics', cadvisor: '/metrics/cadvisor' } as const;
export type KubeletJob = keyof typeof KUBELET_METRICS_PATHS;

/**
 * The target label holding the path a kubelet target was scraped at. kube-prometheus scrapes the
 * kubelet and its cAdvisor in one job (`kubelet`) told apart by this label; the standalone stack sets
 * it too, so that cAdvisor series are selected the same way in both modes.
 */
export const METRICS_PATH_LABEL = 'metrics_path';

/** The pod discovery meta label of a pod label (`__meta_kubernetes_pod_label_<name, sanitized>`). */
export function podMetaLabel(label: string): string {
  return `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** The pod label whose value is a scraped pod's `job` label (both modes: the pod job's relabelling, the PodMonitors' jobLabel). */
export const JOB_POD_LABEL = 'app.kubernetes.io/name';

/**
 * Target labels every scraped pod gets besides job, namespace and pod (which the standalone pod job
 * and prometheus-operator each set their own way): its node, and the FL client's partition (its
 * StatefulSet pod index; other StatefulSets' pods get no client_index).
 */
export const POD_TARGET_LABELS: readonly RelabelRule[] = [
  { sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' },
  {
    sourceLabels: [podMetaLabel(JOB_POD_LABEL), podMetaLabel('apps.kubernetes.io/pod-index')],
    regex: `${ComponentName.FL_CLIENT};(\\d+)`,
    replacement: '$1',
    targetLabel: 'client_index',
    action: 'replace',
  },
];
