import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GRAFANA_PROBE } from '../../../src/components/grafana/health';
import { HealthStatus } from '../../../src/health/status';
import { runProbe } from '../../health/probe-runner';

// No Grafana binary can be built here (it is not a small Go module): a loopback server answers
// `/api/health` with the bodies Grafana documents, so the probe's HTTP path and judgement are real.
let answer: { status: number; body: string };
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(req.url === '/api/health' ? answer.status : 404, { 'content-type': 'application/json' });
    res.end(req.url === '/api/health' ? answer.body : '{"message":"Not found"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

test('database ok: healthy, with the version', async () => {
  answer = { status: 200, body: '{\n  "commit": "abc",\n  "database": "ok",\n  "version": "12.3.1"\n}' };
  expect(await runProbe(GRAFANA_PROBE, url)).toEqual({ health: { status: HealthStatus.OK, detail: 'database ok, version 12.3.1' } });
});

test('database failing (503): critical', async () => {
  answer = { status: 503, body: '{"commit":"abc","database":"failing","version":"12.3.1"}' };
  expect(await runProbe(GRAFANA_PROBE, url)).toEqual({ health: { status: HealthStatus.CRITICAL, detail: '/api/health: HTTP 503, database failing' } });
});

test('something else answering (no health body): critical with the status and body', async () => {
  answer = { status: 502, body: 'Bad Gateway' };
  expect(await runProbe(GRAFANA_PROBE, url)).toEqual({ health: { status: HealthStatus.CRITICAL, detail: '/api/health: HTTP 502: Bad Gateway' } });
});
