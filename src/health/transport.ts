import { Scheme, type Endpoint } from '../common/topology';
import { httpGet, type HttpResponse } from './http';
import type { KubeClient } from './kube-client';

/** How a component's HTTP health endpoints are reached. */
export interface HealthTransport {
  /** GET `path` (with its query) of the component's Service `endpoint`. Transport failures throw. */
  get(component: string, endpoint: Endpoint, path: string): Promise<HttpResponse>;
  /** Where a GET goes, for messages. */
  describe(component: string, endpoint: Endpoint, path: string): string;
}

/** The API server path that proxies to `path` on a Service port, over HTTPS where the Service serves it. */
export function serviceProxyPath(endpoint: Endpoint, path: string): string {
  const ns = encodeURIComponent(endpoint.namespace);
  return `/api/v1/namespaces/${ns}/services/${endpoint.scheme ?? Scheme.HTTP}:${encodeURIComponent(endpoint.service)}:${endpoint.port}/proxy${path}`;
}

/**
 * Through the Kubernetes API server's service proxy: no port-forward, only the API server's
 * address and the kubeconfig's credentials (RBAC verb `get` on `services/proxy`).
 */
export class ServiceProxyTransport implements HealthTransport {
  constructor(private readonly kube: KubeClient) {}

  get(_component: string, endpoint: Endpoint, path: string): Promise<HttpResponse> {
    return this.kube.request(serviceProxyPath(endpoint, path), '*/*');
  }

  describe(_component: string, endpoint: Endpoint, path: string): string {
    return `${this.kube.connection.server}${serviceProxyPath(endpoint, path)}`;
  }
}

/** Parses `--endpoint component=url` values into a map; names are checked by the caller. */
export function parseEndpointOverrides(values: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const value of values) {
    const eq = value.indexOf('=');
    const component = eq > 0 ? value.slice(0, eq) : '';
    const url = eq > 0 ? value.slice(eq + 1) : '';
    if (component === '' || !/^https?:\/\/[^/]+/.test(url)) {
      throw new Error(`--endpoint must be <component>=<http(s) URL>, got '${value}'`);
    }
    if (map.has(component)) {
      throw new Error(`--endpoint ${component} is given twice ('${map.get(component)}' and '${url}')`);
    }
    map.set(component, url.replace(/\/+$/, ''));
  }
  return map;
}

/** Straight to a base URL per component (`--endpoint prometheus=http://127.0.0.1:9090`). */
export class DirectTransport implements HealthTransport {
  /** @param timeoutMs per request, @default 10000 */
  constructor(
    private readonly urls: ReadonlyMap<string, string>,
    private readonly timeoutMs = 10_000,
  ) {}

  has(component: string): boolean {
    return this.urls.has(component);
  }

  get(component: string, endpoint: Endpoint, path: string): Promise<HttpResponse> {
    return httpGet(this.describe(component, endpoint, path), { timeoutMs: this.timeoutMs });
  }

  describe(component: string, _endpoint: Endpoint, path: string): string {
    const base = this.urls.get(component);
    if (base === undefined) {
      throw new Error(`no --endpoint for ${component}`);
    }
    return `${base}${path}`;
  }
}

/** Overrides where given, the fallback (the service proxy) for every other component. */
export class RoutedTransport implements HealthTransport {
  constructor(
    private readonly direct: DirectTransport,
    private readonly fallback: HealthTransport | undefined,
  ) {}

  private pick(component: string): HealthTransport {
    if (this.direct.has(component)) {
      return this.direct;
    }
    if (this.fallback === undefined) {
      throw new Error(`no way to reach ${component}: give --endpoint ${component}=<url> or a kubeconfig`);
    }
    return this.fallback;
  }

  get(component: string, endpoint: Endpoint, path: string): Promise<HttpResponse> {
    return this.pick(component).get(component, endpoint, path);
  }

  describe(component: string, endpoint: Endpoint, path: string): string {
    return this.pick(component).describe(component, endpoint, path);
  }
}
