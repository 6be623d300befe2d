import type { StackConfig } from '../../config/schema';
import { Ports } from '../../common/names';
import { LokiApi } from './api';
import { LOG_STREAM_LABELS } from '../../common/labels';

/** Loki's data directory (the PVC). */
export const LOKI_DATA_DIR = '/var/loki';

/**
 * loki.yaml: single binary, filesystem storage, TSDB index with schema v13, and retention that
 * deletes: the compactor applies `retention_period` and keeps delete requests on the filesystem.
 */
export function lokiConfig(config: Pick<StackConfig, 'loki'>): Record<string, unknown> {
  return {
    auth_enabled: false,
    server: { http_listen_port: LokiApi.port, grpc_listen_port: Ports.lokiGrpc, log_level: 'info', log_format: 'json' },
    common: {
      path_prefix: LOKI_DATA_DIR,
      replication_factor: 1,
      ring: { kvstore: { store: 'inmemory' }, instance_addr: '127.0.0.1' },
      storage: { filesystem: { chunks_directory: `${LOKI_DATA_DIR}/chunks`, rules_directory: `${LOKI_DATA_DIR}/rules` } },
    },
    schema_config: {
      configs: [{ from: '2024-04-01', store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: 'index_', period: '24h' } }],
    },
    storage_config: {
      tsdb_shipper: { active_index_directory: `${LOKI_DATA_DIR}/tsdb-index`, cache_location: `${LOKI_DATA_DIR}/tsdb-cache` },
    },
    limits_config: {
      retention_period: config.loki.retention,
      reject_old_samples: true,
      reject_old_samples_max_age: '168h',
      allow_structured_metadata: true,
      volume_enabled: true,
      // Logs pushed over OTLP (the OpenTelemetry Collector): these resource attributes become stream
      // labels, the same Promtail sets; the other attributes stay structured metadata.
      otlp_config: { resource_attributes: { attributes_config: [{ action: 'index_label', attributes: [...LOG_STREAM_LABELS] }] } },
    },
    compactor: {
      working_directory: `${LOKI_DATA_DIR}/compactor`,
      compaction_interval: '10m',
      retention_enabled: true,
      retention_delete_delay: '2h',
      delete_request_store: 'filesystem',
    },
    ruler: { enable_api: false },
    analytics: { reporting_enabled: false },
  };
}
