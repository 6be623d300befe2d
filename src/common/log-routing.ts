import type { StackConfig } from '../config/schema';

/**
 * Which log agent ships which namespace, decided once for every agent: Fluentd ships the FL
 * namespace's JSON logs; the node agent (the OpenTelemetry Collector or Promtail) ships the rest,
 * and leaves Fluentd's namespaces alone when both land in the same Loki, so nothing is shipped twice.
 */

/** Namespaces whose container logs Fluentd ships. */
export function fluentdNamespaces(config: StackConfig): string[] {
  return config.fluentd.enabled ? [config.namespaces.training] : [];
}

/** Whether Fluentd's streams land in the stack's Loki. */
export function fluentdShipsToLoki(config: StackConfig): boolean {
  return config.fluentd.enabled && config.fluentd.output.type === 'loki' && config.loki.enabled;
}

/** Namespaces the node log agent leaves to Fluentd: those Fluentd ships to the same Loki. */
export function nodeAgentSkippedNamespaces(config: StackConfig): string[] {
  return fluentdShipsToLoki(config) ? fluentdNamespaces(config) : [];
}

/** Whether an enabled log agent pushes to Loki's Service (whether or not Loki is deployed). */
export function logAgentPushesToLoki(config: StackConfig): boolean {
  return config.otelCollector.enabled || config.promtail.enabled || (config.fluentd.enabled && config.fluentd.output.type === 'loki');
}
