import type { StackConfig } from '../../config/schema';
import { nodeLogShipping, POD_LOGS_DIR, type NodeLogShipping } from '../../common/log-agent';
import { ComponentName, Ports } from '../../common/names';
import { endpointUrl, type Topology } from '../../common/topology';

/** Where Promtail keeps its read positions on the node. */
export const PROMTAIL_STATE_DIR = '/run/promtail';

/** promtail.yaml: this node's pods (expanded from $HOSTNAME), CRI stage, Kubernetes labels. */
export function promtailFile(shipping: NodeLogShipping): Record<string, unknown> {
  const skip = shipping.skippedNamespaces;
  return {
    server: { http_listen_port: Ports.promtail, grpc_listen_port: 0, log_format: 'json' },
    positions: { filename: `${PROMTAIL_STATE_DIR}/positions.yaml` },
    clients: [{ url: endpointUrl(shipping.loki, '/loki/api/v1/push'), external_labels: { cluster: shipping.clusterName, agent: ComponentName.PROMTAIL } }],
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
            replacement: `${POD_LOGS_DIR}/*$1/*.log`,
            target_label: '__path__',
            action: 'replace',
          },
        ],
      },
    ],
  };
}

/** promtail.yaml of a whole stack config (the form the tests and the reference-schema check use). */
export function promtailConfig(config: StackConfig, topology: Topology): Record<string, unknown> {
  return promtailFile(nodeLogShipping(config, topology));
}
