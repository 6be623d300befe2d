import { join } from 'node:path';
import { ALERTMANAGER_PROBE } from '../../../src/components/alertmanager/health';
import { HealthStatus } from '../../../src/health/status';
import { configOf } from '../../helpers';
import { runProbe } from '../../health/probe-runner';
import { freePort, start, stopAll, tempDir, waitFor, writeYaml, type Started } from '../../health/processes';
import { tool } from '../../tools';

/** A real Alertmanager on loopback; `cluster` is its gossip port and peers, or none for a single replica. */
async function alertmanager(name: string, cluster?: { port: number; peers: number[] }): Promise<Started> {
  const port = await freePort();
  const dir = tempDir(`alertmanager-${name}`);
  const config = writeYaml(dir, 'alertmanager.yml', { route: { receiver: 'null' }, receivers: [{ name: 'null' }] });
  const clusterArgs =
    cluster === undefined
      ? ['--cluster.listen-address=']
      : [`--cluster.listen-address=127.0.0.1:${cluster.port}`, `--cluster.advertise-address=127.0.0.1:${cluster.port}`, ...cluster.peers.map((p) => `--cluster.peer=127.0.0.1:${p}`)];
  return start(name, tool('alertmanager'), [`--config.file=${config}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, ...clusterArgs], {
    port,
    readyPath: '/-/ready',
  });
}

let single: Started;
let peerA: Started;
let peerB: Started;

beforeAll(async () => {
  const [gossipA, gossipB] = [await freePort(), await freePort()];
  [single, peerA, peerB] = await Promise.all([
    alertmanager('single'),
    alertmanager('peer-a', { port: gossipA, peers: [gossipB] }),
    alertmanager('peer-b', { port: gossipB, peers: [gossipA] }),
  ]);
  // Both members see each other and the cluster settled.
  for (const p of [peerA, peerB]) {
    await waitFor(`${p.url}/api/v2/status`, (r) => /"status":"ready"/.test(r.body) && (JSON.parse(r.body).cluster.peers ?? []).length === 2, 90_000, p.output);
  }
}, 120_000);

afterAll(stopAll);

test('a single replica (alertmanager.replicas 1): ready, no peers to expect', async () => {
  expect(await runProbe(ALERTMANAGER_PROBE, single.url, configOf('minikube'))).toEqual({
    ready: { status: HealthStatus.OK, detail: '/-/ready answered 200' },
    cluster: { status: HealthStatus.OK, detail: 'single replica (cluster disabled)' },
  });
});

test('two peers gossiping, as alertmanager.replicas 2 wants: ok', async () => {
  const rows = await runProbe(ALERTMANAGER_PROBE, peerA.url, configOf('minikube', { alertmanager: { replicas: 2 } }));
  expect(rows.cluster).toEqual({ status: HealthStatus.OK, detail: 'cluster ready with 2/2 peers' });
});

test('fewer peers than alertmanager.replicas (production: 3): warning with the count', async () => {
  const rows = await runProbe(ALERTMANAGER_PROBE, peerB.url, configOf('production'));
  expect(rows.cluster).toEqual({ status: HealthStatus.WARNING, detail: 'cluster ready with 2/3 peers (alertmanager.replicas)' });
  // Without clustering at all, a replicated config is a warning too.
  expect((await runProbe(ALERTMANAGER_PROBE, single.url, configOf('production'))).cluster).toEqual({
    status: HealthStatus.WARNING,
    detail: 'cluster disabled with 0/3 peers (alertmanager.replicas)',
  });
});

test('an Alertmanager that is not listening: critical', async () => {
  const port = await freePort();
  const rows = await runProbe(ALERTMANAGER_PROBE, `http://127.0.0.1:${port}`);
  expect(rows.ready.status).toBe(HealthStatus.CRITICAL);
  expect(rows.ready.detail).toBe(`GET http://127.0.0.1:${port}/-/ready: connect ECONNREFUSED 127.0.0.1:${port}`);
});
