/**
 * Fault 6 of the fault suite (issue 22): disk pressure on the long-term store. VictoriaMetrics runs
 * the generated args on a small tmpfs mounted over its data volume (root only; the mount is removed
 * however the test ends), which a filler file then fills below `-storage.minFreeDiskSpaceBytes`.
 * Measured: when the store turns read-only, which storage alerts pend, what Prometheus's
 * remote_write does with the refused samples, and how many samples are lost once space is freed.
 * A stack of its own (Prometheus, VictoriaMetrics, the log sink; no Alertmanager, no workload: the
 * alerts are read from Prometheus). Run alone: `npm run test:faults -- test/faults/disk.test.ts`.
 */
import { ComponentName } from '../../src/common/names';
import { loadConfig } from '../../src/config/loader';
import { parseDuration } from '../../src/config/values';
import { startLiveStack, waitFor, type LiveStack } from '../live/harness';
import { containerOf } from '../local/pods';
import { isWorkload } from '../../src/common/manifest';
import { alertState, FAULT_STACK_CONFIG, longTermCopy, report, scalar, seconds, sleep } from './measure';
import { canMount, SmallFilesystem } from './small-filesystem';

const startedAt = Date.now();
const BUDGET_MS = 4 * 60_000;
const deadline = (ms: number): number => Math.min(Date.now() + ms, startedAt + BUDGET_MS);
/** Big enough for VictoriaMetrics's first parts, small enough to fill at once. */
const FILESYSTEM_BYTES = 64 * 2 ** 20;
const VM_POD = `${ComponentName.VICTORIA_METRICS}-0`;

let stack: LiveStack | undefined;
let disk: SmallFilesystem | undefined;
const mountable = canMount();

beforeAll(async () => {
  if (!mountable.ok) {
    return;
  }
  stack = await startLiveStack({
    config: loadConfig({ STACK_CONFIG: FAULT_STACK_CONFIG }),
    skip: [ComponentName.ALERTMANAGER, ComponentName.OTEL_COLLECTOR, ComponentName.FL_SERVER, ComponentName.FL_CLIENT],
    readyTimeoutMs: 120_000,
  });
}, 180_000);

afterAll(async () => {
  // The mount first (lazily: VictoriaMetrics may still hold it), then the processes and directory.
  disk?.release();
  await stack?.stop();
  process.stderr.write(`fault suite (disk.test.ts): the whole run took ${seconds(Date.now() - startedAt)} s\n`);
}, 120_000);

test('6. disk pressure: VictoriaMetrics on a full small filesystem turns read-only; VictoriaMetricsReadOnly and PrometheusRemoteWriteBehind pend before anything is lost; 0 samples lost once space is freed', async () => {
  if (!mountable.ok || stack === undefined) {
    report({ scenario: 6, fault: 'disk pressure (tmpfs)', expected: 'storage alerts before data is lost', measured: `not run: cannot mount a tmpfs here (${mountable.why})`, recovery: '-' });
    return;
  }
  const s = stack;
  const prom = s.urls.prometheus!;
  const vmUrl = s.urls.victoriaMetrics!;
  const scrapeMs = parseDuration(s.config.scrapeInterval)!;
  // The store's data volume: the mount the generated -storageDataPath names.
  const workload = s.objects.filter(isWorkload).find((o) => o.metadata.labels?.['app.kubernetes.io/name'] === ComponentName.VICTORIA_METRICS)!;
  const dataPath = (containerOf(workload, s.process(VM_POD).container).args ?? []).find((a) => a.startsWith('-storageDataPath='))!.split('=')[1];
  const volume = s.process(VM_POD).mounts.find((m) => m.path === dataPath)!.localPath;
  const graceMs = ((workload.spec.template.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds ?? 30) * 1000;

  await s.process(VM_POD).process.stop(graceMs);
  disk = SmallFilesystem.mount({ dir: volume, sizeBytes: FILESYSTEM_BYTES });
  await s.restart(VM_POD);
  const onDiskAt = Date.now();
  const sentPast = async (at: number): Promise<void> => {
    await waitFor(`remote_write sent past ${new Date(at).toISOString()}`, deadline(90_000), async () => {
      const sent = await scalar(prom, 'max(prometheus_remote_storage_queue_highest_sent_timestamp_seconds)');
      return sent !== undefined && sent * 1000 > at ? true : undefined;
    }, 1000);
  };
  await sentPast(onDiskAt + 2 * scrapeMs);
  const readOnly = async (): Promise<number | undefined> => {
    const text = await (await fetch(`${vmUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const m = /^vm_storage_is_read_only\{[^}]*\} (\d+)$/m.exec(text);
    return m === null ? undefined : Number(m[1]);
  };
  const limitText = await (await fetch(`${vmUrl}/metrics`)).text();
  const limit = Number(/^vm_free_disk_space_limit_bytes\{[^}]*\} (\d+)$/m.exec(limitText)?.[1] ?? '10000000');
  const failedBefore = (await scalar(prom, 'sum(prometheus_remote_storage_samples_failed_total)')) ?? 0;
  const retriedBefore = (await scalar(prom, 'sum(prometheus_remote_storage_samples_retried_total)')) ?? 0;

  // Full: less free than the store's minimum.
  const fullAt = Date.now();
  disk.fillUntilFree(Math.floor(limit / 2));
  const freeWhenFull = disk.freeBytes();
  const readOnlyAt = await waitFor('VictoriaMetrics read-only', deadline(60_000), async () => ((await readOnly()) === 1 ? Date.now() : undefined), 250);
  const pendingAt = await waitFor('VictoriaMetricsReadOnly and PrometheusRemoteWriteBehind pending', deadline(90_000), async () =>
    (await alertState(prom, 'VictoriaMetricsReadOnly')) !== 'inactive' && (await alertState(prom, 'PrometheusRemoteWriteBehind')) !== 'inactive' ? Date.now() : undefined,
  1000);
  const during = {
    readOnly: await alertState(prom, 'VictoriaMetricsReadOnly'),
    behind: await alertState(prom, 'PrometheusRemoteWriteBehind'),
    diskRunningOut: await alertState(prom, 'VictoriaMetricsDiskRunningOut'),
    ratio: await scalar(prom, 'sum(vm_free_disk_space_bytes) / (sum(vm_free_disk_space_bytes) + sum(vm_data_size_bytes))'),
    failed: ((await scalar(prom, 'sum(prometheus_remote_storage_samples_failed_total)')) ?? 0) - failedBefore,
    retried: ((await scalar(prom, 'sum(prometheus_remote_storage_samples_retried_total)')) ?? 0) - retriedBefore,
    // The refused writes as Prometheus logs them ("server returned HTTP status 503 Service Unavailable").
    refused: s.process(`${ComponentName.PROMETHEUS}-0`).process.output().filter((l) => / 503 /.test(l)).length,
  };

  // Space freed: the store accepts writes again by itself, Prometheus sends what it kept.
  const freedAt = Date.now();
  disk.unfill();
  const writableAt = await waitFor('VictoriaMetrics writable again', deadline(60_000), async () => ((await readOnly()) === 0 ? Date.now() : undefined), 250);
  await sentPast(freedAt + scrapeMs);
  const caughtUpAt = Date.now();
  const resolvedAt = await waitFor('the storage alerts resolved', deadline(60_000), async () =>
    (await alertState(prom, 'VictoriaMetricsReadOnly')) === 'inactive' && (await alertState(prom, 'PrometheusRemoteWriteBehind')) === 'inactive' ? Date.now() : undefined,
  1000);
  const window = { selector: '{__name__=~".+"}', start: Math.max(onDiskAt + scrapeMs, fullAt - 15_000), end: freedAt + 10_000 };
  await sentPast(window.end + scrapeMs);
  await sleep(1000);
  const lost = await longTermCopy({ ...window, prometheus: prom, victoriaMetrics: vmUrl, addedLabels: ['cluster'], dedupIntervalMs: scrapeMs, settleMs: 60_000 });
  const mb = (n: number): string => (n / 2 ** 20).toFixed(1);
  process.stderr.write(
    `disk pressure: ${mb(FILESYSTEM_BYTES)} MiB tmpfs filled to ${mb(freeWhenFull)} MiB free (minimum ${mb(limit)} MiB): read-only after ${seconds(readOnlyAt - fullAt)} s, ` +
      `VictoriaMetricsReadOnly ${during.readOnly} and PrometheusRemoteWriteBehind ${during.behind} after ${seconds(pendingAt - fullAt)} s; VictoriaMetricsDiskRunningOut ${during.diskRunningOut} ` +
      `(its ratio free/(free + own data) = ${during.ratio?.toFixed(2)}: the filler is not VictoriaMetrics data); retried ${during.retried}, failed ${during.failed}; ` +
      `freed after ${seconds(freedAt - fullAt)} s: writable ${seconds(writableAt - freedAt)} s later, caught up ${seconds(caughtUpAt - freedAt)} s, alerts resolved ${seconds(resolvedAt - freedAt)} s; ` +
      `${lost.missing} of ${lost.samples} samples of ${lost.series} series lost\n`,
  );
  report({
    scenario: 6,
    fault: `disk pressure: VictoriaMetrics's ${mb(FILESYSTEM_BYTES)} MiB volume filled below its ${mb(limit)} MiB minimum for ${seconds(freedAt - fullAt)} s`,
    expected: 'storage alerts pend before data is lost; 0 samples lost after space is freed',
    measured:
      `read-only after ${seconds(readOnlyAt - fullAt)} s (writes refused with HTTP 503, logged ${during.refused}×: ${during.retried} samples retried, ${during.failed} failed); VictoriaMetricsReadOnly ${during.readOnly}, ` +
      `RemoteWriteBehind ${during.behind}, DiskRunningOut ${during.diskRunningOut}; ${lost.missing} of ${lost.samples} samples lost`,
    recovery: `${seconds(caughtUpAt - freedAt)} s to catch up, ${seconds(resolvedAt - freedAt)} s to resolve`,
  });
  expect(during.readOnly).toBe('pending');
  expect(during.behind).toBe('pending');
  expect(during.failed).toBe(0);
  expect(during.refused).toBeGreaterThan(0);
  expect(lost.examples).toEqual([]);
  expect(lost.missing).toBe(0);

  // Back on its own volume for the stack's teardown.
  await s.process(VM_POD).process.stop(graceMs);
  disk.release();
  disk = undefined;
});
