import { PART_OF, type ComponentName, type ComponentRole } from './names';

/** The recommended labels of a component's objects. */
export function componentLabels(name: ComponentName, role: ComponentRole, version: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/component': role,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/version': version,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}

/** The labels that select a component's pods: stable across versions, so upgrades keep selectors. */
export function selectorLabels(name: ComponentName): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': PART_OF };
}

/**
 * The stream labels of every shipped log line, whichever node agent shipped it (Promtail sets them by
 * relabelling, the OpenTelemetry Collector as resource attributes, which Loki's `otlp_config` indexes
 * as labels): queries and dashboards select on these.
 */
export const LOG_STREAM_LABELS = ['namespace', 'pod', 'container', 'node', 'cluster', 'agent'] as const;
export type LogStreamLabel = (typeof LOG_STREAM_LABELS)[number];
