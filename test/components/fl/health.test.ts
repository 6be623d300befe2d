import { resolve } from 'node:path';
import { FL_SERVER_PROBE } from '../../../src/components/fl/health';
import { flServerEnv } from '../../../src/components/fl/fl';
import { flMetrics } from '../../../src/components/fl/metrics';
import { ComponentName } from '../../../src/common/names';
import { httpGet } from '../../../src/health/http';
import { HealthStatus } from '../../../src/health/status';
import { configOf } from '../../helpers';
import { runProbe } from '../../health/probe-runner';
import { freePort, start, stopAll, tempDir, type Started } from '../../health/processes';

const FL = resolve(__dirname, '../../../workloads/fl');
const SERVER_METRICS = flMetrics(configOf()).filter((m) => m.exporter === ComponentName.FL_SERVER);

let server: Started;
let exposition: string;

beforeAll(async () => {
  const [fleet, metrics] = [await freePort(), await freePort()];
  // The real FL server (Flower SuperLink and the metrics wrapper), on loopback, waiting for clients.
  server = await start('fl-server', `${FL}/.venv/bin/python`, ['-m', 'fl_workload.server'], {
    port: metrics,
    readyPath: '/readyz',
    timeoutMs: 90_000,
    // The wrapper starts the SuperLink and more: stop them all with it.
    group: true,
    graceMs: 15_000,
    env: {
      PYTHONPATH: `${FL}/app`,
      PYTHONUNBUFFERED: '1',
      FLWR_TELEMETRY_ENABLED: '0',
      FLWR_DISABLE_UPDATE_CHECK: '1',
      TMPDIR: tempDir('fl-server'),
      FL_SERVER_HOST: '127.0.0.1',
      FL_SERVER_PORT: String(fleet),
      FL_METRICS_HOST: '127.0.0.1',
      FL_METRICS_PORT: String(metrics),
      FL_ROUND_DURATION_BUCKETS: flServerEnv(configOf().fl).FL_ROUND_DURATION_BUCKETS,
    },
  });
  exposition = (await httpGet(`${server.url}/metrics`)).body;
}, 120_000);

afterAll(stopAll);

/** The probe's only check, judged on a given answer. */
function judge(status: number, body: string) {
  return FL_SERVER_PROBE.checks(configOf())[0].evaluate({ status, body });
}

test('the running FL server exports every fl-server metric of the catalog: ok', async () => {
  expect(await runProbe(FL_SERVER_PROBE, server.url)).toEqual({
    'fl metrics': { status: HealthStatus.OK, detail: `all ${SERVER_METRICS.length} fl-server metrics exported` },
  });
});

test('its exposition without fl_accuracy: a warning naming the missing metric', () => {
  const body = exposition
    .split('\n')
    .filter((l) => !/^(# (HELP|TYPE) )?fl_accuracy\b/.test(l))
    .join('\n');
  expect(judge(200, body)).toEqual({
    status: HealthStatus.WARNING,
    detail: `${SERVER_METRICS.length - 1}/${SERVER_METRICS.length} fl-server metrics exported; missing fl_accuracy`,
  });
});

test('an exposition without any fl-server metric (e.g. a bare Python exporter): critical', () => {
  const body = exposition
    .split('\n')
    .filter((l) => !l.includes('fl_'))
    .concat(['# TYPE python_info gauge', 'python_info{version="3.11"} 1'])
    .join('\n');
  expect(judge(200, body)).toEqual({ status: HealthStatus.CRITICAL, detail: `no fl_* metric of the contract in /metrics (${SERVER_METRICS.length} expected)` });
  expect(judge(503, 'not ready')).toEqual({ status: HealthStatus.CRITICAL, detail: '/metrics: HTTP 503: not ready' });
});

test('a stopped FL server: critical', async () => {
  await server.stop();
  const rows = await runProbe(FL_SERVER_PROBE, server.url);
  expect(rows['fl metrics'].status).toBe(HealthStatus.CRITICAL);
  expect(rows['fl metrics'].detail).toContain('ECONNREFUSED');
});
