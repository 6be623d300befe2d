import type { Construct } from 'constructs';
import { kplus } from '../k8s';
import type { StackConfig } from '../config/schema';
import type { ComponentName } from './names';
import { Scheme, serviceHost, type Endpoint, type Topology } from './topology';

/*
 * The stack's web certificate (`webTls`): a kubernetes.io/tls Secret with `ca.crt`, mounted by the
 * workloads that serve HTTPS with it (Prometheus, Alertmanager: key and certificate) and by their
 * clients (the CA only).
 */

/** Where a workload mounts the web certificate Secret. */
export const WEB_TLS_DIR = '/etc/web-tls';
/** The Secret's keys (cert-manager's and `kubectl create secret tls` + ca.crt layout), as mounted files. */
export const WebTlsFiles = {
  cert: `${WEB_TLS_DIR}/tls.crt`,
  key: `${WEB_TLS_DIR}/tls.key`,
  ca: `${WEB_TLS_DIR}/ca.crt`,
} as const;

/** The file name of the web config (`--web.config.file`) Prometheus and Alertmanager read (exporter-toolkit's format). */
export const WEB_CONFIG_FILE = 'web-config.yml';

/** exporter-toolkit's web config: HTTPS with the mounted certificate, TLS 1.2 or newer. No secret is in it. */
export function webConfigFile(): { tls_server_config: { cert_file: string; key_file: string; min_version: string } } {
  return { tls_server_config: { cert_file: WebTlsFiles.cert, key_file: WebTlsFiles.key, min_version: 'TLS12' } };
}

/** Options of {@link webTlsMount}. */
export interface WebTlsMountOptions {
  /** Project `ca.crt` only: a client verifies with it and never gets the key. @default false */
  readonly caOnly?: boolean;
}

/** The web certificate Secret mounted read-only at {@link WEB_TLS_DIR}. */
export function webTlsMount(scope: Construct, secretName: string, options: WebTlsMountOptions = {}): kplus.VolumeMount {
  const secret = kplus.Secret.fromSecretName(scope, 'web-tls-secret', secretName);
  const volume = kplus.Volume.fromSecret(scope, 'web-tls', secret, {
    name: 'web-tls',
    ...(options.caOnly ?? false ? { items: { 'ca.crt': { path: 'ca.crt' } } } : {}),
  });
  return { path: WEB_TLS_DIR, volume, readOnly: true };
}

/** `{ webTlsSecret }` when a component's Service is served with the web certificate (its endpoint's scheme), else nothing. */
export function webTlsSecretOf(ctx: { readonly config: Pick<StackConfig, 'webTls'>; readonly topology: Topology }, name: ComponentName): { webTlsSecret?: string } {
  return ctx.topology.endpoint(name).scheme === Scheme.HTTPS ? { webTlsSecret: ctx.config.webTls.secret } : {};
}

/** A Prometheus-format `tls_config` that verifies the web certificate of a Service's pods under the Service's name. */
export function webTlsClientConfig(endpoint: Endpoint): { ca_file: string; server_name: string } {
  return { ca_file: WebTlsFiles.ca, server_name: serviceHost(endpoint) };
}
