import { join } from 'node:path';
import { mlflowRelease } from '../../../src/components/mlflow/component';
import { MLFLOW_PROBE } from '../../../src/components/mlflow/health';
import { allowedHosts, MLFLOW_PROGRAM, mlflowEnv } from '../../../src/components/mlflow/mlflow';
import { ComponentName } from '../../../src/common/names';
import { stackTopology } from '../../../src/component-list';
import { httpGet } from '../../../src/health/http';
import { HealthStatus } from '../../../src/health/status';
import { configOf } from '../../helpers';
import { runProbe } from '../../health/probe-runner';
import { freePort, start, stopAll, tempDir } from '../../health/processes';
import { venvProgram } from '../../tools';

afterAll(stopAll);

test('a running MLflow is healthy even for a Host it refuses on its API (the API server proxy sends one); once stopped, critical', async () => {
  const config = configOf('production');
  const port = await freePort();
  const dir = tempDir('mlflow');
  // The generated allowed hosts without the loopback entries: a request to 127.0.0.1 carries a Host it refuses.
  const hosts = allowedHosts({ settings: config.mlflow, service: stackTopology(config).endpoint(ComponentName.MLFLOW) }).filter((h) => !/^(localhost|127\.0\.0\.1):/.test(h));
  const mlflow = await start('mlflow', venvProgram(`mlflow-venv-${mlflowRelease()}`, MLFLOW_PROGRAM), [
    'server',
    '--host=127.0.0.1',
    `--port=${port}`,
    '--workers=1',
    `--backend-store-uri=sqlite:///${join(dir, 'mlflow.db')}`,
    `--artifacts-destination=${join(dir, 'artifacts')}`,
    `--allowed-hosts=${hosts.join(',')}`,
  ], { port, readyPath: '/health', env: mlflowEnv(config.mlflow).values, timeoutMs: 240_000, group: true, graceMs: 10_000 });
  expect(await runProbe(MLFLOW_PROBE, mlflow.url, config)).toEqual({ health: { status: HealthStatus.OK, detail: '/health answered 200' } });
  expect((await httpGet(`${mlflow.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=Default`, { timeoutMs: 5000 })).status).toBe(403);
  await mlflow.stop();
  const rows = await runProbe(MLFLOW_PROBE, mlflow.url, config);
  expect(rows.health).toEqual({ status: HealthStatus.CRITICAL, detail: `GET ${mlflow.url}/health: connect ECONNREFUSED 127.0.0.1:${port}` });
}, 300_000);
