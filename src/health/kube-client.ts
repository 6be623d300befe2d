import type { RequestOptions } from 'node:https';
import { firstLine, httpGet, type HttpResponse } from './http';
import type { KubeConnection } from './kubeconfig';

/** The fields of the Kubernetes objects the health checks read (a small subset of the API types). */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Set while the object is being deleted. */
  readonly deletionTimestamp?: string;
}

export interface ContainerStatus {
  readonly name: string;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly state?: { readonly waiting?: { readonly reason?: string }; readonly terminated?: { readonly reason?: string } };
  readonly lastState?: { readonly terminated?: { readonly reason?: string; readonly exitCode?: number } };
}

export interface Pod {
  readonly metadata: ObjectMeta;
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly conditions?: readonly { readonly type: string; readonly status: string; readonly reason?: string }[];
    readonly containerStatuses?: readonly ContainerStatus[];
    readonly initContainerStatuses?: readonly ContainerStatus[];
  };
}

/** Deployment, StatefulSet or DaemonSet: only what tells desired and ready pods apart. */
export interface Workload {
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly replicas?: number };
  readonly status?: {
    readonly replicas?: number;
    readonly readyReplicas?: number;
    readonly desiredNumberScheduled?: number;
    readonly numberReady?: number;
  };
}

export interface EndpointSlice {
  readonly metadata: ObjectMeta;
  readonly endpoints?: readonly {
    readonly addresses: readonly string[];
    readonly conditions?: { readonly ready?: boolean; readonly serving?: boolean; readonly terminating?: boolean };
    readonly targetRef?: { readonly kind?: string; readonly name?: string };
  }[];
}

export interface List<T> {
  readonly items: readonly T[];
}

/** A non-2xx answer of the API server, with its status code and the Status message. */
export class KubeApiError extends Error {
  constructor(
    public readonly path: string,
    public readonly status: number,
    reason: string,
  ) {
    super(`GET ${path}: HTTP ${status}: ${reason}`);
    this.name = 'KubeApiError';
  }
}

/** `a=b,c=d`, keys sorted: a label selector for list calls. */
export function labelSelector(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/**
 * A small read-only Kubernetes API client over node's https: authenticates as the kubeconfig
 * context says (client certificate, bearer token or basic credentials) and verifies the server
 * against the context's CA.
 */
export class KubeClient {
  private readonly tls: RequestOptions;
  private readonly headers: Record<string, string>;

  constructor(
    public readonly connection: KubeConnection,
    /** Per-request timeout. @default 10000 */
    private readonly timeoutMs = 10_000,
  ) {
    const c = connection;
    this.tls = {
      ...(c.ca === undefined ? {} : { ca: c.ca }),
      ...(c.cert === undefined ? {} : { cert: c.cert, key: c.key }),
      ...(c.tlsServerName === undefined ? {} : { servername: c.tlsServerName }),
      rejectUnauthorized: !c.insecureSkipTlsVerify,
    };
    this.headers = { Accept: 'application/json', 'User-Agent': 'fl-observability-health' };
    if (c.token !== undefined) {
      this.headers.Authorization = `Bearer ${c.token}`;
    } else if (c.username !== undefined) {
      this.headers.Authorization = `Basic ${Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64')}`;
    }
  }

  /** GET an API path (absolute, with its query); any status code is returned, transport errors throw. */
  request(path: string, accept?: string): Promise<HttpResponse> {
    return httpGet(`${this.connection.server}${path}`, {
      headers: accept === undefined ? this.headers : { ...this.headers, Accept: accept },
      tls: this.tls,
      timeoutMs: this.timeoutMs,
    });
  }

  /** GET and parse a JSON object; a non-2xx answer throws {@link KubeApiError}. */
  async get<T>(path: string): Promise<T> {
    const res = await this.request(path);
    if (res.status < 200 || res.status > 299) {
      throw new KubeApiError(path, res.status, statusMessage(res.body));
    }
    return JSON.parse(res.body) as T;
  }

  /** Like {@link get}, but undefined for 404. */
  async find<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) {
        return undefined;
      }
      throw err;
    }
  }
}

/** The `message` of a Kubernetes Status body, else its first line. */
export function statusMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { kind?: string; message?: string };
    if (parsed.kind === 'Status' && typeof parsed.message === 'string') {
      return parsed.message;
    }
  } catch {
    // not JSON: fall through
  }
  return firstLine(body) || '(empty body)';
}
