import type { StackConfig } from '../config/schema';
import type { ComponentName } from './names';

/** The URL users open a UI at through its Ingress, when the config exposes it (`ingress.hosts`). */
export function ingressUrl(ingress: StackConfig['ingress'], name: ComponentName): string | undefined {
  const host = ingress.enabled ? ingress.hosts[name] : undefined;
  return host === undefined ? undefined : `https://${host}`;
}
