import { parse as parseYaml } from 'yaml';
import type { ManifestObject } from '../common/manifest';

/** One changed field: its path inside the object, the old and the new value (undefined = absent). */
export interface FieldChange {
  readonly path: string;
  readonly old: unknown;
  readonly new: unknown;
}

/** What changed, object by object. */
export interface SemanticDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: { readonly object: string; readonly fields: FieldChange[] }[];
}

/** `Kind namespace/name` (cluster-scoped: `Kind name`). */
export function objectKey(o: ManifestObject): string {
  return o.metadata.namespace === undefined ? `${o.kind} ${o.metadata.name}` : `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Embedded documents (ConfigMap data: prometheus.yml, rule files, dashboards) are compared as
 * structures, and lists of named things (containers, rules, panels, env) by name, so a change reads
 * as `data.fl.rules.yaml.groups[fl.alerts].rules[AccuracyDropped].expr` instead of one giant line.
 */
function expand(value: unknown, key: string): unknown {
  if (typeof value === 'string' && /\.(ya?ml|json)$/.test(key)) {
    try {
      return parseYaml(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

function itemName(item: unknown): string | undefined {
  if (!isObject(item)) return undefined;
  for (const k of ['name', 'alert', 'record', 'job_name', 'title', 'uid', 'mountPath']) {
    if (typeof item[k] === 'string') return item[k] as string;
  }
  return undefined;
}

function compare(a: unknown, b: unknown, path: string, out: FieldChange[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      compare(expand(a[k], k), expand(b[k], k), path === '' ? k : `${path}.${k}`, out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const named = [...a, ...b].every((i) => itemName(i) !== undefined);
    if (named) {
      const byName = (list: unknown[]) => new Map(list.map((i) => [itemName(i)!, i]));
      const [ma, mb] = [byName(a), byName(b)];
      for (const n of [...new Set([...ma.keys(), ...mb.keys()])]) {
        compare(ma.get(n), mb.get(n), `${path}[${n}]`, out);
      }
      return;
    }
    if (a.length === b.length) {
      a.forEach((item, i) => compare(item, b[i], `${path}[${i}]`, out));
      return;
    }
  }
  out.push({ path, old: a, new: b });
}

/** The semantic diff of two sets of objects. */
export function semanticDiff(base: readonly ManifestObject[], head: readonly ManifestObject[]): SemanticDiff {
  const index = (list: readonly ManifestObject[]) => new Map(list.map((o) => [objectKey(o), o]));
  const [b, h] = [index(base), index(head)];
  const added = [...h.keys()].filter((k) => !b.has(k)).sort();
  const removed = [...b.keys()].filter((k) => !h.has(k)).sort();
  const changed = [...h.keys()]
    .filter((k) => b.has(k))
    .sort()
    .map((k) => {
      const fields: FieldChange[] = [];
      compare(b.get(k), h.get(k), '', fields);
      return { object: k, fields };
    })
    .filter((c) => c.fields.length > 0);
  return { added, removed, changed };
}

function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  const text = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Review-ready text: stable order, one line per change. */
export function formatDiff(diff: SemanticDiff): string {
  if (diff.added.length + diff.removed.length + diff.changed.length === 0) {
    return 'no changes';
  }
  return [
    ...diff.added.map((k) => `+ ${k}`),
    ...diff.removed.map((k) => `- ${k}`),
    ...diff.changed.flatMap((c) => [`~ ${c.object}`, ...c.fields.map((f) => `    ${f.path}: ${show(f.old)} → ${show(f.new)}`)]),
  ].join('\n');
}
