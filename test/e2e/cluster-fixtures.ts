import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../helpers';

/*
 * What a real cluster already has before the stack is applied, created on the e2e control plane the
 * way a cluster or its user would: storage (no provisioner runs here) and the README's Secrets.
 */

/** Default StorageClass for the claims that name none (minikube's default class name). */
export const DEFAULT_STORAGE_CLASS = 'standard';

/** A claim the manifests lead to, with what a PersistentVolume must offer it. */
export interface ExpectedClaim {
  readonly namespace: string;
  readonly name: string;
  readonly size: string;
  readonly accessModes: string[];
  readonly storageClass: string;
}

/** Every object of the `*.yaml` files of a synthesized directory, in file order. */
export function readObjects(dir: string): K8sObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJSON() as K8sObject))
    .filter((o) => o !== null);
}

/** The claims `objects` lead to: standalone PVCs and StatefulSet claim templates x replicas. */
export function expectedClaims(objects: readonly K8sObject[]): ExpectedClaim[] {
  const claims: { namespace: string; name: string; spec: any }[] = [];
  for (const o of objects) {
    if (o.kind === 'PersistentVolumeClaim') {
      claims.push({ namespace: o.metadata.namespace!, name: o.metadata.name, spec: o.spec });
    } else if (o.kind === 'StatefulSet') {
      for (const t of o.spec.volumeClaimTemplates ?? []) {
        for (let i = 0; i < (o.spec.replicas ?? 1); i++) {
          claims.push({ namespace: o.metadata.namespace!, name: `${t.metadata.name}-${o.metadata.name}-${i}`, spec: t.spec });
        }
      }
    }
  }
  return claims.map((c) => ({
    namespace: c.namespace,
    name: c.name,
    size: c.spec.resources.requests.storage,
    accessModes: c.spec.accessModes,
    storageClass: c.spec.storageClassName ?? DEFAULT_STORAGE_CLASS,
  }));
}

/**
 * The StorageClasses the claims name (the default one marked so) and one PersistentVolume pre-bound
 * to each claim. The hostPath is never mounted: KWOK only simulates pods.
 */
export function storageObjects(objects: readonly K8sObject[]): object[] {
  const claims = expectedClaims(objects);
  const classes = [...new Set([DEFAULT_STORAGE_CLASS, ...claims.map((c) => c.storageClass)])].sort();
  return [
    ...classes.map((name) => ({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name,
        annotations: name === DEFAULT_STORAGE_CLASS ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {},
      },
      provisioner: 'kubernetes.io/no-provisioner',
      volumeBindingMode: 'Immediate',
    })),
    ...claims.map((c) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `e2e-${c.namespace}-${c.name}` },
      spec: {
        capacity: { storage: c.size },
        accessModes: c.accessModes,
        storageClassName: c.storageClass,
        persistentVolumeReclaimPolicy: 'Retain',
        claimRef: { namespace: c.namespace, name: c.name },
        hostPath: { path: `/nonexistent/fl-observability-e2e/${c.namespace}/${c.name}` },
      },
    })),
  ];
}

/** Objects as one multi-document stream for `kubectl apply -f -` (JSON is YAML). */
export function toYamlStream(docs: readonly object[]): string {
  return docs.map((d) => JSON.stringify(d)).join('\n---\n');
}

/** Times the phases of an e2e test: each is printed when it ends, and all of them by {@link summary}. */
export class Phases {
  private readonly timings: [string, number][] = [];

  constructor(private readonly log: (line: string) => void) {}

  /** Runs one phase, recording and printing its duration (also when it throws). */
  run<T>(name: string, fn: () => T): T {
    const t0 = Date.now();
    try {
      return fn();
    } finally {
      const secs = (Date.now() - t0) / 1000;
      this.timings.push([name, secs]);
      this.log(`${name}: ${secs.toFixed(1)}s`);
    }
  }

  /** {@link run} for an asynchronous phase: timed until its promise settles. */
  async runAsync<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      const secs = (Date.now() - t0) / 1000;
      this.timings.push([name, secs]);
      this.log(`${name}: ${secs.toFixed(1)}s`);
    }
  }

  /** `phases: <name> <secs>s, …` of every phase so far. */
  summary(): string {
    return `phases: ${this.timings.map(([n, s]) => `${n} ${s.toFixed(1)}s`).join(', ')}`;
  }
}
