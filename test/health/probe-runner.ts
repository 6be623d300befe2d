import type { StackConfig } from '../../src/config/schema';
import { stackHealth } from '../../src/health-command';
import { CheckKind, checkHealth } from '../../src/health/health';
import type { ComponentProbe } from '../../src/health/probe';
import type { CheckResult } from '../../src/health/status';
import { configOf } from '../helpers';

/** Runs one component's probe against a base URL (the `--endpoint` transport); rows by check name. */
export async function runProbe(probe: ComponentProbe, url: string, config: StackConfig = configOf()): Promise<Record<string, Omit<CheckResult, 'component' | 'check'>>> {
  const report = await checkHealth({ ...stackHealth(config), probes: [{ ...probe, enabled: () => true }], checks: new Set([CheckKind.PROBES]), endpoints: new Map([[probe.component, url]]), timeoutMs: 5000 });
  expect(report.results.every((r) => r.component === probe.component)).toBe(true);
  return Object.fromEntries(report.results.map((r) => [r.check, { status: r.status, detail: r.detail }]));
}
