import { Construct } from 'constructs';
import { ANYWHERE } from '../component-spec';
import { selectorLabels } from '../../common/labels';
import { type ComponentName, PART_OF } from '../../common/names';
import type { StackConfig } from '../../config/schema';
import { k8s } from '../../k8s';

/**
 * Who may connect: the pods of a namespace with these labels (a workload of the stack, of the
 * cluster's operator stack, an Ingress controller), addresses (the API server's), or {@link ANYWHERE}.
 */
export type PolicyPeer = { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> } | { readonly cidr: string } | typeof ANYWHERE;

/** A workload that accepts connections: where it runs and, per port, who may connect. */
export interface PolicyTarget {
  readonly name: ComponentName;
  readonly namespace: string;
  readonly ports: readonly {
    readonly port: number;
    readonly from: readonly PolicyPeer[];
  }[];
}

/** Props of {@link NetworkPolicies}. */
export interface NetworkPoliciesProps {
  /** The config's namespaces (the only part it reads): each gets a default-deny policy. */
  readonly config: Pick<StackConfig, 'namespaces'>;
  /** The deployed workloads that accept connections, from the component specs. */
  readonly targets: readonly PolicyTarget[];
}

/**
 * Default-deny ingress in each of the stack's namespaces, then one policy per workload admitting
 * exactly its flows. (Egress stays open: scrapes, pushes and DNS leave freely.)
 */
export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const { config } = props;
    const labels = { 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/managed-by': 'cdk8s' };
    for (const ns of [config.namespaces.monitoring, config.namespaces.agents, config.namespaces.training]) {
      new k8s.KubeNetworkPolicy(this, `deny-${ns}`, {
        metadata: { name: 'default-deny-ingress', namespace: ns, labels },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      });
    }
    for (const target of props.targets) {
      new k8s.KubeNetworkPolicy(this, `allow-${target.name}`, {
        metadata: { name: `allow-${target.name}`, namespace: target.namespace, labels: { ...labels, 'app.kubernetes.io/name': target.name } },
        spec: {
          podSelector: { matchLabels: selectorLabels(target.name) },
          policyTypes: ['Ingress'],
          ingress: target.ports.map(({ port, from }) => ({
            ports: [{ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' }],
            ...(from.includes(ANYWHERE)
              ? {}
              : {
                  from: from.map((source) => {
                    const s = source as Exclude<PolicyPeer, typeof ANYWHERE>;
                    return 'cidr' in s
                      ? { ipBlock: { cidr: s.cidr } }
                      : {
                          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': s.namespace } },
                          podSelector: { matchLabels: { ...s.podLabels } },
                        };
                  }),
                }),
          })),
        },
      });
    }
  }
}
