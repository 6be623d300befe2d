import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOKI_PROBE } from '../../../src/components/loki/health';
import { HealthStatus } from '../../../src/health/status';
import { runProbe } from '../../health/probe-runner';

// Loki (grafana/loki/v3) is AGPL and is no longer built or run here (issue 14): a loopback server
// answers `/ready` as Loki does, so the probe's HTTP path and judgement are real. Loki's HTTP API
// reference: `/ready` answers 200 when the instance is ready to accept traffic; otherwise 503 with the
// reason as plain text. The bodies are those a real Loki 3.7 answered the test this one replaces
// ("ready"; an ingester held back by `ingester.lifecycler.min_ready_duration`), and the services
// summary a Loki answers while one of its modules is not running (as reported by Loki operators).
let answer: { status: number; body: string };
const paths: string[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    paths.push(req.url ?? '');
    const ready = req.url === '/ready';
    res.writeHead(ready ? answer.status : 404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(ready ? answer.body : '404 page not found\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
  paths.length = 0;
});

test('a ready Loki: ok', async () => {
  answer = { status: 200, body: 'ready\n' };
  expect(await runProbe(LOKI_PROBE, url)).toEqual({ ready: { status: HealthStatus.OK, detail: '/ready answered 200' } });
  expect(paths).toEqual(['/ready']);
});

test('a Loki whose ingester is not ready: critical with its own reason', async () => {
  answer = { status: 503, body: 'Ingester not ready: waiting for 1h0m0s after being ready\n' };
  expect(await runProbe(LOKI_PROBE, url)).toEqual({
    ready: { status: HealthStatus.CRITICAL, detail: '/ready: HTTP 503: Ingester not ready: waiting for 1h0m0s after being ready' },
  });
});

test('a Loki with a module not running: critical with the first line of its summary', async () => {
  answer = { status: 503, body: 'Some services are not Running:\nTerminated:1\nRunning:5\n' };
  expect(await runProbe(LOKI_PROBE, url)).toEqual({ ready: { status: HealthStatus.CRITICAL, detail: '/ready: HTTP 503: Some services are not Running:' } });
});

test('the status decides, not the word: a 503 whose body says "ready" is critical', async () => {
  answer = { status: 503, body: 'ready\n' };
  expect((await runProbe(LOKI_PROBE, url)).ready.status).toBe(HealthStatus.CRITICAL);
});
