import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { parseDuration } from '../../config/values';
import { checksumAnnotation } from '../../common/config-file';
import { ComponentName, ComponentRole } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import {
  claimVolume,
  componentService,
  componentServiceAccount,
  containerPorts,
  containerResources,
  httpProbe,
  imageOf,
  restrictedContainerSecurity,
  statefulWorkload,
  type ComponentIdentity,
  type ComponentProps,
} from '../../common/workload';
import { VictoriaMetricsApi } from './api';

/** Props of {@link VictoriaMetrics}. */
export interface VictoriaMetricsProps extends ComponentProps {
  /** Its slice of the config: retention, storage, resources. */
  readonly settings: StackConfig['victoriaMetrics'];
  /** The stack's scrape interval: samples of Prometheus HA replicas closer than this are deduplicated. */
  readonly scrapeInterval: string;
}

const VM_UID = 65534;

/** Its data directory (the PVC). */
const DATA_DIR = '/storage';

const HTTP = { name: 'http', port: VictoriaMetricsApi.port };

/** The command-line flags of victoria-metrics (it has no config file). */
export function victoriaMetricsArgs(values: Pick<VictoriaMetricsProps, 'settings' | 'scrapeInterval'>): string[] {
  return [
    `-storageDataPath=${DATA_DIR}`,
    `-retentionPeriod=${values.settings.retention}`,
    `-httpListenAddr=:${HTTP.port}`,
    // Prometheus HA replicas write the same series: keep one sample per scrape interval.
    `-dedup.minScrapeInterval=${Math.round(parseDuration(values.scrapeInterval)! / 1000)}s`,
    '-search.maxUniqueTimeseries=300000',
    '-loggerFormat=json',
  ];
}

/** VictoriaMetrics single node: long-term storage fed by Prometheus remote_write. */
export class VictoriaMetrics extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: VictoriaMetricsProps) {
    super(scope, id);
    const slice = props.settings;
    this.identity = { name: ComponentName.VICTORIA_METRICS, role: ComponentRole.METRICS_STORAGE, namespace: props.namespace, image: props.image };
    const me = this.identity;
    const args = victoriaMetricsArgs(props);
    const sts = statefulWorkload(this, me, {
      replicas: 1,
      user: VM_UID,
      serviceAccount: componentServiceAccount(this, me),
      // No config file: a change of its flags rolls the pod.
      annotations: { ...checksumAnnotation(...args), ...scrapeAnnotations(HTTP.port) },
      storage: slice.storage,
      ports: [HTTP],
    });
    const health = { path: VictoriaMetricsApi.health, port: HTTP.port };
    sts.addContainer({
      name: 'victoria-metrics',
      ...imageOf(me),
      args,
      ports: containerPorts([HTTP]),
      resources: containerResources(slice.resources),
      securityContext: restrictedContainerSecurity(VM_UID),
      readiness: httpProbe(health),
      liveness: httpProbe({ ...health, periodSeconds: 30, failureThreshold: 6 }),
      volumeMounts: [{ path: DATA_DIR, volume: claimVolume(this, 'data') }],
    });
    componentService(this, 'service', me, [HTTP]);
  }
}
