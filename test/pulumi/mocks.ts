// Pulumi mocks for the program's unit tests: every registered resource is recorded, and a resource's
// outputs are its inputs (plus the random password's `result`).
import type * as pulumi from '@pulumi/pulumi';

/** A resource as the program registered it. */
export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: any;
  readonly provider?: string;
  readonly custom: boolean;
}

/** The value the mocked RandomPassword returns. */
export const MOCK_PASSWORD = 'mock-R4nd0m-grafana-password-value';

export const registered: Registered[] = [];

export const mocks: pulumi.runtime.Mocks = {
  newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
    registered.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider, custom: args.custom ?? true });
    const state: Record<string, unknown> = { ...args.inputs };
    if (args.type === 'random:index/randomPassword:RandomPassword') {
      state.result = MOCK_PASSWORD;
    }
    return { id: `${args.name}-id`, state };
  },
  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    return args.inputs;
  },
};

/** The value of an output (undefined while unknown). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** (apiVersion, kind, namespace, name) of a Kubernetes type token and its inputs, e.g. `kubernetes:apps/v1:Deployment`. */
export function identityOf(r: Registered): string {
  const [, groupVersion, kind] = r.type.split(':');
  const apiVersion = groupVersion!.startsWith('core/') ? groupVersion!.slice('core/'.length) : groupVersion!;
  const ns = r.inputs.metadata?.namespace;
  return `${apiVersion} ${kind} ${ns === undefined ? '' : `${ns}/`}${r.inputs.metadata?.name}`;
}
