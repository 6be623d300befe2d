import type { StackConfig } from '../config/schema';
import type { ProvisionedDashboard } from '../components/grafana/grafana';

/** Everything the stack's mixins produce, rendered. */
export interface MonitoringOutput {
  /** Rule file name → YAML text. */
  readonly ruleFiles: Readonly<Record<string, string>>;
  readonly dashboards: readonly ProvisionedDashboard[];
}

export function collectMonitoring(_config: StackConfig): MonitoringOutput {
  return { ruleFiles: {}, dashboards: [] };
}
