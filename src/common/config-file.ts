import type { Construct } from 'constructs';
import { kplus } from '../k8s';
import { configChecksum, objectMeta, type ComponentIdentity } from './workload';

/** The pod template annotation whose value is the digest of the pods' config: a change rolls them. */
export const CONFIG_CHECKSUM_ANNOTATION = 'checksum/config';

/** The `checksum/config` pod annotation over a component's config inputs (files, flags), in order. */
export function checksumAnnotation(...parts: readonly string[]): Record<string, string> {
  return { [CONFIG_CHECKSUM_ANNOTATION]: configChecksum(...parts) };
}

/** Options of {@link configFiles}. */
export interface ConfigFilesOptions {
  /** File name → contents: the ConfigMap's data, checksummed in this order. */
  readonly files: Readonly<Record<string, string>>;
  /** The directory the files appear in inside the container. */
  readonly mountPath: string;
  /** Names the ConfigMap (`<component>-<id>`), its construct (`<id>`, `<id>-vol`) and its volume (`<id>`). @default 'config' */
  readonly id?: string;
  /** Further inputs of the checksum, mounted otherwise (e.g. rule files of another ConfigMap). @default - the files only */
  readonly alsoChecksummed?: readonly string[];
}

/** What {@link configFiles} made: the ConfigMap, its mount and the pod annotation that follows its contents. */
export interface ConfigFiles {
  /** The ConfigMap `<component>-<id>`. */
  readonly configMap: kplus.ConfigMap;
  /** The read-only mount of the files, for the container's `volumeMounts`. */
  readonly mount: kplus.VolumeMount;
  /** The `checksum/config` pod annotation over the files (and `alsoChecksummed`). */
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * The config-file preamble of a component: its files in a ConfigMap, mounted read-only at one
 * directory, and the `checksum/config` annotation that rolls the pods when a file changes.
 */
export function configFiles(scope: Construct, me: ComponentIdentity, options: ConfigFilesOptions): ConfigFiles {
  const id = options.id ?? 'config';
  const configMap = new kplus.ConfigMap(scope, id, { metadata: objectMeta(me, `${me.name}-${id}`), data: { ...options.files } });
  return {
    configMap,
    mount: { path: options.mountPath, volume: kplus.Volume.fromConfigMap(scope, `${id}-vol`, configMap, { name: id }), readOnly: true },
    annotations: checksumAnnotation(...Object.values(options.files), ...(options.alsoChecksummed ?? [])),
  };
}
