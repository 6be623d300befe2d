import { createHash } from 'node:crypto';
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Resources, Storage } from '../config/schema';
import { splitImage, parseBytes, parseCpuMillis } from '../config/values';
import { kplus } from '../k8s';
import { defaultImage, imageString, type ImageKey, type ImageRef } from '../versions';
import { componentLabels, selectorLabels } from './labels';
import type { ComponentName, ComponentRole } from './names';

/** The image a component runs: the config's override, else the pinned default of versions.json. */
export function resolveImage(key: ImageKey, override: string | undefined): ImageRef {
  return override === undefined ? defaultImage(key) : splitImage(override);
}

/** A label-safe version string from an image tag (digests are shortened). */
export function versionLabel(image: ImageRef): string {
  const raw = image.tag.startsWith('sha256:') ? image.tag.slice(7, 19) : image.tag;
  return raw.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 63);
}

/** cdk8s-plus container resources from config quantities. */
export function containerResources(resources: Resources): kplus.ContainerResources {
  return {
    cpu: {
      request: kplus.Cpu.millis(parseCpuMillis(resources.requests.cpu)!),
      limit: kplus.Cpu.millis(parseCpuMillis(resources.limits.cpu)!),
    },
    memory: {
      request: Size.mebibytes(parseBytes(resources.requests.memory)! / 2 ** 20),
      limit: Size.mebibytes(parseBytes(resources.limits.memory)! / 2 ** 20),
    },
  };
}

/** Non-root, read-only root filesystem, no privilege escalation, every capability dropped. */
export function restrictedContainerSecurity(user: number): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user,
    group: user,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

/** Pod-level security context for a non-root pod whose volumes belong to `user`. */
export function restrictedPodSecurity(user: number): kplus.PodSecurityContextProps {
  return {
    ensureNonRoot: true,
    user,
    group: user,
    fsGroup: user,
    fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
  };
}

/** A short, stable digest of a component's config files, put on its pod template so a change rolls it. */
export function configChecksum(...parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(part).update('\0');
  }
  return hash.digest('hex');
}

/** What every component construct knows about itself. */
export interface ComponentIdentity {
  readonly name: ComponentName;
  readonly role: ComponentRole;
  readonly namespace: string;
  readonly image: ImageRef;
}

/** Metadata for a namespaced object of a component. */
export function objectMeta(id: ComponentIdentity, name: string = id.name): { name: string; namespace: string; labels: Record<string, string> } {
  return { name, namespace: id.namespace, labels: componentLabels(id.name, id.role, versionLabel(id.image)) };
}

/** Pod template metadata: the recommended labels plus the given annotations. */
export function podMeta(id: ComponentIdentity, annotations: Record<string, string> = {}): { labels: Record<string, string>; annotations: Record<string, string> } {
  return { labels: componentLabels(id.name, id.role, versionLabel(id.image)), annotations };
}

/** Selects the component's pods by its stable selector labels instead of cdk8s-plus's generated one. */
export function selectPods(workload: kplus.Workload, id: ComponentIdentity): void {
  workload.select(kplus.LabelSelector.of({ labels: selectorLabels(id.name) }));
}

/** The container image string with the pull policy every workload uses. */
export function imageOf(id: ComponentIdentity): { image: string; imagePullPolicy: kplus.ImagePullPolicy } {
  return { image: imageString(id.image), imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT };
}

/** An HTTP probe on a named port. */
export function httpProbe(path: string, port: number, periodSeconds = 10, failureThreshold = 3): kplus.Probe {
  return kplus.Probe.fromHttpGet(path, {
    port,
    periodSeconds: Duration.seconds(periodSeconds),
    timeoutSeconds: Duration.seconds(5),
    failureThreshold,
    initialDelaySeconds: Duration.seconds(0),
  });
}

/** Adds a persistent volume claim template to a StatefulSet (cdk8s-plus has no API for it). */
export function addVolumeClaimTemplate(sts: kplus.StatefulSet, name: string, storage: Storage, labels: Record<string, string>): void {
  ApiObject.of(sts).addJsonPatch(
    JsonPatch.add('/spec/volumeClaimTemplates', [
      {
        metadata: { name, labels },
        spec: {
          accessModes: ['ReadWriteOnce'],
          ...(storage.storageClass === undefined ? {} : { storageClassName: storage.storageClass }),
          resources: { requests: { storage: storage.size } },
        },
      },
    ]),
  );
  ApiObject.of(sts).addJsonPatch(
    JsonPatch.add('/spec/persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' }),
  );
}

/** A volume backed by the StatefulSet's claim template of the same name. */
export function claimVolume(scope: Construct, name: string): kplus.Volume {
  // A PVC-backed volume whose claim is created from the StatefulSet's template (same name).
  return kplus.Volume.fromPersistentVolumeClaim(scope, `${name}-claim`, kplus.PersistentVolumeClaim.fromClaimName(scope, `${name}-ref`, name), { name });
}

/** An emptyDir scratch volume with a size limit. */
export function scratchVolume(scope: Construct, name: string, sizeMi = 64): kplus.Volume {
  return kplus.Volume.fromEmptyDir(scope, `${name}-scratch`, name, { sizeLimit: Size.mebibytes(sizeMi) });
}

/** A port of a component's Service; the target port is the same number. */
export interface ServicePortSpec {
  readonly name: string;
  readonly port: number;
}

/** Options of {@link componentService}. */
export interface ComponentServiceOptions {
  /** A headless Service (`<name>-headless`) for StatefulSet pod DNS. @default false */
  readonly headless?: boolean;
}

/** The ClusterIP (or headless) Service of a component, selecting its pods by the selector labels. */
export function componentService(scope: Construct, id: string, me: ComponentIdentity, ports: readonly ServicePortSpec[], options: ComponentServiceOptions = {}): kplus.Service {
  const headless = options.headless ?? false;
  const service = new kplus.Service(scope, id, {
    metadata: objectMeta(me, headless ? `${me.name}-headless` : me.name),
    ...(headless ? { clusterIP: 'None' } : {}),
    ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port })),
  });
  for (const [key, value] of Object.entries(selectorLabels(me.name))) {
    service.selectLabel(key, value);
  }
  return service;
}
