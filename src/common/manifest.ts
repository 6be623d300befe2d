import { WORKLOAD_KINDS, type WorkloadKind } from './names';

/*
 * The one type of a synthesized Kubernetes object: what a chart's `toJson()` returns, what dist/
 * holds, what the Pulumi program deploys. Every object has the typed envelope (kind, apiVersion,
 * metadata); the body is `unknown` until a guard ({@link isWorkload}, {@link isService}) narrows it
 * to the typed views below, which name only the fields this repository reads.
 */

/** The metadata of a synthesized object. */
export interface ManifestMetadata {
  readonly name: string;
  /** @default - cluster-scoped */
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

/** A synthesized Kubernetes object. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ManifestMetadata;
  /** The kind's spec: narrow it with a guard before reading it. */
  readonly spec?: unknown;
  /** A ConfigMap's (or Secret's) string data. */
  readonly data?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

/** An environment variable of a container. */
export interface ManifestEnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly fieldRef?: { readonly fieldPath: string };
    readonly secretKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean };
    readonly [key: string]: unknown;
  };
}

/** A whole-object environment source of a container. */
export interface ManifestEnvFrom {
  readonly secretRef?: { readonly name: string; readonly optional?: boolean };
  readonly [key: string]: unknown;
}

/** A port of a container. */
export interface ManifestContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** CPU and memory quantities, e.g. `{ cpu: '250m', memory: '512Mi' }`. */
export interface ManifestQuantities {
  readonly cpu?: string;
  readonly memory?: string;
}

/** A container of a pod template. */
export interface ManifestContainer {
  readonly name: string;
  readonly image?: string;
  readonly args?: readonly string[];
  readonly env?: readonly ManifestEnvVar[];
  readonly envFrom?: readonly ManifestEnvFrom[];
  readonly ports?: readonly ManifestContainerPort[];
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean }[];
  readonly resources?: { readonly requests?: ManifestQuantities; readonly limits?: ManifestQuantities };
  readonly [key: string]: unknown;
}

/** A volume of a pod template. */
export interface ManifestVolume {
  readonly name: string;
  readonly configMap?: { readonly name: string };
  readonly secret?: { readonly secretName: string; readonly optional?: boolean };
  readonly projected?: { readonly sources: readonly { readonly secret?: { readonly name: string; readonly optional?: boolean }; readonly [key: string]: unknown }[] };
  readonly persistentVolumeClaim?: { readonly claimName: string };
  readonly emptyDir?: object;
  readonly hostPath?: { readonly path: string };
  readonly [key: string]: unknown;
}

/** The pod spec of a pod template. */
export interface ManifestPodSpec {
  readonly containers: readonly ManifestContainer[];
  readonly initContainers?: readonly ManifestContainer[];
  readonly volumes?: readonly ManifestVolume[];
  readonly automountServiceAccountToken?: boolean;
  readonly [key: string]: unknown;
}

/** The pod template of a workload. */
export interface ManifestPodTemplate {
  readonly metadata?: { readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec: ManifestPodSpec;
}

/** The spec of a Deployment, StatefulSet or DaemonSet. */
export interface WorkloadObjectSpec {
  /** @default 1 (a DaemonSet has none) */
  readonly replicas?: number;
  readonly selector?: { readonly matchLabels?: Readonly<Record<string, string>> };
  readonly template: ManifestPodTemplate;
  /** A StatefulSet's governing (headless) Service. */
  readonly serviceName?: string;
  /** A StatefulSet's claim templates. */
  readonly volumeClaimTemplates?: readonly { readonly metadata: { readonly name: string }; readonly [key: string]: unknown }[];
  readonly [key: string]: unknown;
}

/** A synthesized workload: one of {@link WorkloadKind}, with its pod template. */
export interface WorkloadObject extends ManifestObject {
  readonly kind: WorkloadKind;
  readonly spec: WorkloadObjectSpec;
}

/** A port of a Service. */
export interface ManifestServicePort {
  readonly name?: string;
  readonly port: number;
  /** @default - the same as port */
  readonly targetPort?: number | string;
}

/** A synthesized Service. */
export interface ServiceObject extends ManifestObject {
  readonly kind: 'Service';
  readonly spec?: {
    readonly selector?: Readonly<Record<string, string>>;
    readonly ports?: readonly ManifestServicePort[];
    /** `None` for a headless Service. */
    readonly clusterIP?: string;
    readonly [key: string]: unknown;
  };
}

/** Whether an object is a workload ({@link WORKLOAD_KINDS}) with a pod template. */
export function isWorkload(o: ManifestObject): o is WorkloadObject {
  return WORKLOAD_KINDS.has(o.kind);
}

/** Whether an object is a Service. */
export function isService(o: ManifestObject): o is ServiceObject {
  return o.kind === 'Service';
}

/** The `app.kubernetes.io/name` label of an object. @default - undefined when unlabelled */
export function componentNameOf(o: ManifestObject): string | undefined {
  return o.metadata.labels?.['app.kubernetes.io/name'];
}
