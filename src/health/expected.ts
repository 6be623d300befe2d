import { componentNameOf, isService, isWorkload, type ManifestObject } from '../common/manifest';
import { WorkloadKind } from '../common/names';

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

/**
 * The workloads and Services among synthesized objects (the same ones `npm run synth` writes): names,
 * namespaces and selectors are never spelled a second time.
 */
export function expectedObjectsOf(objects: readonly ManifestObject[]): ExpectedObjects {
  const component = (o: ManifestObject): string => componentNameOf(o) ?? o.metadata.name;
  return {
    workloads: objects.filter(isWorkload).map((o) => ({
      component: component(o),
      kind: o.kind,
      name: o.metadata.name,
      namespace: o.metadata.namespace!,
      selector: o.spec.selector?.matchLabels ?? {},
    })),
    services: objects.filter(isService).map((o) => ({ component: component(o), name: o.metadata.name, namespace: o.metadata.namespace! })),
  };
}
