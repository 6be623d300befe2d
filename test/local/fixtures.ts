/** Shared scaffolding of the test/local tests: a hand-made cluster, and the stack's own objects run locally. */
import { parse } from 'yaml';
import { isWorkload, type ManifestObject } from '../../src/common/manifest';
import { resolveConfig } from '../../src/config/loader';
import type { StackConfig } from '../../src/config/schema';
import { synthStack } from '../helpers';
import type { LocalCluster, LocalPod, LocalService } from './cluster';
import { localPods, localService } from './pods';
import type { LocalTransform } from './relocate';

/** An FL client pod; `over` replaces any field. */
export const pod = (over: Partial<LocalPod> = {}): LocalPod => ({
  namespace: 'fl-training',
  name: 'fl-client-1',
  uid: '0000-1111',
  nodeName: 'node-a',
  ip: '127.0.0.1',
  labels: { 'app.kubernetes.io/name': 'fl-client', 'apps.kubernetes.io/pod-index': '1' },
  annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '41001' },
  containers: [{ name: 'fl-client', image: 'fl-client:1', ports: [{ name: 'metrics', port: 41001, containerPort: 8081 }] }],
  ...over,
});
/** The Alertmanager Service: its http port targets container port 9093. */
export const amService: LocalService = {
  namespace: 'fl-monitoring',
  name: 'alertmanager',
  labels: { 'app.kubernetes.io/name': 'alertmanager' },
  selector: { 'app.kubernetes.io/name': 'alertmanager' },
  ports: [{ name: 'http', port: 9093, targetPort: 9093 }],
};
/** An Alertmanager pod behind {@link amService}, its http and cluster ports on 42000 and 42001. */
export const amPod = pod({
  namespace: 'fl-monitoring',
  name: 'alertmanager-0',
  labels: { 'app.kubernetes.io/name': 'alertmanager' },
  annotations: {},
  containers: [{ name: 'alertmanager', ports: [{ name: 'http', port: 42000, containerPort: 9093 }, { name: 'cluster', port: 42001, containerPort: 9094 }] }],
});
/** The FL client pod, the Alertmanager pod and its Service. */
export const cluster: LocalCluster = { pods: [pod(), amPod], services: [amService] };

let next = 40000;

/** Every workload of the objects as local pods on `local-node` (ports counted up from 40000), and every Service. */
function localClusterOf(objects: readonly ManifestObject[]): LocalCluster {
  return {
    pods: objects.filter(isWorkload).flatMap((w) => localPods(w, { nodeName: 'local-node', portFor: () => next++ })),
    services: objects.filter((o) => o.kind === 'Service').map(localService),
  };
}

/** The stack of the minikube profile with a webhook receiver and Fluentd off, run locally. */
export interface MinikubeFixture {
  readonly config: StackConfig;
  readonly objects: readonly ManifestObject[];
  /** A ConfigMap's file, parsed. */
  configMap(name: string, key: string): unknown;
  readonly localCluster: LocalCluster;
  /** A transform on {@link MinikubeFixture.localCluster} for a container with these mounts. */
  transformFor(mounts: LocalTransform['mounts'], variables?: Record<string, string>): LocalTransform;
}

let minikube: MinikubeFixture | undefined;

/** The {@link MinikubeFixture} (synthesized once per test file). */
export function minikubeFixture(): MinikubeFixture {
  if (minikube === undefined) {
    const config = resolveConfig({
      overrides: {
        fluentd: { enabled: false },
        alertmanager: { receivers: [{ name: 'oncall', type: 'webhook', url: { name: 'am-secrets', key: 'url' } }], routes: { critical: 'oncall', warning: 'oncall', info: null } },
      },
    });
    const objects: readonly ManifestObject[] = synthStack(config);
    const localCluster = localClusterOf(objects);
    minikube = {
      config,
      objects,
      configMap: (name, key) => parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name)!.data![key]),
      localCluster,
      transformFor: (mounts, variables = {}) => ({ cluster: localCluster, mounts, variables }),
    };
  }
  return minikube;
}

/** The production replicas (two Prometheus, three clustered Alertmanager peers; test/live/ha.test.ts), run locally. */
export interface ProductionFixture {
  readonly production: StackConfig;
  readonly productionObjects: readonly ManifestObject[];
  readonly productionCluster: LocalCluster;
  /** The local port of a pod's container port. */
  portOf(podName: string, containerPort: number): number;
}

let production: ProductionFixture | undefined;

/** The {@link ProductionFixture} (synthesized once per test file). */
export function productionFixture(): ProductionFixture {
  if (production === undefined) {
    const config = resolveConfig({ profile: 'production', overrides: { gpu: { enabled: false }, dcgmExporter: { enabled: false }, fluentd: { enabled: false } } });
    const productionObjects: readonly ManifestObject[] = synthStack(config);
    const productionCluster = localClusterOf(productionObjects);
    production = {
      production: config,
      productionObjects,
      productionCluster,
      portOf: (podName, containerPort) =>
        productionCluster.pods.find((p) => p.name === podName)!.containers.flatMap((c) => c.ports).find((p) => p.containerPort === containerPort)!.port,
    };
  }
  return production;
}
