import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

/** A V8 CPU profile as `node --cpu-prof` writes it: the fields read here. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
    readonly children?: readonly number[];
  }[];
  readonly samples: readonly number[];
  /** Microseconds before each sample. */
  readonly timeDeltas: readonly number[];
}

/** A sampled function, in the sources the bundle was built from when its source map says. */
export interface Frame {
  /** The function's original name (V8's when the source map has none). */
  readonly name: string;
  /** `src/…` for ours, the package for a dependency (`cdk8s`, `@lezer/lr`), `node:internal` for node's own, V8's `(program)`, `(garbage collector)`, `(idle)`, `(root)`. */
  readonly group: string;
}

/** A synth phase: every sample with a frame of one of these functions on its stack counts once. */
export interface Phase {
  readonly label: string;
  /** Indentation under the phase above it. */
  readonly depth: number;
  readonly matches: (frame: Frame) => boolean;
}

const fn =
  (group: string, name: string) =>
  (f: Frame): boolean =>
    f.group === group && f.name === name;

/** What the profile summary breaks a synth into, in order. */
export const SYNTH_PHASES: readonly Phase[] = [
  { label: 'main: config, synth, summary', depth: 0, matches: fn('src/main.ts', 'main') },
  { label: 'loadConfig (YAML file, zod)', depth: 1, matches: fn('src/config', 'loadConfig') },
  { label: 'synthesize: build, render, write', depth: 1, matches: fn('src/synth.ts', 'synthesize') },
  { label: 'buildStack (constructs)', depth: 2, matches: fn('src/stack.ts', 'buildStack') },
  { label: 'collectMonitoring (rules, dashboards)', depth: 3, matches: fn('src/monitoring', 'collectMonitoring') },
  { label: 'toYaml (config files)', depth: 3, matches: fn('src/common', 'toYaml') },
  { label: 'renderApp (validate, order, render)', depth: 2, matches: fn('src/synth.ts', 'renderApp') },
  { label: 'ApiObject.toJson (cdk8s resolve)', depth: 3, matches: fn('cdk8s', 'toJson') },
  { label: 'stringifyManifest (YAML)', depth: 3, matches: fn('src/synth.ts', 'stringifyManifest') },
  { label: 'garbage collector', depth: 0, matches: (f) => f.group === '(garbage collector)' },
];

/** The group of a source path: `src/<dir>` (`src/components/<name>`), `src/<file>` at the top, or the npm package. */
export function sourceGroup(source: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
  if (pkg !== null) return pkg[1];
  const path = source.replace(/^(\.\.\/)+/, '');
  const parts = path.split('/');
  if (parts[0] !== 'src') return path;
  if (parts.length === 2) return path;
  return parts[1] === 'components' && parts.length > 3 ? parts.slice(0, 3).join('/') : parts.slice(0, 2).join('/');
}

/** Reads the frames of a profile through the bundle's source map. */
export function frameReader(bundleUrlSuffix: string, map: SourceMap): (callFrame: CpuProfile['nodes'][number]['callFrame']) => Frame {
  return (cf) => {
    if (cf.url.endsWith(bundleUrlSuffix) && cf.lineNumber >= 0) {
      const entry = map.findEntry(cf.lineNumber, cf.columnNumber) as { originalSource?: string; name?: string };
      if (entry.originalSource !== undefined) return { name: entry.name ?? cf.functionName, group: sourceGroup(entry.originalSource) };
    }
    if (cf.url === '') return { name: cf.functionName, group: cf.functionName.startsWith('(') ? cf.functionName : 'v8' };
    return { name: cf.functionName, group: cf.url.startsWith('node:') || !cf.url.includes('/') ? 'node:internal' : cf.url };
  };
}

/** One profile's totals: milliseconds per phase (inclusive) and per group (self). */
export interface ProfileTotals {
  readonly totalMs: number;
  readonly phaseMs: readonly number[];
  readonly selfMs: ReadonlyMap<string, number>;
}

/** Sums a profile by `phases` (a sample counts once per phase whose function is on its stack) and by group of the sampled function. */
export function profileTotals(profile: CpuProfile, frameOf: (cf: CpuProfile['nodes'][number]['callFrame']) => Frame, phases: readonly Phase[]): ProfileTotals {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frames = new Map(profile.nodes.map((n) => [n.id, frameOf(n.callFrame)]));
  const phaseMs = phases.map(() => 0);
  const selfMs = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    const self = frames.get(id)!;
    selfMs.set(self.group, (selfMs.get(self.group) ?? 0) + ms);
    const onStack = new Set<number>();
    for (let at: number | undefined = id; at !== undefined && byId.has(at); at = parent.get(at)) {
      const frame = frames.get(at)!;
      phases.forEach((p, k) => {
        if (p.matches(frame)) onStack.add(k);
      });
    }
    for (const k of onStack) phaseMs[k] += ms;
  });
  return { totalMs, phaseMs, selfMs };
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The summary of several profiles of the same run: medians per phase, and the groups with most self time. */
export function formatProfileSummary(runs: readonly ProfileTotals[], phases: readonly Phase[], topGroups = 12): string {
  const ms = (x: number) => `${x.toFixed(1).padStart(6)} ms`;
  const lines = [`${'whole process (as sampled)'.padEnd(48)} ${ms(median(runs.map((r) => r.totalMs)))}`];
  phases.forEach((p, k) => lines.push(`${`${'  '.repeat(p.depth + 1)}${p.label}`.padEnd(48)} ${ms(median(runs.map((r) => r.phaseMs[k])))}`));
  const groups = new Set(runs.flatMap((r) => [...r.selfMs.keys()]));
  const self = [...groups].map((g) => ({ g, ms: median(runs.map((r) => r.selfMs.get(g) ?? 0)) })).sort((a, b) => b.ms - a.ms);
  lines.push('', `self time by source (median; top ${topGroups}):`);
  for (const { g, ms: t } of self.slice(0, topGroups)) lines.push(`  ${g.padEnd(46)} ${ms(t)}`);
  return lines.join('\n');
}

/** Reads a source map file. */
export function readSourceMap(path: string): SourceMap {
  return new SourceMap(JSON.parse(readFileSync(path, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
}
