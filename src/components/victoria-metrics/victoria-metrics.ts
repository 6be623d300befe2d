import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { parseDuration } from '../../config/values';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import {
  claimVolume,
  componentService,
  componentServiceAccount,
  configChecksum,
  containerResources,
  httpProbe,
  imageOf,
  resolveImage,
  restrictedContainerSecurity,
  statefulWorkload,
  type ComponentIdentity,
} from '../../common/workload';

/** Props of {@link VictoriaMetrics}. */
export interface VictoriaMetricsProps {
  readonly config: StackConfig;
}

const VM_UID = 65534;

/** The command-line flags of victoria-metrics (it has no config file). */
export function victoriaMetricsArgs(config: StackConfig): string[] {
  return [
    '-storageDataPath=/storage',
    `-retentionPeriod=${config.victoriaMetrics.retention}`,
    `-httpListenAddr=:${Ports.victoriaMetrics}`,
    // Prometheus HA replicas write the same series: keep one sample per scrape interval.
    `-dedup.minScrapeInterval=${Math.round(parseDuration(config.scrapeInterval)! / 1000)}s`,
    '-search.maxUniqueTimeseries=300000',
    '-loggerFormat=json',
  ];
}

/** VictoriaMetrics single node: long-term storage fed by Prometheus remote_write. */
export class VictoriaMetrics extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: VictoriaMetricsProps) {
    super(scope, id);
    const slice = props.config.victoriaMetrics;
    this.identity = {
      name: ComponentName.VICTORIA_METRICS,
      role: ComponentRole.METRICS_STORAGE,
      namespace: props.config.namespaces.monitoring,
      image: resolveImage('victoriaMetrics', slice.image),
    };
    const me = this.identity;
    const args = victoriaMetricsArgs(props.config);
    const sts = statefulWorkload(this, me, {
      replicas: 1,
      user: VM_UID,
      serviceAccount: componentServiceAccount(this, me),
      annotations: { 'checksum/config': configChecksum(...args), ...scrapeAnnotations(Ports.victoriaMetrics) },
      storage: slice.storage,
      ports: [{ name: 'http', port: Ports.victoriaMetrics }],
    });
    sts.addContainer({
      name: 'victoria-metrics',
      ...imageOf(me),
      args,
      ports: [{ name: 'http', number: Ports.victoriaMetrics }],
      resources: containerResources(slice.resources),
      securityContext: restrictedContainerSecurity(VM_UID),
      readiness: httpProbe('/health', Ports.victoriaMetrics, 10),
      liveness: httpProbe('/health', Ports.victoriaMetrics, 30, 6),
      volumeMounts: [{ path: '/storage', volume: claimVolume(this, 'data') }],
    });
    componentService(this, 'service', me, [{ name: 'http', port: Ports.victoriaMetrics }]);
  }
}
