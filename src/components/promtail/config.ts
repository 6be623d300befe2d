import type { StackConfig } from '../../config/schema';
import { Ports } from '../../common/names';
import { endpointUrl, type Topology } from '../../common/topology';
import { nodeAgentSkippedNamespaces } from '../../common/log-routing';

/** Where Promtail keeps its read positions on the node. */
export const PROMTAIL_STATE_DIR = '/run/promtail';

/** promtail.yaml: this node's pods (expanded from $HOSTNAME), CRI stage, Kubernetes labels. */
export function promtailConfig(config: StackConfig, topology: Topology): Record<string, unknown> {
  const skip = nodeAgentSkippedNamespaces(config);
  return {
    server: { http_listen_port: Ports.promtail, grpc_listen_port: 0, log_format: 'json' },
    positions: { filename: `${PROMTAIL_STATE_DIR}/positions.yaml` },
    clients: [{ url: endpointUrl(topology.loki, '/loki/api/v1/push'), external_labels: { cluster: config.clusterName, agent: 'promtail' } }],
    scrape_configs: [
      {
        job_name: 'kubernetes-pods',
        kubernetes_sd_configs: [{ role: 'pod', selectors: [{ role: 'pod', field: 'spec.nodeName=${HOSTNAME}' }] }],
        pipeline_stages: [{ cri: {} }],
        relabel_configs: [
          ...(skip.length > 0 ? [{ source_labels: ['__meta_kubernetes_namespace'], regex: skip.join('|'), action: 'drop' }] : []),
          { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed', action: 'drop' },
          { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace', action: 'replace' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod', action: 'replace' },
          { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container', action: 'replace' },
          { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node', action: 'replace' },
          { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], target_label: 'app', action: 'replace' },
          {
            source_labels: ['__meta_kubernetes_pod_uid', '__meta_kubernetes_pod_container_name'],
            separator: '/',
            replacement: '/var/log/pods/*$1/*.log',
            target_label: '__path__',
            action: 'replace',
          },
        ],
      },
    ],
  };
}
