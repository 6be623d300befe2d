import { VICTORIA_METRICS_PROBE } from '../../../src/components/victoria-metrics/health';
import { HealthStatus } from '../../../src/health/status';
import { runProbe } from '../../health/probe-runner';
import { stopAll } from '../../health/processes';
import { startVictoriaMetrics } from '../../health/servers';

afterAll(stopAll);

test('a running VictoriaMetrics is healthy; once stopped, critical', async () => {
  const vm = await startVictoriaMetrics('victoria-metrics');
  const port = new URL(vm.url).port;
  expect(await runProbe(VICTORIA_METRICS_PROBE, vm.url)).toEqual({ health: { status: HealthStatus.OK, detail: '/health answered 200' } });
  await vm.stop();
  const rows = await runProbe(VICTORIA_METRICS_PROBE, vm.url);
  expect(rows.health).toEqual({ status: HealthStatus.CRITICAL, detail: `GET ${vm.url}/health: connect ECONNREFUSED 127.0.0.1:${port}` });
});
