import { ALERTMANAGER_MIXIN } from '../components/alertmanager/mixin';
import { DCGM_EXPORTER_MIXIN } from '../components/dcgm-exporter/mixin';
import { FL_MIXIN } from '../components/fl/mixin';
import { FLUENTD_MIXIN } from '../components/fluentd/mixin';
import { KUBE_STATE_METRICS_MIXIN } from '../components/kube-state-metrics/mixin';
import { LOKI_MIXIN } from '../components/loki/mixin';
import { NODE_EXPORTER_MIXIN } from '../components/node-exporter/mixin';
import { OTEL_COLLECTOR_MIXIN } from '../components/otel-collector/mixin';
import { PROMETHEUS_MIXIN } from '../components/prometheus/mixin';
import { PROMTAIL_MIXIN } from '../components/promtail/mixin';
import { VICTORIA_METRICS_MIXIN } from '../components/victoria-metrics/mixin';
import type { Mixin } from './mixin';

/** Every component's mixin; Prometheus and Grafana collect from this list. */
export const MIXINS: readonly Mixin[] = [
  FL_MIXIN,
  DCGM_EXPORTER_MIXIN,
  NODE_EXPORTER_MIXIN,
  KUBE_STATE_METRICS_MIXIN,
  PROMETHEUS_MIXIN,
  ALERTMANAGER_MIXIN,
  LOKI_MIXIN,
  VICTORIA_METRICS_MIXIN,
  OTEL_COLLECTOR_MIXIN,
  PROMTAIL_MIXIN,
  FLUENTD_MIXIN,
];
