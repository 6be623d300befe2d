import { ComponentName } from '../../common/names';
import {
  dashboard,
  dashboardDef,
  DashboardFolder,
  defaultMetricsDatasource,
  logMetricsPanel,
  logsPanel,
  lokiQuery,
  streamSel,
  Unit,
} from '../../monitoring/dashboard';
import type { DashboardDef, MixinContext } from '../../monitoring/mixin';

/**
 * Streams of the FL workloads, by container (each FL pod's container is named after its component).
 * `container` is a stream label every node agent sets (LOG_STREAM_LABELS); `app` is not: the
 * OpenTelemetry Collector only knows what a log file's path says.
 */
const FL_CONTAINERS = `~${ComponentName.FL_SERVER}|${ComponentName.FL_CLIENT}`;
const stream = (container: string) => streamSel({ namespace: '$namespace', container });
/** Case-insensitive line filter from the `search` text box (empty matches every line). */
const SEARCH = '|~ "(?i)$search"';
/** After `| json`: the `level` field (or the stream's `level` label, which fluentd sets to the same value). */
const ERRORS = '| level=~"(?i)error|critical"';

/** The queries of the logs dashboard (layout below). The FL workloads log one JSON object per line. */
const queries = {
  serverLogs: `${stream(ComponentName.FL_SERVER)} ${SEARCH} | json`,
  clientLogs: `${stream(ComponentName.FL_CLIENT)} ${SEARCH} | json`,
  errorLogs: `${stream(FL_CONTAINERS)} ${SEARCH} | json ${ERRORS}`,
  linesByLevel: `sum by (level) (count_over_time(${stream(FL_CONTAINERS)} | json | __error__="" [$__interval]))`,
  errorsByContainer: `sum by (container) (count_over_time(${stream(FL_CONTAINERS)} | json | __error__="" ${ERRORS} [$__interval]))`,
  linesByPod: `sum by (pod) (count_over_time(${stream(FL_CONTAINERS)} [$__interval]))`,
};

/** Logs of the FL server and clients, and their volume by level. */
export function lokiDashboards(ctx: MixinContext): DashboardDef[] {
  const q = queries;
  const logs = dashboard('fl-logs', 'FL logs', {
    tags: ['logs', 'fl'],
    description: 'Logs of the FL server and clients (Loki), with their volume by level. Loki ingestion itself is on the stack health dashboard.',
    namespace: { default: ctx.config.namespaces.training },
    metricsDatasource: defaultMetricsDatasource(ctx.config),
    logs: true,
    rows: [
      {
        title: 'Volume',
        panels: [
          logMetricsPanel('Log lines by level', Unit.SHORT, [lokiQuery(q.linesByLevel, '{{level}}')], {
            width: 8,
            bars: true,
            stack: true,
            description: 'FL log lines per interval, by the level field of each JSON line.',
          }),
          logMetricsPanel('Errors by container', Unit.SHORT, [lokiQuery(q.errorsByContainer, '{{container}}')], {
            width: 8,
            bars: true,
            stack: true,
            description: 'Error and critical lines per interval.',
          }),
          logMetricsPanel('Log lines by pod', Unit.SHORT, [lokiQuery(q.linesByPod, '{{pod}}')], { width: 8, bars: true, stack: true }),
        ],
      },
      {
        title: 'Logs',
        panels: [
          logsPanel('Errors (server and clients)', [lokiQuery(q.errorLogs)], { height: 8 }),
          logsPanel('FL server', [lokiQuery(q.serverLogs)]),
          logsPanel('FL clients', [lokiQuery(q.clientLogs)]),
        ],
      },
    ],
  });
  return [dashboardDef(logs, DashboardFolder.LOGS)];
}
