import { Ports } from '../../common/names';

/** Alertmanager's HTTP port and the paths of its health (the kubelet's probes and the health CLI call them). */
export const AlertmanagerApi = {
  port: Ports.alertmanager,
  /** Answers once the config is loaded (and, when clustered, the gossip settled). */
  ready: '/-/ready',
  /** Answers while the process serves. */
  healthy: '/-/healthy',
} as const;
