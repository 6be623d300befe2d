import { ComponentName } from '../../common/names';
import { MetricType } from '../../monitoring/catalog';
import { exposedSampleNames, httpFailure, listSome, type ComponentProbe, type HttpCheck } from '../../health/probe';
import { critical, ok, warning } from '../../health/status';
import type { StackConfig } from '../../config/schema';
import { FlApi } from './api';
import { flMetrics } from './metrics';

const METRICS_PATH = FlApi.metrics;

/** The server's part of the metric contract, as the sample names that show each metric. */
function serverContract(config: StackConfig): { name: string; samples: string[] }[] {
  return flMetrics(config).filter((m) => m.exporter === ComponentName.FL_SERVER).map((m) => ({
    name: m.name,
    samples: m.type === MetricType.HISTOGRAM ? [`${m.name}_bucket`, `${m.name}_count`] : [m.name],
  }));
}

/** Every fl-server metric of the catalog is exported: none is critical, some missing a warning. */
function metricsCheck(config: StackConfig): HttpCheck {
  return {
    name: 'fl metrics',
    path: METRICS_PATH,
    evaluate: (res) => {
      if (res.status !== 200) {
        return critical(`${METRICS_PATH}: ${httpFailure(res)}`);
      }
      const exposed = exposedSampleNames(res.body);
      const contract = serverContract(config);
      const missing = contract.filter((m) => !m.samples.some((s) => exposed.has(s))).map((m) => m.name);
      if (missing.length === contract.length) {
        return critical(`no fl_* metric of the contract in ${METRICS_PATH} (${contract.length} expected)`);
      }
      return missing.length === 0
        ? ok(`all ${contract.length} fl-server metrics exported`)
        : warning(`${contract.length - missing.length}/${contract.length} fl-server metrics exported; missing ${listSome(missing)}`);
    },
  };
}

/** The FL server: its metrics port exports the metric contract. */
export const FL_SERVER_PROBE: ComponentProbe = {
  component: ComponentName.FL_SERVER,
  endpoint: (topology) => ({ ...topology.endpoint(ComponentName.FL_SERVER), port: FlApi.metricsPort }),
  checks: (config) => [metricsCheck(config)],
};
