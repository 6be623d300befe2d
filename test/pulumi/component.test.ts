import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { App } from 'cdk8s';
import type { ManifestObject } from '../../src/common/manifest';
import { resolveConfig } from '../../src/config/loader';
import type { StackConfig } from '../../src/config/schema';
import type { FlObservability as FlObservabilityClass, FlObservabilityArgs } from '../../src/pulumi/component';
import { builtImageRef, imageBuildSpecs } from '../../src/pulumi/images';
import { PATCH_FORCE, SKIP_AWAIT, objectId } from '../../src/pulumi/objects';
import { buildStack } from '../../src/stack';
import { defaultImage, imageString } from '../../src/versions';
import { MOCK_PASSWORD, identityOf, mocks, registered, valueOf, type Registered } from './mocks';

let FlObservability: typeof FlObservabilityClass;

beforeAll(() => {
  pulumi.runtime.setMocks(mocks, 'fl-observability', 'test', false);
  // The program is loaded only once the mocks are in place.
  ({ FlObservability } = require('../../src/pulumi/component') as typeof import('../../src/pulumi/component'));
});

interface Deployed {
  readonly stack: FlObservabilityClass;
  readonly registered: Registered[];
}

/** Constructs the component and waits until every resource has been registered with the mocks. */
async function deploy(name: string, args: FlObservabilityArgs): Promise<Deployed> {
  registered.length = 0;
  const stack = new FlObservability(name, args);
  const urns = [stack.urn, stack.provider.urn, ...[...stack.resources.values()].map((r) => r.urn), ...Object.values(stack.builds).map((b) => b!.urn)];
  await Promise.all(urns.map(valueOf));
  if (stack.grafanaAdminPassword !== undefined) {
    await valueOf(stack.grafanaAdminPassword);
  }
  return { stack, registered: [...registered] };
}

function synthesized(config: StackConfig): ManifestObject[] {
  return buildStack(new App(), config).charts.flatMap((c) => c.toJson() as ManifestObject[]);
}

function k8sOf(d: Deployed): Registered[] {
  return d.registered.filter((r) => r.type.startsWith('kubernetes:'));
}

function find(d: Deployed, id: string): Registered {
  const found = k8sOf(d).find((r) => identityOf(r) === id);
  if (found === undefined) {
    throw new Error(`not registered: ${id}`);
  }
  return found;
}

function annotationsOf(r: Registered): Record<string, string> {
  return r.inputs.metadata?.annotations ?? {};
}

describe.each(['minikube', 'production'] as const)('profile %s, images built', (profile) => {
  const config = resolveConfig({ profile });
  let d: Deployed;
  beforeAll(async () => {
    d = await deploy(`stack-${profile}`, { config, kubeContext: `ctx-${profile}` });
  });

  test('the Kubernetes provider is pinned to the kube context', () => {
    const providers = d.registered.filter((r) => r.type === 'pulumi:providers:kubernetes');
    expect(providers).toHaveLength(1);
    expect(providers[0]!.inputs.context).toBe(`ctx-${profile}`);
  });

  test('parity: exactly the (apiVersion, kind, namespace, name) buildStack synthesizes, plus the Grafana admin Secret', () => {
    const deployed = k8sOf(d).map(identityOf);
    expect(new Set(deployed).size).toBe(deployed.length);
    const expected = synthesized(config).map(objectId);
    expect(new Set(expected).size).toBe(expected.length);
    expect(deployed.sort()).toEqual([...expected, `v1 Secret ${config.namespaces.monitoring}/${config.grafana.adminSecret.name}`].sort());
  });

  test('each object is deployed as synthesized (only built images and the skipAwait annotation differ)', () => {
    const objects = synthesized(d.stack.config);
    for (const o of objects) {
      const r = find(d, objectId(o));
      const inputs = JSON.parse(JSON.stringify(r.inputs));
      if (inputs.metadata.annotations?.[SKIP_AWAIT] !== undefined) {
        delete inputs.metadata.annotations[SKIP_AWAIT];
        if (Object.keys(inputs.metadata.annotations).length === 0 && o.metadata.annotations === undefined) {
          delete inputs.metadata.annotations;
        }
      }
      expect({ id: objectId(o), inputs }).toEqual({ id: objectId(o), inputs: o });
    }
  });

  test('every Kubernetes resource has the explicit provider, none the default one', () => {
    const resources = k8sOf(d);
    expect(resources.length).toBeGreaterThan(50);
    for (const r of resources) {
      expect({ id: identityOf(r), provider: r.provider }).toEqual({
        id: identityOf(r),
        provider: expect.stringMatching(/\$pulumi:providers:kubernetes::kubernetes::kubernetes-id$/),
      });
    }
  });

  test('the FL and Fluentd workloads run the content-tagged builds', async () => {
    const builds = d.registered.filter((r) => r.type === 'docker:index/image:Image');
    expect(builds.map((b) => b.name).sort()).toEqual(['flClient', 'flServer', 'fluentd']);
    const workloads: Record<string, string> = {
      flServer: `apps/v1 Deployment ${config.namespaces.training}/fl-server`,
      flClient: `apps/v1 StatefulSet ${config.namespaces.training}/fl-client`,
      fluentd: `apps/v1 DaemonSet ${config.namespaces.agents}/fluentd`,
    };
    for (const spec of imageBuildSpecs()) {
      const build = builds.find((b) => b.name === spec.key)!;
      const ref = builtImageRef(spec, config, process.cwd());
      const base = defaultImage(spec.key);
      expect(ref).toMatch(new RegExp(`^${base.repository}:${base.tag.replace(/\./g, '\\.')}-[0-9a-f]{12}$`));
      expect(build.inputs).toMatchObject({ imageName: ref, skipPush: true, build: { context: spec.context, dockerfile: spec.dockerfile, args: spec.args } });
      expect(await valueOf(d.stack.images[spec.key]!)).toBe(ref);
      const containers = find(d, workloads[spec.key]!).inputs.spec.template.spec.containers;
      expect(containers.map((c: any) => c.image)).toEqual([ref]);
      expect(containers[0].imagePullPolicy).toBe('IfNotPresent');
    }
    const docker = d.registered.filter((r) => r.type === 'pulumi:providers:docker');
    expect(docker).toHaveLength(1);
    expect(builds.every((b) => b.provider?.includes('$pulumi:providers:docker::docker::'))).toBe(true);
  });

  test('readiness: the objects that cannot become ready are not awaited, the rest is', () => {
    const skipped = k8sOf(d).filter((r) => annotationsOf(r)[SKIP_AWAIT] === 'true').map(identityOf).sort();
    const training = config.namespaces.training;
    const expected = [`apps/v1 StatefulSet ${training}/fl-client`, `v1 Service ${training}/fl-client-headless`];
    if (profile === 'production') {
      const mon = config.namespaces.monitoring;
      expected.push(
        `apps/v1 DaemonSet ${config.namespaces.agents}/dcgm-exporter`,
        `apps/v1 StatefulSet ${mon}/alertmanager`,
        `v1 Service ${mon}/alertmanager`,
        `v1 Service ${mon}/alertmanager-headless`,
      );
    }
    expect(skipped).toEqual(expected.sort());
    expect([...d.stack.skipAwait.keys()].sort()).toEqual(expected.sort());
  });

  test('the Grafana admin password is a secret output, in the Secret only, and in no synthesized object', async () => {
    const secretId = `v1 Secret ${config.namespaces.monitoring}/${config.grafana.adminSecret.name}`;
    expect(await pulumi.isSecret(d.stack.grafanaAdminPassword!)).toBe(true);
    expect(await valueOf(d.stack.grafanaAdminPassword!)).toBe(MOCK_PASSWORD);
    const secret = d.stack.resources.get(secretId) as k8s.core.v1.Secret;
    expect(await pulumi.isSecret(secret.stringData)).toBe(true);
    // The Secret's stringData reaches the engine as a secret (the SDK's secret envelope).
    expect(find(d, secretId).inputs.stringData).toEqual({
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: { [config.grafana.adminSecret.userKey]: 'admin', [config.grafana.adminSecret.passwordKey]: MOCK_PASSWORD },
    });
    expect(d.registered.filter((r) => JSON.stringify(r.inputs).includes(MOCK_PASSWORD)).map(identityOf)).toEqual([secretId]);
    expect(JSON.stringify(synthesized(d.stack.config))).not.toContain(MOCK_PASSWORD);
    expect(d.registered.filter((r) => r.type === 'random:index/randomPassword:RandomPassword')).toHaveLength(1);
  });

  test('outputs: port-forward commands and the password command', () => {
    const mon = config.namespaces.monitoring;
    expect(d.stack.portForward).toEqual({
      grafana: `kubectl --context ctx-${profile} -n ${mon} port-forward svc/grafana 3000:3000`,
      prometheus: `kubectl --context ctx-${profile} -n ${mon} port-forward svc/prometheus 9090:9090`,
      alertmanager: `kubectl --context ctx-${profile} -n ${mon} port-forward svc/alertmanager 9093:9093`,
      // MLflow, on in production only: its UI at mlflow.url (http://localhost:5000).
      ...(profile === 'production' ? { mlflow: `kubectl --context ctx-${profile} -n ${mon} port-forward svc/mlflow 5000:5000` } : {}),
    });
    // No Ingress in these profiles (test/components/ingress covers the routes the URLs come from).
    expect(d.stack.uiUrls).toEqual({});
    expect(d.stack.grafanaAdminPasswordCommand).toBe(
      `kubectl --context ctx-${profile} -n ${mon} get secret grafana-admin -o jsonpath='{.data.admin-password}' | base64 -d; echo`,
    );
  });
});

describe('buildImages: false', () => {
  const config = resolveConfig({ profile: 'minikube' });
  let d: Deployed;
  beforeAll(async () => {
    d = await deploy('stack-prebuilt', { config, buildImages: false, grafanaAdminPassword: 'given-Passw0rd-value' });
  });

  test('nothing is built and the workloads run the images of versions.json, not awaited', async () => {
    expect(d.registered.filter((r) => r.type.startsWith('docker:') || r.type === 'pulumi:providers:docker')).toEqual([]);
    const server = find(d, `apps/v1 Deployment ${config.namespaces.training}/fl-server`);
    expect(server.inputs.spec.template.spec.containers[0].image).toBe(imageString(defaultImage('flServer')));
    expect(annotationsOf(server)[SKIP_AWAIT]).toBe('true');
    expect(annotationsOf(find(d, `apps/v1 DaemonSet ${config.namespaces.agents}/fluentd`))[SKIP_AWAIT]).toBe('true');
    expect(annotationsOf(find(d, `v1 Service ${config.namespaces.training}/fl-server`))[SKIP_AWAIT]).toBe('true');
    expect(await valueOf(d.stack.images.flClient!)).toBe(imageString(defaultImage('flClient')));
  });

  test('without adoptExisting no object forces server-side apply conflicts', () => {
    expect(k8sOf(d).filter((r) => annotationsOf(r)[PATCH_FORCE] !== undefined).map(identityOf)).toEqual([]);
  });

  test('the kube context defaults to minikube', () => {
    expect(d.registered.find((r) => r.type === 'pulumi:providers:kubernetes')!.inputs.context).toBe('minikube');
  });

  test('a given Grafana password is used as a secret, without a RandomPassword', async () => {
    expect(d.registered.filter((r) => r.type.startsWith('random:'))).toEqual([]);
    expect(await pulumi.isSecret(d.stack.grafanaAdminPassword!)).toBe(true);
    const withPassword = d.registered.filter((r) => JSON.stringify(r.inputs).includes('given-Passw0rd-value'));
    expect(withPassword.map(identityOf)).toEqual([`v1 Secret ${config.namespaces.monitoring}/grafana-admin`]);
  });

  test('parity holds without builds too', () => {
    const expected = [...synthesized(config).map(objectId), `v1 Secret ${config.namespaces.monitoring}/grafana-admin`];
    expect(k8sOf(d).map(identityOf).sort()).toEqual(expected.sort());
  });
});

describe('adoptExisting: true', () => {
  const config = resolveConfig({ profile: 'minikube' });
  let d: Deployed;
  beforeAll(async () => {
    d = await deploy('stack-adopt', { config, buildImages: false, grafanaAdminPassword: 'given-Passw0rd-value', adoptExisting: true });
  });

  test('every object takes over fields other managers own (patchForce), and is otherwise unchanged', () => {
    const resources = k8sOf(d);
    expect(resources.map(identityOf).sort()).toEqual([...synthesized(config).map(objectId), `v1 Secret ${config.namespaces.monitoring}/grafana-admin`].sort());
    expect(resources.filter((r) => annotationsOf(r)[PATCH_FORCE] !== 'true').map(identityOf)).toEqual([]);
    const server = find(d, `apps/v1 Deployment ${config.namespaces.training}/fl-server`);
    expect(annotationsOf(server)[SKIP_AWAIT]).toBe('true');
  });
});
