import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { ApiObject, App, Chart, DependencyGraph, Names, Yaml, YamlOutputType } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { Document } from 'yaml';
import type { StackConfig } from './config/schema';
import { buildStack } from './stack';
import { formatSummary, summarize } from './summary';

/**
 * Synthesizes the stack for `config` into `outdir`. Output goes to a fresh sibling directory that
 * replaces `outdir` only once everything was written: a failure leaves an existing outdir untouched.
 * Returns the summary text.
 */
export function synthesize(config: StackConfig, outdir: string): string {
  const target = resolve(outdir);
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}-`));
  try {
    const app = new App({ outdir: staging });
    const { charts, warnings } = buildStack(app, config);
    const rendered = renderApp(app);
    for (const file of rendered) {
      writeFileSync(join(staging, file.name), file.yaml, { encoding: 'utf8' });
    }
    // The summary reads the objects just rendered instead of rendering every chart a second time.
    const objectsOf = new Map(rendered.map((f) => [f.chart, f.objects]));
    const summary = formatSummary(summarize(charts.map((c) => ({ toJson: () => objectsOf.get(c) ?? c.toJson() }) as unknown as Chart)), config.profile, outdir, warnings);
    if (existsSync(target)) {
      rmSync(target, { recursive: true, force: true });
    }
    renameSync(staging, target);
    return summary;
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/** One output file of {@link renderApp}. */
interface RenderedChart {
  readonly chart: Chart;
  /** File name in the output directory, as `App.synth()` names it. */
  readonly name: string;
  /** The chart's Kubernetes objects, in apply order. */
  readonly objects: readonly unknown[];
  readonly yaml: string;
}

/**
 * What `app.synth()` writes for a file-per-chart app (the cdk8s default), computed in one pass.
 *
 * `App.synth()` renders each chart with `Chart.toJson()`, and every `toJson()` validates the whole app
 * and re-derives its dependencies again (for 14 charts: 15 whole-app passes); the summary then rendered
 * every chart a second time. Here the app is validated and its dependencies resolved once, the same
 * way (cdk8s 2.70 `app.ts`: `validate`, `resolveDependencies`, `chartToKube`), each object is rendered
 * once, and the YAML comes from {@link stringifyManifest}. `test/bench/synth-render.test.ts` holds this
 * byte-equal to `app.synth()`. An app that records construct metadata goes through `app.synth()`.
 */
function renderApp(app: App): RenderedChart[] {
  if (process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true' || app.yamlOutputType !== YamlOutputType.FILE_PER_CHART) {
    app.synth();
    return [];
  }
  const all = app.node.findAll();
  const errors: string[] = [];
  for (const child of all) {
    for (const error of child.node.validate()) errors.push(`[${child.node.path}] ${error}`);
  }
  if (errors.length > 0) {
    throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }
  const hasDependantCharts = resolveDependencies(all);
  let index = 0;
  return app.charts.map((chart) => {
    const objects = new DependencyGraph(chart.node)
      .topology()
      .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart)
      .map((o) => o.toJson() as unknown);
    const prefix = hasDependantCharts ? `${(index++).toString().padStart(4, '0')}-` : '';
    return { chart, name: `${prefix}${Names.toDnsLabel(chart)}${app.outputFileExtension}`, objects, yaml: objects.map(stringifyManifest).join('---\n') };
  });
}

/** cdk8s's `resolveDependencies` (app.ts), over the app's constructs `all`: whether any chart depends on another. */
function resolveDependencies(all: readonly IConstruct[]): boolean {
  let hasDependantCharts = false;
  for (const parentChart of all.filter((x) => x instanceof Chart)) {
    for (const childChart of parentChart.node.children.filter((x) => x instanceof Chart)) {
      parentChart.node.addDependency(childChart);
      hasDependantCharts = true;
    }
  }
  const deps = () => all.flatMap((source) => source.node.dependencies.map((target) => ({ source, target })));
  for (const dep of deps()) {
    const sourceChart = Chart.of(dep.source);
    const targetChart = Chart.of(dep.target);
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
      hasDependantCharts = true;
    }
  }
  for (const dep of deps()) {
    const sourceChart = Chart.of(dep.source);
    const targetChart = Chart.of(dep.target);
    const targets = dep.target.node.findAll().filter((c) => c instanceof ApiObject && Chart.of(c) === targetChart);
    const sources = dep.source.node.findAll().filter((c) => c instanceof ApiObject && Chart.of(c) === sourceChart);
    for (const target of targets) {
      for (const source of sources) {
        if (target !== source) source.node.addDependency(target);
      }
    }
  }
  return hasDependantCharts;
}

/**
 * One manifest as `Yaml.stringify` (cdk8s: the `yaml` package, YAML 1.1, `lineWidth: 0`,
 * `keepUndefined`) writes it, without building a YAML document tree. What a Kubernetes object is made
 * of (plain objects, arrays, strings, finite numbers, booleans, null) is written directly; anything
 * else (a multi-line key, a string with control characters, a document marker or trailing blank
 * lines, a non-finite number, an object seen twice (`yaml` writes an anchor), ...) makes the whole
 * manifest go through `Yaml.stringify`.
 */
export function stringifyManifest(doc: unknown): string {
  if (doc === undefined) return '\n';
  const out: string[] = [];
  try {
    if (!isPlainObject(doc) || Object.keys(doc).length === 0) throw UNSUPPORTED;
    writeMap(doc, '', out, new Set());
  } catch (err) {
    if (err !== UNSUPPORTED) throw err;
    return Yaml.stringify(doc);
  }
  out.push('\n');
  return out.join('');
}

// A symbol, not an Error: an Error made at load time holds a stack trace, and node aborts writing a
// startup snapshot (scripts/build.mjs --snapshot) that contains one.
const UNSUPPORTED: unique symbol = Symbol('not on the direct path');

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Block mapping at `indent`; the first key is written where the output currently is. */
function writeMap(map: Record<string, unknown>, indent: string, out: string[], seen: Set<object>): void {
  if (seen.has(map)) throw UNSUPPORTED;
  seen.add(map);
  let first = true;
  for (const key of Object.keys(map)) {
    if (!first) out.push('\n', indent);
    first = false;
    out.push(scalarString(key, true), ':');
    writeValue(map[key], `${indent}  `, out, seen, ' ', `\n${indent}  `);
  }
}

/** Block sequence at `indent`; the first item is written where the output currently is. */
function writeSeq(seq: readonly unknown[], indent: string, out: string[], seen: Set<object>): void {
  if (seen.has(seq)) throw UNSUPPORTED;
  seen.add(seq);
  for (let i = 0; i < seq.length; i++) {
    if (i > 0) out.push('\n', indent);
    out.push('-');
    writeValue(seq[i], `${indent}  `, out, seen, ' ', ' ');
  }
}

/**
 * A value after `key:` or `-`: scalars and empty collections after `inline`, a mapping or a sequence
 * after `block` (a new line for a mapping's value, the same line for a sequence item). `indent` is the
 * indentation of the value's own lines.
 */
function writeValue(value: unknown, indent: string, out: string[], seen: Set<object>, inline: string, block: string): void {
  if (value === null || value === undefined) {
    out.push(inline, 'null');
  } else if (typeof value === 'string') {
    out.push(inline, value.includes('\n') ? blockString(value, indent) : scalarString(value, false));
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw UNSUPPORTED;
    out.push(inline, Object.is(value, -0) ? '-0' : JSON.stringify(value));
  } else if (typeof value === 'boolean') {
    out.push(inline, value ? 'true' : 'false');
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      if (seen.has(value)) throw UNSUPPORTED;
      seen.add(value);
      out.push(inline, '[]');
    } else {
      out.push(block);
      writeSeq(value, indent, out, seen);
    }
  } else if (isPlainObject(value)) {
    if (Object.keys(value).length === 0) {
      if (seen.has(value)) throw UNSUPPORTED;
      seen.add(value);
      out.push(inline, '{}');
    } else {
      out.push(block);
      writeMap(value, indent, out, seen);
    }
  } else {
    throw UNSUPPORTED;
  }
}

// yaml's stringifyString.js, for the cases written here.
const CONTROL_CHARS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;

/** The YAML 1.1 tags (other than str) a plain scalar would be read as: such strings are quoted. */
let otherTags: readonly { test?: RegExp }[] | undefined;
function readAsOtherType(value: string): boolean {
  if (otherTags === undefined) {
    const schema = new Document(null, { version: '1.1' }).schema as unknown as { tags: { default?: unknown; tag: string; test?: RegExp }[]; compat?: { default?: unknown; tag: string; test?: RegExp }[] };
    otherTags = [...schema.tags, ...(schema.compat ?? [])].filter((t) => Boolean(t.default) && t.tag !== 'tag:yaml.org,2002:str' && t.test !== undefined);
  }
  return otherTags.some((t) => t.test!.test(value));
}

/** scalarString's results (a manifest repeats its label keys and values), per key/value position. */
const scalarCache = [new Map<string, string>(), new Map<string, string>()];

/** A single-line string as a mapping key (`key`) or value: plain when it reads back as this string, else quoted. */
function scalarString(value: string, key: boolean): string {
  const cache = scalarCache[key ? 0 : 1];
  let str = cache.get(value);
  if (str === undefined) {
    // `<<` is the YAML 1.1 merge key to yaml, not a string.
    if (value === '<<' || value.includes('\n') || CONTROL_CHARS.test(value) || DOCUMENT_MARKER.test(value)) throw UNSUPPORTED;
    // yaml's quotedString: single quotes for a string with double quotes only, else JSON's double quotes.
    str = NOT_PLAIN.test(value) || readAsOtherType(value) ? (value.includes('"') && !value.includes("'") ? `'${value}'` : JSON.stringify(value)) : value;
    // A key longer than 1024 characters is written as an explicit key (`? key`).
    if (key && str.length > 1024) throw UNSUPPORTED;
    if (value.length <= 256) cache.set(value, str);
  }
  return str;
}

const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;

/** A multi-line string value, as a literal block scalar (yaml's blockString with `lineWidth: 0`). */
function blockString(text: string, indent: string): string {
  if (CONTROL_CHARS.test(text) || /\n[\t ]+$/.test(text)) throw UNSUPPORTED;
  let value = text;
  let endStart = value.length;
  while (endStart > 0 && (value[endStart - 1] === '\n' || value[endStart - 1] === '\t' || value[endStart - 1] === ' ')) endStart -= 1;
  let end = value.substring(endStart);
  const endNlPos = end.indexOf('\n');
  let chomp: string;
  if (endNlPos === -1) {
    chomp = '-';
  } else if (value === end || endNlPos !== end.length - 1) {
    throw UNSUPPORTED; // keep chomping (`|+`) changes how the following lines are joined
  } else {
    chomp = '';
  }
  if (end) {
    value = value.slice(0, -end.length);
    if (end[end.length - 1] === '\n') end = end.slice(0, -1);
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  let startWithSpace = false;
  let startEnd = 0;
  let startNlPos = -1;
  for (; startEnd < value.length; startEnd++) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNlPos = startEnd;
    else break;
  }
  let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  const header = (startWithSpace ? '2' : '') + chomp;
  return `|${header}\n${indent}${start}${value.replace(/\n+/g, `$&${indent}`)}${end}`;
}
