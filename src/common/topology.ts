import type { ComponentName } from './names';

/** How a Service's port speaks HTTP. */
export enum Scheme {
  HTTP = 'http',
  /** Served with the stack's web certificate (`webTls`). */
  HTTPS = 'https',
}

/** Where a component's Service answers inside the cluster. */
export interface Endpoint {
  readonly service: string;
  readonly namespace: string;
  readonly port: number;
  /** @default Scheme.HTTP */
  readonly scheme?: Scheme;
}

/** `<scheme>://service.namespace.svc:port` plus an optional path. */
export function endpointUrl(endpoint: Endpoint, path = ''): string {
  return `${endpoint.scheme ?? Scheme.HTTP}://${serviceHost(endpoint)}:${endpoint.port}${path}`;
}

/** `service.namespace.svc`: the name clients address a Service by (and a certificate must carry). */
export function serviceHost(endpoint: Pick<Endpoint, 'service' | 'namespace'>): string {
  return `${endpoint.service}.${endpoint.namespace}.svc`;
}

/** A Service other components address: its workload's name (also the Service name), namespace, port and scheme. */
export interface ServiceEntry {
  readonly name: ComponentName;
  readonly namespace: string;
  readonly port: number;
  /** @default Scheme.HTTP */
  readonly scheme?: Scheme;
}

/**
 * The in-cluster addresses of the stack's Services, derived once from the component list and the
 * config, so that no component spells another component's Service name, namespace or port.
 */
export class Topology {
  private readonly endpoints: ReadonlyMap<ComponentName, Endpoint>;

  constructor(services: readonly ServiceEntry[]) {
    this.endpoints = new Map(services.map((s) => [s.name, { service: s.name, namespace: s.namespace, port: s.port, ...(s.scheme === undefined ? {} : { scheme: s.scheme }) }]));
  }

  /** The endpoint of a component's Service; throws for a component without one (a wiring bug). */
  endpoint(name: ComponentName): Endpoint {
    const endpoint = this.endpoints.get(name);
    if (endpoint === undefined) {
      throw new Error(`no Service endpoint is declared for ${name} (servicePort in its component spec)`);
    }
    return endpoint;
  }

  /** `<scheme>://service.namespace.svc:port` of a component, plus an optional path. */
  url(name: ComponentName, path = ''): string {
    return endpointUrl(this.endpoint(name), path);
  }
}
