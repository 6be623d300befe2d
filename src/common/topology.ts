import type { ComponentName } from './names';

/** Where a component's Service answers inside the cluster. */
export interface Endpoint {
  readonly service: string;
  readonly namespace: string;
  readonly port: number;
}

/** `http://service.namespace.svc:port` plus an optional path. */
export function endpointUrl(endpoint: Endpoint, path = ''): string {
  return `http://${endpoint.service}.${endpoint.namespace}.svc:${endpoint.port}${path}`;
}

/** A Service other components address: its workload's name (also the Service name), namespace and port. */
export interface ServiceEntry {
  readonly name: ComponentName;
  readonly namespace: string;
  readonly port: number;
}

/**
 * The in-cluster addresses of the stack's Services, derived once from the component list and the
 * config, so that no component spells another component's Service name, namespace or port.
 */
export class Topology {
  private readonly endpoints: ReadonlyMap<ComponentName, Endpoint>;

  constructor(services: readonly ServiceEntry[]) {
    this.endpoints = new Map(services.map((s) => [s.name, { service: s.name, namespace: s.namespace, port: s.port }]));
  }

  /** The endpoint of a component's Service; throws for a component without one (a wiring bug). */
  endpoint(name: ComponentName): Endpoint {
    const endpoint = this.endpoints.get(name);
    if (endpoint === undefined) {
      throw new Error(`no Service endpoint is declared for ${name} (servicePort in its component spec)`);
    }
    return endpoint;
  }

  /** `http://service.namespace.svc:port` of a component, plus an optional path. */
  url(name: ComponentName, path = ''): string {
    return endpointUrl(this.endpoint(name), path);
  }
}
