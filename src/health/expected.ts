import { tmpdir } from 'node:os';
import { App } from 'cdk8s';
import type { StackConfig } from '../config/schema';
import { WORKLOAD_KINDS, WorkloadKind } from '../common/names';
import { buildStack } from '../stack';

/** The collection (plural) of a workload kind under `apps/v1`. */
export const WORKLOAD_RESOURCE: Record<WorkloadKind, string> = {
  [WorkloadKind.DEPLOYMENT]: 'deployments',
  [WorkloadKind.STATEFUL_SET]: 'statefulsets',
  [WorkloadKind.DAEMON_SET]: 'daemonsets',
};

/** A workload the config deploys. */
export interface ExpectedWorkload {
  /** `app.kubernetes.io/name`. */
  readonly component: string;
  readonly kind: WorkloadKind;
  readonly name: string;
  readonly namespace: string;
  /** Its pod selector, as synthesized (`spec.selector.matchLabels`). */
  readonly selector: Readonly<Record<string, string>>;
}

/** A Service the config deploys. */
export interface ExpectedService {
  readonly component: string;
  readonly name: string;
  readonly namespace: string;
}

/** What the cluster should run for a config. */
export interface ExpectedObjects {
  readonly workloads: readonly ExpectedWorkload[];
  readonly services: readonly ExpectedService[];
}

interface SynthObject {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly spec?: { readonly selector?: { readonly matchLabels?: Record<string, string> } };
}

/**
 * The workloads and Services of the stack for `config`, read from the same construct tree that
 * `npm run synth` writes: names, namespaces and selectors are never spelled a second time.
 */
export function expectedObjects(config: StackConfig): ExpectedObjects {
  const objects = buildStack(new App({ outdir: tmpdir() }), config).charts.flatMap((c) => c.toJson() as SynthObject[]);
  const component = (o: SynthObject): string => o.metadata.labels?.['app.kubernetes.io/name'] ?? o.metadata.name;
  return {
    workloads: objects
      .filter((o) => WORKLOAD_KINDS.has(o.kind))
      .map((o) => ({
        component: component(o),
        kind: o.kind as WorkloadKind,
        name: o.metadata.name,
        namespace: o.metadata.namespace!,
        selector: o.spec?.selector?.matchLabels ?? {},
      })),
    services: objects.filter((o) => o.kind === 'Service').map((o) => ({ component: component(o), name: o.metadata.name, namespace: o.metadata.namespace! })),
  };
}
