import type { StackConfig } from '../config/schema';

/** Everything the stack's mixins produce, rendered. */
export interface MonitoringOutput {
  /** Rule file name → YAML text. */
  readonly ruleFiles: Readonly<Record<string, string>>;
}

export function collectMonitoring(_config: StackConfig): MonitoringOutput {
  return { ruleFiles: {} };
}
