import { tmpdir } from 'node:os';
import * as docker from '@pulumi/docker';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { App } from 'cdk8s';
import { ComponentName, PART_OF } from '../common/names';
import { loadConfig } from '../config/loader';
import { StackConfigSchema, type StackConfig } from '../config/schema';
import { allWorkloads, stackTopology } from '../component-list';
import { buildStack, uiRoutes } from '../stack';
import { defaultImage, imageString, type ImageKey } from '../versions';
import { builtImageRef, configuredImage, imageBuildSpecs, withImageOverrides, type ImageBuildSpec } from './images';
import { isWorkload, type ManifestContainer, type ManifestObject } from '../common/manifest';
import {
  containersOf,
  objectId,
  resourceClassOf,
  resourceName,
  skipAwaitReasons,
  tierOf,
  withPatchForce,
  withSkipAwait,
} from './objects';

/** Arguments of {@link FlObservability}. */
export interface FlObservabilityArgs {
  /**
   * The validated stack config, the same one `npm run synth` uses.
   * @default - loadConfig(process.env): STACK_CONFIG / STACK_PROFILE, else the minikube profile
   */
  readonly config?: StackConfig;
  /**
   * The kubeconfig context every Kubernetes resource is deployed through (the provider is pinned to
   * it: a different current context in the shell changes nothing).
   * @default 'minikube'
   */
  readonly kubeContext?: string;
  /**
   * Build the FL server, FL client and Fluentd images from this repository with a content tag and
   * deploy those; `false` deploys the images of the config / versions.json as they are.
   * @default true
   */
  readonly buildImages?: boolean;
  /**
   * The Docker daemon that builds the images, e.g. minikube's (DOCKER_HOST of `minikube docker-env`):
   * an image built there is already on the node, so `IfNotPresent` needs no registry.
   * @default - the DOCKER_HOST environment variable, else the local daemon
   */
  readonly dockerHost?: string;
  /**
   * Directory of the daemon's TLS client certificates (DOCKER_CERT_PATH of `minikube docker-env`).
   * @default - no TLS
   */
  readonly dockerCertPath?: string;
  /**
   * The Grafana admin password stored in the admin Secret.
   * @default - a random 32-character password, kept (encrypted) in the stack's state
   */
  readonly grafanaAdminPassword?: pulumi.Input<string>;
  /**
   * Adopt objects that already exist in the cluster (e.g. from `kubectl apply -f dist/`), taking over
   * the fields another field manager owns: every object gets the `pulumi.com/patchForce` annotation.
   * (With server-side apply the provider creates an object that already exists by applying to it;
   * without the annotation, fields `kubectl` set to other values are a conflict that fails the update.)
   * @default false
   */
  readonly adoptExisting?: boolean;
  /**
   * The repository root: build contexts and Dockerfiles are relative to it.
   * @default - process.cwd() (Pulumi runs the program in the directory of Pulumi.yaml)
   */
  readonly rootDir?: string;
}

/** The user name stored next to the generated Grafana admin password. */
export const GRAFANA_ADMIN_USER = 'admin';

/**
 * The FL observability stack on a Kubernetes cluster: exactly the objects `buildStack` synthesizes
 * for the config (one typed resource each), the Grafana admin Secret, and (optionally) the FL and
 * Fluentd images built from source on the cluster's Docker daemon.
 */
export class FlObservability extends pulumi.ComponentResource {
  /** The Kubernetes provider every Kubernetes resource of the stack uses. */
  public readonly provider: k8s.Provider;
  /** The validated config the objects were synthesized from (images replaced by the builds). */
  public readonly config: StackConfig;
  /** The image each FL/Fluentd workload runs: the built image's name, or the configured image. */
  public readonly images: Readonly<Partial<Record<ImageKey, pulumi.Output<string>>>>;
  /** The image builds, when `buildImages` is on. */
  public readonly builds: Readonly<Partial<Record<ImageKey, docker.Image>>>;
  /** Every Kubernetes resource, by `apiVersion kind namespace/name`. */
  public readonly resources: ReadonlyMap<string, pulumi.CustomResource>;
  /** Objects deployed without readiness await, with the reason. */
  public readonly skipAwait: ReadonlyMap<string, string>;
  /** The Grafana admin password (a secret output); undefined when Grafana is disabled. */
  public readonly grafanaAdminPassword: pulumi.Output<string> | undefined;
  /** `kubectl port-forward` commands of the enabled UIs. */
  public readonly portForward: Readonly<Record<string, string>>;
  /** The https URLs of the UIs an Ingress exposes (`ingress.hosts`), by workload. */
  public readonly uiUrls: Readonly<Record<string, string>>;
  /** The command that prints the Grafana admin password; undefined when Grafana is disabled. */
  public readonly grafanaAdminPasswordCommand: string | undefined;

  constructor(name: string, args: FlObservabilityArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super('fl-observability:index:Stack', name, {}, opts);
    const loaded = args.config ?? loadConfig(process.env);
    const kubeContext = args.kubeContext ?? 'minikube';
    const buildImages = args.buildImages ?? true;
    const rootDir = args.rootDir ?? process.cwd();
    const adopt = args.adoptExisting ?? false;

    this.provider = new k8s.Provider(
      'kubernetes',
      {
        context: kubeContext,
        // Server-side apply (the v4 default, stated here): field ownership instead of the
        // last-applied annotation, so `kubectl apply`'d fields and ours can coexist.
        enableServerSideApply: true,
      },
      { parent: this },
    );
    const provider = this.provider;

    // Images: a content-tagged build on the cluster's daemon, or the configured images.
    const specs = imageBuildSpecs().filter((s) => s.inUse(loaded));
    const builds: Partial<Record<ImageKey, docker.Image>> = {};
    const images: Partial<Record<ImageKey, pulumi.Output<string>>> = {};
    const refs: Partial<Record<ImageKey, string>> = {};
    const built = new Map<ImageBuildSpec, string>();
    if (buildImages && specs.length > 0) {
      const dockerProvider = new docker.Provider('docker', { host: args.dockerHost, certPath: args.dockerCertPath }, { parent: this });
      for (const spec of specs) {
        const ref = builtImageRef(spec, loaded, rootDir);
        refs[spec.key] = ref;
        built.set(spec, ref);
        const build = new docker.Image(
          spec.key,
          {
            imageName: ref,
            build: { context: spec.context, dockerfile: spec.dockerfile, args: { ...spec.args } },
            // The daemon is the node's: the pods find the image there (IfNotPresent), no registry.
            skipPush: true,
          },
          { parent: this, provider: dockerProvider },
        );
        builds[spec.key] = build;
        images[spec.key] = build.imageName;
      }
    } else {
      for (const spec of specs) {
        images[spec.key] = pulumi.output(configuredImage(spec, loaded));
      }
    }
    this.builds = builds;
    this.images = images;
    this.config = StackConfigSchema.parse(withImageOverrides(loaded, built));

    // The objects, synthesized exactly as `npm run synth` does (no files are written).
    const app = new App({ outdir: tmpdir() });
    const objects = buildStack(app, this.config).charts.flatMap((c) => c.toJson() as ManifestObject[]);

    // The Grafana admin Secret the Grafana pod mounts (the stack never contains credentials).
    const grafana = this.config.grafana;
    const monitoringNs = this.config.namespaces.monitoring;
    let adminSecret: ManifestObject | undefined;
    let password: pulumi.Output<string> | undefined;
    if (grafana.enabled) {
      password =
        args.grafanaAdminPassword !== undefined
          ? pulumi.secret(args.grafanaAdminPassword)
          : pulumi.secret(new random.RandomPassword('grafana-admin-password', { length: 32, special: false }, { parent: this }).result);
      adminSecret = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: grafana.adminSecret.name,
          namespace: monitoringNs,
          labels: { 'app.kubernetes.io/name': ComponentName.GRAFANA, 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/managed-by': 'pulumi' },
        },
        type: 'Opaque',
        stringData: { [grafana.adminSecret.userKey]: GRAFANA_ADMIN_USER, [grafana.adminSecret.passwordKey]: password },
      };
    }
    this.grafanaAdminPassword = password;

    // Readiness: what `pulumi up` must not wait for (see skipAwaitReasons).
    const unavailableImages = new Set(buildImages ? [] : specs.map((s) => configuredImage(s, loaded)).filter((image) => isRepositoryDefault(image, specs)));
    const reasons = skipAwaitReasons(objects, {
      secretsCreated: new Set(adminSecret === undefined ? [] : [`${monitoringNs}/${adminSecret.metadata.name}`]),
      unavailableImages,
    });
    this.skipAwait = reasons;

    // One resource per object, in order: namespaces → prerequisites and Services → workloads.
    const all = adminSecret === undefined ? objects : [...objects, adminSecret];
    const resources = new Map<string, pulumi.CustomResource>();
    const create = (o: ManifestObject, dependsOn: pulumi.Resource[]): pulumi.CustomResource => {
      const awaited = reasons.has(objectId(o)) ? withSkipAwait(o) : o;
      const object = adopt ? withPatchForce(awaited) : awaited;
      const Cls = resourceClassOf(object);
      const resource = new Cls(resourceName(object), object, { parent: this, provider, dependsOn });
      resources.set(objectId(o), resource);
      return resource;
    };
    const namespaces = all.filter((o) => tierOf(o) === 'namespace').map((o) => create(o, []));
    const prerequisites = all.filter((o) => tierOf(o) === 'prerequisite').map((o) => ({ o, r: create(o, namespaces) }));
    for (const o of all.filter((x) => tierOf(x) === 'service')) {
      create(o, namespaces);
    }
    for (const o of all.filter((x) => tierOf(x) === 'workload')) {
      // A workload waits for its namespace's prerequisites and the cluster-scoped ones (RBAC).
      const needs = prerequisites.filter(({ o: p }) => p.metadata.namespace === undefined || p.metadata.namespace === o.metadata.namespace).map(({ r }) => r);
      create(withBuiltImages(o, refs, builds), [...namespaces, ...needs]);
    }
    this.resources = resources;

    // How to reach the UIs and the password.
    const kubectl = `kubectl --context ${kubeContext}`;
    const config = this.config;
    this.portForward = Object.fromEntries(
      allWorkloads()
        .filter(({ component, workload }) => component.enabled(config) && (workload.ui ?? false))
        .map(({ workload: w }) => {
          const { namespace, service, port } = stackTopology(config).endpoint(w.name);
          return [w.name, `${kubectl} -n ${namespace} port-forward svc/${service} ${port}:${port}`];
        }),
    );
    this.uiUrls = Object.fromEntries(uiRoutes(config, stackTopology(config)).map((r) => [r.name, `https://${r.host}`]));
    this.grafanaAdminPasswordCommand = grafana.enabled
      ? `${kubectl} -n ${monitoringNs} get secret ${grafana.adminSecret.name} -o jsonpath='{.data.${grafana.adminSecret.passwordKey.replace(/\./g, '\\.')}}' | base64 -d; echo`
      : undefined;

    this.registerOutputs({
      kubeContext,
      images: this.images,
      portForward: this.portForward,
      uiUrls: this.uiUrls,
      grafanaAdminPassword: this.grafanaAdminPassword,
      grafanaAdminPasswordCommand: this.grafanaAdminPasswordCommand,
    });
  }
}

/**
 * A copy of a workload whose containers running a built image reference the build's `imageName`
 * output: the workload then depends on the build, and the content tag reaches the pod template.
 * The copy's images are Pulumi outputs: it is a ManifestObject, no longer a plain workload.
 */
function withBuiltImages(o: ManifestObject, refs: Partial<Record<ImageKey, string>>, builds: Partial<Record<ImageKey, docker.Image>>): ManifestObject {
  const byRef = new Map<string, pulumi.Output<string>>();
  for (const [key, ref] of Object.entries(refs) as [ImageKey, string][]) {
    byRef.set(ref, builds[key]!.imageName);
  }
  const outputOf = (c: ManifestContainer): pulumi.Output<string> | undefined => (c.image === undefined ? undefined : byRef.get(c.image));
  if (!isWorkload(o) || !containersOf(o.spec.template.spec).some((c) => outputOf(c) !== undefined)) {
    return o;
  }
  // Spread copies (the original stays untouched); a key that is set again keeps its position.
  const built = (c: ManifestContainer): object => {
    const output = outputOf(c);
    return output === undefined ? c : { ...c, image: output };
  };
  const template = o.spec.template;
  const pod = template.spec;
  return {
    ...o,
    spec: {
      ...o.spec,
      template: {
        ...template,
        spec: { ...pod, ...(pod.initContainers === undefined ? {} : { initContainers: pod.initContainers.map(built) }), containers: pod.containers.map(built) },
      },
    },
  };
}

/** Whether `image` is the repository's own default (`fl-observability/...` of versions.json): no registry serves it. */
function isRepositoryDefault(image: string, specs: readonly ImageBuildSpec[]): boolean {
  return specs.some((s) => imageString(defaultImage(s.key)) === image);
}
