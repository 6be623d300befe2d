/**
 * Addresses and paths of a generated config moved off-cluster, and nothing else:
 *
 * - `http://<service>.<namespace>.svc:<port>` (and a StatefulSet pod's
 *   `<hostname>.<service>.<namespace>.svc:<port>`) become the loopback address of the local process
 *   behind it;
 * - absolute paths under a container's mounts (config, rules, storage, secrets, log files), also in
 *   `file://` and SQLite URIs, map to the local directories that stand for those volumes;
 * - `$(VAR)` in a container's arguments is expanded from its environment, as the kubelet does;
 * - listen flags get the loopback ports chosen at run time;
 * - where a program cannot run locally, an in-cluster URL of it may be substituted, explicitly and
 *   with the reason, by the URL of a local stand-in speaking the same protocol (Loki's OTLP and push
 *   endpoints → VictoriaLogs's, since Loki is not run here).
 *
 * Pure: the caller allocates ports and writes files.
 */
import { backingPods, hostPort, targetPortOf, type LocalCluster } from './cluster';

/** A container path (a volume mount) and the local directory or file that stands for it. */
export interface PathMount {
  /** The absolute path inside the container, e.g. `/etc/prometheus/rules`. */
  readonly path: string;
  /** The absolute local path it maps to. */
  readonly localPath: string;
}

/**
 * An in-cluster URL whose program does not run locally, and the local stand-in that receives what was
 * sent to it instead (same protocol, another implementation).
 */
export interface UrlSubstitution {
  /** The in-cluster URL (scheme, Service host, port and path prefix), e.g. `http://loki.ns.svc:3100/otlp`. */
  readonly from: string;
  /** The local URL the prefix becomes, e.g. `http://127.0.0.1:41234/insert/opentelemetry`. */
  readonly to: string;
  /** Why the substitution is made (kept for error messages and reports). */
  readonly why: string;
}

/** What every local config transform needs. */
export interface LocalTransform {
  readonly cluster: LocalCluster;
  /** The consuming container's mounts and their local stand-ins. */
  readonly mounts: readonly PathMount[];
  /** `${VAR}` values for selectors, as the container's environment would expand them. @default {} */
  readonly variables?: Readonly<Record<string, string>>;
  /** In-cluster URLs served locally by a stand-in (matched as a prefix, at a path boundary). @default [] */
  readonly substitutions?: readonly UrlSubstitution[];
}

/**
 * In-cluster `host:port` of each Service port → the local `host:port` of its first backing pod; and,
 * for a headless Service, `<hostname>.<service>.<namespace>.svc:port` of each backing pod whose
 * subdomain it is → that pod's local `host:port`.
 */
export function serviceAddresses(cluster: LocalCluster): Map<string, string> {
  const out = new Map<string, string>();
  const names = (host: string): string[] => [host, `${host}.cluster.local`];
  for (const service of cluster.services) {
    const backing = backingPods(service, cluster.pods);
    if (backing.length === 0) {
      continue;
    }
    for (const port of service.ports) {
      for (const host of names(`${service.name}.${service.namespace}.svc`)) {
        out.set(`${host}:${port.port}`, hostPort(backing[0].ip, targetPortOf(backing[0], service, port)));
      }
      if (service.headless ?? false) {
        for (const pod of backing.filter((p) => p.hostname !== undefined && p.subdomain === service.name)) {
          for (const host of names(`${pod.hostname}.${service.name}.${service.namespace}.svc`)) {
            out.set(`${host}:${port.port}`, hostPort(pod.ip, targetPortOf(pod, service, port)));
          }
        }
      }
    }
  }
  return out;
}

/** A Service's (`service.namespace.svc`) or a pod's (`hostname.service.namespace.svc`) in-cluster DNS name. */
const CLUSTER_HOST = /^([a-z0-9-]+\.)?[a-z0-9-]+\.[a-z0-9-]+\.svc(\.cluster\.local)?$/;

/**
 * An in-cluster address (`service.namespace.svc:port` or a pod's `hostname.service.namespace.svc:port`,
 * with or without `http://…/path`) mapped to
 * the local process behind it. Anything that is not a cluster Service address is returned as is;
 * a cluster address with no local Service is an error naming it.
 */
export function localAddress(text: string, addresses: ReadonlyMap<string, string>, where: string): string {
  const url = /^(https?:\/\/)([^/:]+):(\d+)(\/.*)?$/.exec(text);
  const bare = /^([^/:]+):(\d+)$/.exec(text);
  const [scheme, host, port, path] = url !== null ? [url[1], url[2], url[3], url[4] ?? ''] : bare !== null ? ['', bare[1], bare[2], ''] : ['', '', '', ''];
  if (!CLUSTER_HOST.test(host)) {
    return text;
  }
  const local = addresses.get(`${host}:${port}`);
  if (local === undefined) {
    const known = [...addresses.keys()].filter((k) => !k.includes('cluster.local'));
    throw new Error(`${where}: ${text} names a Service that does not run locally (known: ${known.length === 0 ? 'none' : known.join(', ')})`);
  }
  return `${scheme}${local}${path}`;
}

/**
 * A container path under one of the mounts (the longest that matches) mapped to its local path, also
 * inside a `file://` or SQLite (`sqlite:///`) URI; any other string is returned as is.
 */
export function localPath(path: string, mounts: readonly PathMount[]): string {
  const uri = /^(file:\/\/|sqlite:\/\/\/)(\/.*)$/.exec(path);
  if (uri !== null) {
    return `${uri[1]}${localPath(uri[2], mounts)}`;
  }
  const under = (m: PathMount): boolean => path === m.path || path.startsWith(m.path.endsWith('/') ? m.path : `${m.path}/`);
  const best = mounts.filter(under).sort((a, b) => b.path.length - a.path.length)[0];
  return best === undefined ? path : `${best.localPath.replace(/\/$/, '')}${path.slice(best.path.replace(/\/$/, '').length)}`;
}

/** Every string of a document passed through `fn` (keys and structure unchanged). */
export function mapStrings<T>(value: T, fn: (text: string, path: string) => string, path = ''): T {
  if (typeof value === 'string') {
    return fn(value, path) as T;
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => mapStrings(v, fn, `${path}[${i}]`)) as T;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn, path === '' ? k : `${path}.${k}`)])) as T;
  }
  return value;
}

/**
 * A URL under one of the substitutions (the longest `from` that matches at a path boundary) mapped to
 * its stand-in; any other string is returned unchanged.
 */
export function substituteUrl(text: string, substitutions: readonly UrlSubstitution[]): string {
  const under = (s: UrlSubstitution): boolean => text === s.from || text.startsWith(s.from.endsWith('/') ? s.from : `${s.from}/`);
  const best = [...substitutions].filter(under).sort((a, b) => b.from.length - a.from.length)[0];
  return best === undefined ? text : `${best.to.replace(/\/$/, '')}${text.slice(best.from.replace(/\/$/, '').length)}`;
}

/**
 * Every string of a config document relocated: substituted URLs first, then Service and pod
 * addresses, then container paths. `what` names the document in errors (`<what> <key path>`).
 */
export function relocate<T>(doc: T, t: LocalTransform, what: string): T {
  const addresses = serviceAddresses(t.cluster);
  const subs = t.substitutions ?? [];
  return mapStrings(doc, (text, path) => localPath(localAddress(substituteUrl(text, subs), addresses, `${what} ${path}`), t.mounts));
}

/**
 * A container's command-line flags for the local stack: the flags named in `listen` get the local
 * address (each must be present; one generated empty, a listener switched off such as a single
 * Alertmanager's `--cluster.listen-address=`, stays off), paths move under the root, Service and pod
 * addresses are mapped. Flags are `-name=value` or `--name=value`.
 */
export function localArgs(args: readonly string[], t: LocalTransform, listen: Readonly<Record<string, string>>, where: string): string[] {
  const seen = new Set<string>();
  const addresses = serviceAddresses(t.cluster);
  const out = args.map((arg) => {
    const match = /^(--?)([\w.-]+)=(.*)$/.exec(arg);
    if (match === null) {
      return arg;
    }
    const [, dashes, name, value] = match;
    if (listen[name] !== undefined) {
      seen.add(name);
      return value === '' ? arg : `${dashes}${name}=${listen[name]}`;
    }
    return `${dashes}${name}=${localPath(localAddress(substituteUrl(value, t.substitutions ?? []), addresses, `${where} flag ${name}`), t.mounts)}`;
  });
  const missing = Object.keys(listen).filter((name) => !seen.has(name));
  if (missing.length > 0) {
    throw new Error(`${where}: listen flag(s) ${missing.join(', ')} not among the generated args ${JSON.stringify(args)}`);
  }
  return out;
}

/**
 * `$(VAR)` in a container's arguments replaced by the variable of its environment, as the kubelet
 * does (`$$(VAR)` stays `$(VAR)`; an undefined variable is left as written).
 */
export function expandEnvReferences(args: readonly string[], env: Readonly<Record<string, string>>): string[] {
  return args.map((arg) => arg.replace(/\$\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, escaped: string | undefined, name: string | undefined) =>
    escaped !== undefined ? `$(${escaped})` : (env[name!] ?? whole),
  ));
}
