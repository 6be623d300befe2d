/**
 * VictoriaLogs (github.com/VictoriaMetrics/VictoriaLogs, Apache-2.0) as the live stack's log sink in
 * place of Loki, which is not built or run here (AGPL, issue 14). It receives exactly what the
 * generated agents send to Loki's Service, on the endpoints of the same protocols (VictoriaLogs docs,
 * v1.52: data ingestion and querying):
 *  - OTLP/HTTP protobuf at `/insert/opentelemetry/v1/logs` (every resource attribute becomes a stream
 *    field unless a `VL-Stream-Fields` header says otherwise; the body is `_msg`). It also takes the
 *    Loki push API at `/insert/loki/api/v1/push`, unused here: no agent of the live stack pushes with it;
 *  - LogsQL queries at `/select/logsql/query` (one JSON object per line).
 * It is started on 127.0.0.1 with its data under the stack's temporary directory.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tool } from '../tools';
import { ManagedProcess } from './processes';

/** The running sink. */
export interface LogSink {
  readonly process: ManagedProcess;
  /** Base URL, no trailing slash. */
  readonly url: string;
  /** Where Loki's OTLP endpoint (`<loki>/otlp`, to which exporters append `/v1/logs`) lands. */
  readonly otlpPrefix: string;
}

/** Options of {@link startVictoriaLogs}. */
export interface VictoriaLogsOptions {
  readonly port: number;
  /** Directory for its data and its CRI-format output. */
  readonly dir: string;
  /** `-retentionPeriod` (VictoriaLogs accepts d, w, y units as well as h). */
  readonly retention: string;
  readonly env?: Readonly<Record<string, string>>;
}

const LOOPBACK = '127.0.0.1';

/** The sink's URLs for a port (known before it is started: the transform needs them). */
export function victoriaLogsEndpoints(port: number): { url: string; otlpPrefix: string } {
  const url = `http://${LOOPBACK}:${port}`;
  return { url, otlpPrefix: `${url}/insert/opentelemetry` };
}

/** Starts VictoriaLogs (not waiting: see {@link victoriaLogsReady}). */
export function startVictoriaLogs(o: VictoriaLogsOptions): LogSink {
  const data = join(o.dir, 'data');
  mkdirSync(data, { recursive: true });
  const process = new ManagedProcess({
    name: 'victoria-logs',
    command: tool('victoria-logs'),
    args: [`-httpListenAddr=${LOOPBACK}:${o.port}`, `-storageDataPath=${data}`, `-retentionPeriod=${o.retention}`],
    env: { PATH: globalThis.process.env.PATH ?? '/usr/bin:/bin', HOME: o.dir, ...(o.env ?? {}) },
    cwd: o.dir,
    criLog: join(o.dir, 'output.log'),
  });
  return { process, ...victoriaLogsEndpoints(o.port) };
}

/** Whether `/health` answers 200 (VictoriaMetrics' apps answer `OK` once they serve). */
export async function victoriaLogsReady(sink: LogSink): Promise<boolean> {
  try {
    const res = await fetch(`${sink.url}/health`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** One log entry as `/select/logsql/query` returns it: `_msg`, `_time`, `_stream` and every field. */
export type LogEntry = Readonly<Record<string, string>>;

/**
 * Runs a LogsQL query and returns its entries. `start`/`end` bound the time range (ms since the
 * epoch); `limit` caps the number of entries. Throws with VictoriaLogs's message on an error status.
 */
export async function logsql(sink: LogSink, query: string, opts: { start?: number; end?: number; limit?: number } = {}): Promise<LogEntry[]> {
  const form = new URLSearchParams({ query });
  if (opts.start !== undefined) form.set('start', new Date(opts.start).toISOString());
  if (opts.end !== undefined) form.set('end', new Date(opts.end).toISOString());
  if (opts.limit !== undefined) form.set('limit', String(opts.limit));
  const res = await fetch(`${sink.url}/select/logsql/query`, { method: 'POST', body: form, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  if (res.status !== 200) {
    throw new Error(`LogsQL ${query}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LogEntry);
}

/** A LogsQL string literal (double-quoted, with `"` and `\` escaped). */
export function quote(value: string): string {
  return JSON.stringify(value);
}
