import { LocalRunKind, LocalStartPhase, NamespaceTier, SCRAPERS, type ComponentSpec } from '../component-spec';
import { ComponentName, Ports } from '../../common/names';
import { resolveImage } from '../../common/workload';
import { defaultImage } from '../../versions';
import { MLFLOW_PROBE } from './health';
import { Mlflow, MLFLOW_PROGRAM } from './mlflow';
import { MLFLOW_MIXIN } from './mixin';

/**
 * The PyPI release of the pinned image (`v3.17.2-full` → `3.17.2`). The live harness runs the same
 * `mlflow server` from a virtualenv of it, `<tools>/mlflow-venv-<release>` (scripts/mlflow-venv.sh).
 */
export function mlflowRelease(tag: string = defaultImage('mlflow').tag): string {
  const match = /^v?(\d+\.\d+\.\d+)(-full)?$/.exec(tag);
  if (match === null) {
    throw new Error(`the mlflow image tag ${tag} is not a release such as v3.17.2-full`);
  }
  return match[1];
}

/** MLflow experiment tracking: the FL server logs each federation as one run. */
export const MLFLOW_COMPONENT: ComponentSpec = {
  id: 'mlflow',
  chartOrder: 25,
  enabled: (config) => config.mlflow.enabled,
  workloads: [
    {
      name: ComponentName.MLFLOW,
      tier: NamespaceTier.MONITORING,
      servicePort: Ports.mlflow,
      persistentVolume: true,
      // Users open it with `kubectl port-forward` (which NetworkPolicies do not filter): no flow from anywhere.
      ui: true,
      ingress: [{ port: Ports.mlflow, from: [ComponentName.FL_SERVER, ...SCRAPERS] }],
      local: {
        kind: LocalRunKind.VENV_PROGRAM,
        venv: `mlflow-venv-${mlflowRelease()}`,
        program: MLFLOW_PROGRAM,
        container: 'mlflow',
        phase: LocalStartPhase.STORAGE,
        bindFlags: ['host'],
        portFlags: { port: Ports.mlflow },
      },
    },
  ],
  build: (scope, ctx) =>
    new Mlflow(scope, 'mlflow', {
      namespace: ctx.namespace(NamespaceTier.MONITORING),
      image: resolveImage('mlflow', ctx.config.mlflow.image),
      settings: ctx.config.mlflow,
      service: ctx.topology.endpoint(ComponentName.MLFLOW),
    }),
  mixin: MLFLOW_MIXIN,
  probes: [MLFLOW_PROBE],
};
