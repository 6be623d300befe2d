import { join } from 'node:path';
import { LOKI_PROBE } from '../../../src/components/loki/health';
import { HealthStatus } from '../../../src/health/status';
import { runProbe } from '../../health/probe-runner';
import { freePort, start, stopAll, tempDir, waitFor, writeYaml, type Started } from '../../health/processes';
import { tool } from '../../tools';

/** A real single-binary Loki on loopback; `minReadyDuration` keeps its ingester unready that long. */
async function loki(name: string, minReadyDuration: string): Promise<Started> {
  const [port, grpc] = [await freePort(), await freePort()];
  const dir = tempDir(`loki-${name}`);
  const config = writeYaml(dir, 'loki.yaml', {
    auth_enabled: false,
    server: { http_listen_address: '127.0.0.1', http_listen_port: port, grpc_listen_address: '127.0.0.1', grpc_listen_port: grpc },
    common: {
      path_prefix: dir,
      replication_factor: 1,
      instance_addr: '127.0.0.1',
      ring: { kvstore: { store: 'inmemory' } },
      storage: { filesystem: { chunks_directory: join(dir, 'chunks'), rules_directory: join(dir, 'rules') } },
    },
    schema_config: { configs: [{ from: '2024-01-01', store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: 'index_', period: '24h' } }] },
    ingester: { lifecycler: { min_ready_duration: minReadyDuration } },
    // No usage reports: nothing leaves the machine.
    analytics: { reporting_enabled: false },
  });
  // Started once its HTTP server answers; readiness is what the probe judges.
  return start(name, tool('loki'), [`-config.file=${config}`], { port, readyPath: '/loki/api/v1/status/buildinfo', timeoutMs: 90_000 });
}

let ready: Started;
let starting: Started;

beforeAll(async () => {
  [ready, starting] = await Promise.all([loki('ready', '0s'), loki('starting', '1h')]);
  await waitFor(`${ready.url}/ready`, (r) => r.status === 200, 90_000, ready.output);
  // The other one has its ring and schedulers up, and only the ingester's wait keeps it unready.
  await waitFor(`${starting.url}/ready`, (r) => r.body.includes('Ingester not ready: waiting for 1h0m0s after being ready'), 90_000, starting.output);
}, 180_000);

afterAll(stopAll);

test('a ready Loki: ok', async () => {
  expect(await runProbe(LOKI_PROBE, ready.url)).toEqual({ ready: { status: HealthStatus.OK, detail: '/ready answered 200' } });
});

test('a Loki whose ingester is not ready: critical with its own reason', async () => {
  expect(await runProbe(LOKI_PROBE, starting.url)).toEqual({
    ready: { status: HealthStatus.CRITICAL, detail: '/ready: HTTP 503: Ingester not ready: waiting for 1h0m0s after being ready' },
  });
});
