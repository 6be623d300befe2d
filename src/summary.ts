import type { Chart } from 'cdk8s';
import { parseBytes, parseCpuMillis } from './config/values';
import { componentNameOf, isWorkload, type ManifestObject } from './common/manifest';
import { ComponentName, WorkloadKind } from './common/names';

/** Requested CPU and memory of a set of pods. */
export interface Requests {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

/** What synth tells a reviewer about the output. */
export interface SynthSummary {
  readonly components: readonly string[];
  readonly images: readonly string[];
  /** Requests of the stack itself (everything but the FL workload), DaemonSets counted for one node. */
  readonly stack: Requests;
  /** Requests of the FL server and clients. */
  readonly workload: Requests;
  readonly objects: number;
}

const FL_NAMES: ReadonlySet<string> = new Set([ComponentName.FL_SERVER, ComponentName.FL_CLIENT]);

/** Sums what the charts' workloads request and lists their components and images. */
export function summarize(charts: readonly Chart[]): SynthSummary {
  const components = new Set<string>();
  const images = new Set<string>();
  const stack = { cpuMillis: 0, memoryBytes: 0 };
  const workload = { cpuMillis: 0, memoryBytes: 0 };
  let objects = 0;
  for (const chart of charts) {
    for (const obj of chart.toJson() as ManifestObject[]) {
      objects += 1;
      if (!isWorkload(obj)) {
        continue;
      }
      const name = componentNameOf(obj) ?? 'unknown';
      components.add(name);
      const replicas = obj.kind === WorkloadKind.DAEMON_SET ? 1 : (obj.spec.replicas ?? 1);
      const target = FL_NAMES.has(name) ? workload : stack;
      for (const c of obj.spec.template.spec.containers) {
        addImage(images, c.image);
        target.cpuMillis += replicas * (parseCpuMillis(c.resources?.requests?.cpu ?? '0') ?? 0);
        target.memoryBytes += replicas * (parseBytes(c.resources?.requests?.memory ?? '0Mi') ?? 0);
      }
      for (const c of obj.spec.template.spec.initContainers ?? []) {
        addImage(images, c.image);
      }
    }
  }
  return { components: [...components].sort(), images: [...images].sort(), stack, workload, objects };
}

function addImage(images: Set<string>, image: string | undefined): void {
  if (image !== undefined) {
    images.add(image);
  }
}

function formatRequests(r: Requests): string {
  return `${(r.cpuMillis / 1000).toFixed(2)} CPU, ${(r.memoryBytes / 2 ** 30).toFixed(2)} GiB`;
}

/** The lines synth prints. */
export function formatSummary(summary: SynthSummary, profile: string, outdir: string, warnings: readonly string[]): string {
  return [
    `synthesized profile '${profile}' into ${outdir}/: ${summary.objects} objects`,
    `components (${summary.components.length}): ${summary.components.join(', ')}`,
    'images:',
    ...summary.images.map((i) => `  ${i}`),
    `requests, stack (DaemonSets for one node): ${formatRequests(summary.stack)}`,
    `requests, FL workload: ${formatRequests(summary.workload)}`,
    ...warnings.map((w) => `warning: ${w}`),
  ].join('\n');
}
