import { ALERTMANAGER_PROBE } from '../components/alertmanager/health';
import { FL_SERVER_PROBE } from '../components/fl/health';
import { GRAFANA_PROBE } from '../components/grafana/health';
import { LOKI_PROBE } from '../components/loki/health';
import { PROMETHEUS_PROBE } from '../components/prometheus/health';
import { VICTORIA_METRICS_PROBE } from '../components/victoria-metrics/health';
import type { ComponentProbe } from './probe';

/** Every component's own health probe, collected from the component folders. */
export const PROBES: readonly ComponentProbe[] = [
  FL_SERVER_PROBE,
  PROMETHEUS_PROBE,
  ALERTMANAGER_PROBE,
  VICTORIA_METRICS_PROBE,
  GRAFANA_PROBE,
  LOKI_PROBE,
];
