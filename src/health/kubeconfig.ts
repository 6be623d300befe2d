import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** How to reach and authenticate to one API server: what a kubeconfig context resolves to. */
export interface KubeConnection {
  /** The context it came from. */
  readonly context: string;
  /** `https://host:port` (or `http://` for an insecure local server). */
  readonly server: string;
  /** PEM of the CA that signed the server certificate. @default - the system roots */
  readonly ca?: string;
  /** PEM client certificate and key (both or neither). */
  readonly cert?: string;
  readonly key?: string;
  /** Bearer token. */
  readonly token?: string;
  /** Basic auth (old clusters). */
  readonly username?: string;
  readonly password?: string;
  /** Skip verifying the server certificate (`insecure-skip-tls-verify`). @default false */
  readonly insecureSkipTlsVerify: boolean;
  /** SNI / name to verify instead of the server's host (`tls-server-name`). */
  readonly tlsServerName?: string;
  /** The context's default namespace. */
  readonly namespace?: string;
}

/** A kubeconfig that cannot be used: its message names the file, the field and the value. */
export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

interface Named<T> {
  readonly name: string;
  readonly value: T;
  /** The file that defined it: relative paths inside are resolved from its directory. */
  readonly file: string;
}

interface ClusterEntry {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

interface UserEntry {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  'auth-provider'?: unknown;
}

interface ContextEntry {
  cluster?: string;
  user?: string;
  namespace?: string;
}

/** The kubeconfig files to read: the explicit path, else $KUBECONFIG (a path list), else ~/.kube/config. */
export function kubeconfigFiles(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (explicit !== undefined) {
    return [resolve(explicit)];
  }
  const list = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  return list.length > 0 ? list.map((p) => resolve(p)) : [join(env.HOME ?? homedir(), '.kube', 'config')];
}

function readDoc(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubeconfigError(`cannot read kubeconfig ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (err) {
    throw new KubeconfigError(`kubeconfig ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new KubeconfigError(`kubeconfig ${file} must be a mapping (got ${JSON.stringify(doc)})`);
  }
  return doc as Record<string, unknown>;
}

function entries<T>(doc: Record<string, unknown>, list: string, field: string, file: string): Named<T>[] {
  const raw = doc[list] ?? [];
  if (!Array.isArray(raw)) {
    throw new KubeconfigError(`kubeconfig ${file}: ${list} must be a list (got ${JSON.stringify(raw)})`);
  }
  return raw.map((item: { name?: unknown } & Record<string, unknown>, i) => {
    if (typeof item?.name !== 'string') {
      throw new KubeconfigError(`kubeconfig ${file}: ${list}[${i}].name must be a string (got ${JSON.stringify(item?.name)})`);
    }
    return { name: item.name, value: (item[field] ?? {}) as T, file };
  });
}

/** First definition wins, as kubectl merges several files. */
function firstByName<T>(lists: Named<T>[][]): Map<string, Named<T>> {
  const map = new Map<string, Named<T>>();
  for (const item of lists.flat()) {
    if (!map.has(item.name)) {
      map.set(item.name, item);
    }
  }
  return map;
}

function readPem(base: string, path: string | undefined, data: string | undefined, field: string): string | undefined {
  if (data !== undefined) {
    return Buffer.from(data, 'base64').toString('utf8');
  }
  if (path === undefined) {
    return undefined;
  }
  const file = isAbsolute(path) ? path : resolve(dirname(base), path);
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubeconfigError(`kubeconfig ${base}: cannot read ${field} ${file}: ${(err as Error).message}`);
  }
}

/**
 * Resolves a context of the kubeconfig file(s) into a connection: the server, its CA, and the
 * client certificate, token or basic credentials (read from files relative to the kubeconfig).
 * Exec and auth-provider plugins are refused: the command runs no credential helper.
 */
export function loadKubeconfig(files: readonly string[], contextName?: string): KubeConnection {
  const docs = files.map((file) => ({ file, doc: readDoc(file) }));
  const clusters = firstByName(docs.map(({ doc, file }) => entries<ClusterEntry>(doc, 'clusters', 'cluster', file)));
  const users = firstByName(docs.map(({ doc, file }) => entries<UserEntry>(doc, 'users', 'user', file)));
  const contexts = firstByName(docs.map(({ doc, file }) => entries<ContextEntry>(doc, 'contexts', 'context', file)));
  const where = files.join(delimiter);
  const current = docs.map(({ doc }) => doc['current-context']).find((c) => typeof c === 'string' && c !== '') as string | undefined;
  const name = contextName ?? current;
  if (name === undefined) {
    throw new KubeconfigError(`kubeconfig ${where} has no current-context: pass --context (contexts: ${[...contexts.keys()].join(', ') || 'none'})`);
  }
  const context = contexts.get(name);
  if (context === undefined) {
    throw new KubeconfigError(`context '${name}' is not in kubeconfig ${where} (contexts: ${[...contexts.keys()].join(', ') || 'none'})`);
  }
  const cluster = clusters.get(context.value.cluster ?? '');
  if (cluster === undefined) {
    throw new KubeconfigError(`context '${name}': cluster '${context.value.cluster}' is not in kubeconfig ${where}`);
  }
  const server = cluster.value.server;
  if (typeof server !== 'string' || !/^https?:\/\//.test(server)) {
    throw new KubeconfigError(`kubeconfig ${cluster.file}: clusters[${cluster.name}].server must be an http(s) URL (got ${JSON.stringify(server)})`);
  }
  if (cluster.value['proxy-url'] !== undefined) {
    throw new KubeconfigError(`kubeconfig ${cluster.file}: clusters[${cluster.name}].proxy-url is not supported (got ${JSON.stringify(cluster.value['proxy-url'])})`);
  }
  const userName = context.value.user;
  const user = userName === undefined ? undefined : users.get(userName);
  if (userName !== undefined && user === undefined) {
    throw new KubeconfigError(`context '${name}': user '${userName}' is not in kubeconfig ${where}`);
  }
  const u = user?.value ?? {};
  for (const plugin of ['exec', 'auth-provider'] as const) {
    if (u[plugin] !== undefined) {
      throw new KubeconfigError(
        `kubeconfig ${user!.file}: users[${user!.name}].${plugin} is not supported (no credential plugin is run): use a context with a client certificate or a token`,
      );
    }
  }
  const userFile = user?.file ?? cluster.file;
  const cert = readPem(userFile, u['client-certificate'], u['client-certificate-data'], 'client-certificate');
  const key = readPem(userFile, u['client-key'], u['client-key-data'], 'client-key');
  if ((cert === undefined) !== (key === undefined)) {
    throw new KubeconfigError(`kubeconfig ${userFile}: users[${userName}] needs both client-certificate and client-key (got only ${cert === undefined ? 'the key' : 'the certificate'})`);
  }
  const token = u.token ?? (u.tokenFile === undefined ? undefined : readPem(userFile, u.tokenFile, undefined, 'tokenFile')?.trim());
  return {
    context: name,
    server: server.replace(/\/+$/, ''),
    ca: readPem(cluster.file, cluster.value['certificate-authority'], cluster.value['certificate-authority-data'], 'certificate-authority'),
    cert,
    key,
    token,
    username: u.username,
    password: u.password,
    insecureSkipTlsVerify: cluster.value['insecure-skip-tls-verify'] ?? false,
    tlsServerName: cluster.value['tls-server-name'],
    namespace: context.value.namespace,
  };
}
