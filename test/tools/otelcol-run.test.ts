import { LOG_STREAM_LABELS } from '../../src/common/labels';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { OtelComponent, otelCollectorConfig } from '../../src/components/otel-collector/config';
import { OTEL_COLLECTOR_METRICS } from '../../src/components/otel-collector/metrics';
import { stackTopology } from '../../src/component-list';
import { resolveConfig } from '../../src/config/loader';
import { tool } from '../tools';

/**
 * The generated config run by the collector itself: pod log files in the kubelet's layout go in, OTLP
 * comes out at a stand-in for Loki's OTLP endpoint, and the collector's own metrics carry the names
 * the catalog promises. Only the host-specific values are moved: the pod log glob, the file_storage
 * directory, the Loki address and the two listen ports (exporter `encoding: json` so the test can
 * read the payload; the wire format is not what is under test).
 */
jest.setTimeout(60_000);

type Doc = Record<string, any>;
type Attr = { key: string; value: { stringValue?: string } };
const attrs = (list: Attr[] = []): Record<string, string | undefined> => Object.fromEntries(list.map((a) => [a.key, a.value.stringValue]));

let loki: Server;
let collector: ChildProcess | undefined;
const received: Doc[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  loki = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      if (req.url === '/otlp/v1/logs') received.push(JSON.parse(body.toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => loki.listen(0, '127.0.0.1', () => r()));
});

afterAll(async () => {
  collector?.kill('SIGTERM');
  await new Promise((r) => loki.close(r));
});

test('pod logs in, Loki OTLP out with the stream attributes and JSON fields; own metrics as catalogued', async () => {
  // Fluentd off: this agent ships the FL namespace and parses its JSON lines.
  const config = resolveConfig({ overrides: { fluentd: { enabled: false } } });
  const doc = otelCollectorConfig(config, stackTopology(config)) as Doc;
  const root = mkdtempSync(join(tmpdir(), 'flobs-otelcol-run-'));
  const pods = join(root, 'pods');
  const state = join(root, 'state');
  mkdirSync(state);
  const [metricsPort, healthPort] = [await freePort(), await freePort()];
  const lokiPort = (loki.address() as AddressInfo).port;
  const receiver = doc.receivers[OtelComponent.receiver];
  receiver.include = receiver.include.map((g: string) => g.replace('/var/log/pods', pods));
  doc.extensions[OtelComponent.storage].directory = state;
  doc.extensions[OtelComponent.health].endpoint = `127.0.0.1:${healthPort}`;
  const exporter = doc.exporters[OtelComponent.exporter];
  exporter.endpoint = exporter.endpoint.replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${lokiPort}`);
  exporter.encoding = 'json';
  exporter.sending_queue.batch.flush_timeout = '200ms';
  doc.service.telemetry.metrics.readers[0].pull.exporter.prometheus = { host: '127.0.0.1', port: metricsPort };

  // The kubelet's layout: <namespace>_<pod>_<uid>/<container>/<restart>.log, CRI lines.
  const dir = join(pods, `${config.namespaces.training}_fl-client-1_0b7c4f2e-1111-2222-3333-444455556666`, 'fl-client');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, '0.log'),
    [
      '2026-03-02T10:00:00.000000001Z stdout F {"level":"info","event":"round_finished","round":3}',
      '2026-03-02T10:00:00.000000002Z stderr F Traceback (most recent call last):',
    ].join('\n') + '\n',
  );
  const file = join(root, 'config.yaml');
  writeFileSync(file, stringify(doc, { lineWidth: 0 }));
  collector = spawn(tool('otelcol'), [`--config=${file}`], { env: { ...process.env, K8S_NODE_NAME: 'node-1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  collector.stderr!.on('data', (c) => (stderr += c));

  await until('the health_check extension', async () => ((await fetch(`http://127.0.0.1:${healthPort}/`)).ok ? true : undefined)).catch((e) => {
    throw new Error(`${e.message}\n${stderr}`);
  });
  const records = await until('two log records at the Loki stand-in', async () => {
    const all = received.flatMap((r) => r.resourceLogs.flatMap((rl: Doc) => rl.scopeLogs.flatMap((sl: Doc) => sl.logRecords.map((lr: Doc) => ({ resource: attrs(rl.resource.attributes), record: lr })))));
    return all.length >= 2 ? all : undefined;
  });
  expect(Object.keys(records[0]!.resource).filter((k) => (LOG_STREAM_LABELS as readonly string[]).includes(k)).sort()).toEqual([...LOG_STREAM_LABELS].sort());
  expect(records[0]!.resource).toMatchObject({ namespace: 'fl-training', pod: 'fl-client-1', container: 'fl-client', node: 'node-1', cluster: 'minikube', agent: 'otel-collector' });
  const [json, plain] = records.map((r) => r.record);
  expect(json.body.stringValue).toBe('{"level":"info","event":"round_finished","round":3}');
  expect(attrs(json.attributes)).toMatchObject({ level: 'info', event: 'round_finished' });
  expect(plain.body.stringValue).toBe('Traceback (most recent call last):');
  expect(attrs(plain.attributes)).not.toHaveProperty('level');

  const exposition = await until('the collector metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return /otelcol_exporter_sent_log_records\{/.test(text) ? text : undefined;
  });
  const names = new Set([...exposition.matchAll(/^([a-z_:]+)\{/gm)].map((m) => m[1]));
  // What a healthy run exposes (the exporter's failure counters appear on their first failure).
  for (const name of ['otelcol_receiver_accepted_log_records', 'otelcol_receiver_refused_log_records', 'otelcol_exporter_sent_log_records', 'otelcol_exporter_queue_size', 'otelcol_exporter_queue_capacity']) {
    expect(OTEL_COLLECTOR_METRICS.map((m) => m.name)).toContain(name);
    expect({ name, exposed: names.has(name) }).toEqual({ name, exposed: true });
  }
  expect(exposition).toMatch(/otelcol_receiver_accepted_log_records\{[^}]*receiver="file_log"/);
  expect(exposition).toMatch(/otelcol_exporter_sent_log_records\{[^}]*exporter="otlp_http"/);
  expect(exposition).toMatch(new RegExp(`otelcol_exporter_queue_capacity\\{[^}]*data_type="logs"[^}]*\\} ${config.otelCollector.queueSize}\\b`));
});
