import type { HealthReport } from './health';
import { HealthStatus } from './status';

/** Rows by status. */
export function countByStatus(report: HealthReport): Record<HealthStatus, number> {
  const counts = { [HealthStatus.OK]: 0, [HealthStatus.WARNING]: 0, [HealthStatus.CRITICAL]: 0 };
  for (const r of report.results) {
    counts[r.status] += 1;
  }
  return counts;
}

/** The last line of the table: the overall status and the counts. */
export function summaryLine(report: HealthReport): string {
  const c = countByStatus(report);
  return `health: ${report.status} (${c.ok} ok, ${c.warning} warning, ${c.critical} critical)`;
}

/** A plain-text table, one row per check, columns padded; the summary line last. */
export function formatTable(report: HealthReport): string {
  const header = ['STATUS', 'COMPONENT', 'CHECK', 'DETAIL'];
  const rows = report.results.map((r) => [r.status, r.component, r.check, r.detail]);
  const widths = header.slice(0, 3).map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => [...cells.slice(0, 3).map((c, i) => c.padEnd(widths[i])), cells[3]].join('  ').trimEnd();
  return [line(header), ...rows.map(line), '', summaryLine(report)].join('\n');
}

/** The report as JSON for tools: overall status, counts, the rows; `time` when given (continuous mode). */
export function formatJson(report: HealthReport, options: { time?: Date; compact?: boolean } = {}): string {
  const value = {
    ...(options.time === undefined ? {} : { time: options.time.toISOString() }),
    status: report.status,
    counts: countByStatus(report),
    checks: report.results.map((r) => ({ component: r.component, check: r.check, status: r.status, detail: r.detail })),
  };
  return options.compact ?? false ? JSON.stringify(value) : JSON.stringify(value, null, 2);
}
