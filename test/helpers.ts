import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Testing } from 'cdk8s';
import { resolveConfig } from '../src/config/loader';
import type { StackConfig } from '../src/config/schema';
import { isWorkload, type ManifestObject } from '../src/common/manifest';
import { buildStack } from '../src/stack';

/**
 * A synthesized object ({@link ManifestObject}) opened for assertions: tests read whatever path of
 * the output they check, so here, and only here, the body is not narrowed first.
 */
export interface K8sObject extends ManifestObject {
  readonly spec?: any;
  readonly rules?: any[];
  readonly [key: string]: any;
}

/** The config of a profile with optional overrides. */
export function configOf(profile: 'minikube' | 'production' = 'minikube', overrides: Record<string, unknown> = {}): StackConfig {
  return resolveConfig({ profile, overrides });
}

/** Every object of the stack for a config, in apply order. */
export function synthStack(config: StackConfig = configOf()): K8sObject[] {
  const app: App = Testing.app();
  const { charts } = buildStack(app, config);
  return charts.flatMap((c) => c.toJson() as K8sObject[]);
}

/** Objects of one component (by app.kubernetes.io/name). */
export function ofComponent(objects: K8sObject[], name: string): K8sObject[] {
  return objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] === name);
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) {
    throw new Error(`no ${kind} ${name}`);
  }
  return found;
}


/** Every workload's pod template, with its owner. */
export function podTemplates(objects: K8sObject[]): { owner: K8sObject; spec: any; metadata: any }[] {
  return objects.filter(isWorkload).map((o) => ({ owner: o, spec: o.spec.template.spec, metadata: o.spec.template.metadata }));
}

/** The files of an output directory, name → text, in name order. */
export function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}
