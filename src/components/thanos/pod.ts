import type { Construct } from 'constructs';
import type { Resources, SecretKeyRef } from '../../config/schema';
import { containerPorts, containerResources, httpProbe, imageOf, restrictedContainerSecurity, type ComponentIdentity, type NamedPort } from '../../common/workload';
import { kplus } from '../../k8s';
import { ThanosApi } from './api';
import { ThanosPaths } from './config';

/** The `nobody` user: volumes are owned by it (fsGroup). */
export const THANOS_UID = 65534;

export const HTTP: NamedPort = { name: 'http', port: ThanosApi.http };
export const GRPC: NamedPort = { name: 'grpc', port: ThanosApi.grpc };
export const REMOTE_WRITE: NamedPort = { name: 'remote-write', port: ThanosApi.remoteWrite };

/** The read-only mount of a Secret at `path`. */
export function secretMount(scope: Construct, id: string, secretName: string, path: string): kplus.VolumeMount {
  return {
    path,
    volume: kplus.Volume.fromSecret(scope, `${id}-vol`, kplus.Secret.fromSecretName(scope, `${id}-ref`, secretName), { name: id }),
    readOnly: true,
  };
}

/** The object storage config, mounted from its Secret. */
export function objstoreMount(scope: Construct, ref: SecretKeyRef): kplus.VolumeMount {
  return secretMount(scope, 'objstore', ref.name, ThanosPaths.objstoreDir);
}

/** Options of {@link thanosContainer}. */
export interface ThanosContainerOptions {
  readonly me: ComponentIdentity;
  readonly args: readonly string[];
  readonly ports: readonly NamedPort[];
  readonly resources: Resources;
  readonly volumeMounts: readonly kplus.VolumeMount[];
  /** Environment variables (`$(POD_NAME)` in the args). @default - none */
  readonly env?: Readonly<Record<string, kplus.EnvValue>>;
}

/** A Thanos container: its subcommand's args, restricted security, ready and healthy probes on the HTTP port. */
export function thanosContainer(options: ThanosContainerOptions): kplus.ContainerProps {
  return {
    name: options.me.name,
    ...imageOf(options.me),
    args: [...options.args],
    ports: containerPorts(options.ports),
    resources: containerResources(options.resources),
    securityContext: restrictedContainerSecurity(THANOS_UID),
    readiness: httpProbe({ path: ThanosApi.ready, port: HTTP.port }),
    liveness: httpProbe({ path: ThanosApi.healthy, port: HTTP.port, periodSeconds: 30, failureThreshold: 6 }),
    volumeMounts: [...options.volumeMounts],
    ...(options.env === undefined ? {} : { envVariables: { ...options.env } }),
  };
}
