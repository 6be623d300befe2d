import { Document, stringify } from 'yaml';

/** The YAML version a document is written for: it decides which plain scalars would read back as another type, and are quoted. */
export enum YamlVersion {
  V1_1 = '1.1',
  V1_2 = '1.2',
}

/** How {@link toYaml} writes a document: the `yaml` package's options of the same names. */
export interface YamlOptions {
  /** @default YamlVersion.V1_2 (the `yaml` package's default) */
  readonly version?: YamlVersion;
  /** A mapping's `undefined` values are written as `null` instead of leaving their keys out. @default false */
  readonly keepUndefined?: boolean;
}

/** What cdk8s's `Yaml.stringify` writes for a manifest: YAML 1.1, `undefined` kept as `null`. */
export const CDK8S_YAML: YamlOptions = { version: YamlVersion.V1_1, keepUndefined: true };

/**
 * `doc` as YAML text: byte for byte what the `yaml` package's `stringify(doc, { lineWidth: 0, ...options })`
 * writes, without building its document tree (the config files and manifests of a synth are written
 * here; the tree costs several times the writing).
 *
 * What Kubernetes objects and config files are made of (plain objects, arrays, strings, finite
 * numbers, booleans, null) is written directly. Anything else — a multi-line key, a string with
 * control characters, a document marker or trailing blank lines, a non-finite number, an object seen
 * twice (`yaml` writes an anchor), a class instance — sends the whole document through `yaml`'s
 * `stringify`. `test/common/yaml.test.ts` holds the two byte-equal, per version.
 */
export function toYaml(doc: unknown, options: YamlOptions = {}): string {
  const writer = writerFor(options);
  return writer.write(doc) ?? writer.fallback(doc);
}

/** {@link toYaml}'s direct writing alone: `undefined` for a document it leaves to the `yaml` package. */
export function directYaml(doc: unknown, options: YamlOptions = {}): string | undefined {
  return writerFor(options).write(doc);
}

// A symbol, not an Error: an Error made at load time holds a stack trace, and node aborts writing a
// startup snapshot (scripts/build.mjs --snapshot) that contains one.
const UNSUPPORTED: unique symbol = Symbol('not on the direct path');

/** One writer per version and `keepUndefined`: each keeps its memo of how strings are written. */
const writers = new Map<string, Writer>();

function writerFor(options: YamlOptions): Writer {
  const version = options.version ?? YamlVersion.V1_2;
  const keepUndefined = options.keepUndefined ?? false;
  const key = `${version}/${keepUndefined}`;
  let writer = writers.get(key);
  if (writer === undefined) {
    writer = new Writer(version, keepUndefined);
    writers.set(key, writer);
  }
  return writer;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

// yaml's stringifyString.js, for the cases written here.
const CONTROL_CHARS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** CONTROL_CHARS, or any surrogate (paired ones too): a scan several times faster without the `u` flag, which only strings it matches need. */
const MAYBE_CONTROL_CHARS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\uD800-\uDFFF]/;

function hasControlChars(text: string): boolean {
  return MAYBE_CONTROL_CHARS.test(text) && CONTROL_CHARS.test(text);
}
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;

type TagTest = { readonly test?: RegExp };

/** The writer of one version and `keepUndefined` setting. */
class Writer {
  /** The version's tags (other than str) a plain scalar could be read as: such strings are quoted. */
  private otherTags: readonly TagTest[] | undefined;
  /** scalarString's results (a document repeats its label keys and values), per key/value position. */
  private readonly scalars = [new Map<string, string>(), new Map<string, string>()];

  constructor(
    private readonly version: YamlVersion,
    private readonly keepUndefined: boolean,
  ) {}

  /** `doc` written directly, or `undefined` when it is left to {@link fallback}. */
  write(doc: unknown): string | undefined {
    const out: string[] = [];
    try {
      if (!isPlainObject(doc) || this.keysOf(doc).length === 0) return undefined;
      this.writeMap(doc, '', out, new Set());
    } catch (err) {
      if (err !== UNSUPPORTED) throw err;
      return undefined;
    }
    out.push('\n');
    return out.join('');
  }

  /** `doc` written by the `yaml` package, with this writer's options. */
  fallback(doc: unknown): string {
    return stringify(doc, { lineWidth: 0, version: this.version, keepUndefined: this.keepUndefined }) ?? '';
  }

  /** The keys of `map` that are written: yaml leaves out `undefined` values unless `keepUndefined`. */
  private keysOf(map: Record<string, unknown>): string[] {
    const keys = Object.keys(map);
    return this.keepUndefined ? keys : keys.filter((k) => map[k] !== undefined);
  }

  /** Block mapping at `indent`; the first key is written where the output currently is. */
  private writeMap(map: Record<string, unknown>, indent: string, out: string[], seen: Set<object>): void {
    if (seen.has(map)) throw UNSUPPORTED;
    seen.add(map);
    let first = true;
    for (const key of this.keysOf(map)) {
      if (!first) out.push('\n', indent);
      first = false;
      out.push(this.scalarString(key, true), ':');
      this.writeValue(map[key], `${indent}  `, out, seen, ' ', `\n${indent}  `);
    }
  }

  /** Block sequence at `indent`; the first item is written where the output currently is. */
  private writeSeq(seq: readonly unknown[], indent: string, out: string[], seen: Set<object>): void {
    if (seen.has(seq)) throw UNSUPPORTED;
    seen.add(seq);
    for (let i = 0; i < seq.length; i++) {
      if (i > 0) out.push('\n', indent);
      out.push('-');
      this.writeValue(seq[i], `${indent}  `, out, seen, ' ', ' ');
    }
  }

  /**
   * A value after `key:` or `-`: scalars and empty collections after `inline`, a mapping or a sequence
   * after `block` (a new line for a mapping's value, the same line for a sequence item). `indent` is the
   * indentation of the value's own lines.
   */
  private writeValue(value: unknown, indent: string, out: string[], seen: Set<object>, inline: string, block: string): void {
    if (value === null || value === undefined) {
      out.push(inline, 'null');
    } else if (typeof value === 'string') {
      out.push(inline, value.includes('\n') ? blockString(value, indent) : this.scalarString(value, false));
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
        this.writeSeq(value, indent, out, seen);
      }
    } else if (isPlainObject(value)) {
      if (this.keysOf(value).length === 0) {
        if (seen.has(value)) throw UNSUPPORTED;
        seen.add(value);
        out.push(inline, '{}');
      } else {
        out.push(block);
        this.writeMap(value, indent, out, seen);
      }
    } else {
      throw UNSUPPORTED;
    }
  }

  private readAsOtherType(value: string): boolean {
    if (this.otherTags === undefined) {
      const schema = new Document(null, { version: this.version }).schema as unknown as { tags: { default?: unknown; tag: string; test?: RegExp }[]; compat?: { default?: unknown; tag: string; test?: RegExp }[] | null };
      this.otherTags = [...schema.tags, ...(schema.compat ?? [])].filter((t) => Boolean(t.default) && t.tag !== 'tag:yaml.org,2002:str' && t.test !== undefined);
    }
    return this.otherTags.some((t) => t.test!.test(value));
  }

  /** A single-line string as a mapping key (`key`) or value: plain when it reads back as this string, else quoted. */
  private scalarString(value: string, key: boolean): string {
    const cache = this.scalars[key ? 0 : 1];
    let str = cache.get(value);
    if (str === undefined) {
      // `<<` is the YAML 1.1 merge key to yaml, not a string.
      if (value === '<<' || value.includes('\n') || hasControlChars(value) || DOCUMENT_MARKER.test(value)) throw UNSUPPORTED;
      // yaml's quotedString: single quotes for a string with double quotes only, else JSON's double quotes.
      str = NOT_PLAIN.test(value) || this.readAsOtherType(value) ? (value.includes('"') && !value.includes("'") ? `'${value}'` : JSON.stringify(value)) : value;
      // A key longer than 1024 characters is written as an explicit key (`? key`).
      if (key && str.length > 1024) throw UNSUPPORTED;
      if (value.length <= 256) cache.set(value, str);
    }
    return str;
  }
}

/** A multi-line string value, as a literal block scalar (yaml's blockString with `lineWidth: 0`). */
function blockString(text: string, indent: string): string {
  // A last line of blanks only (`/\n[\t ]+$/`), looked for from the end.
  const lastNewline = text.lastIndexOf('\n');
  if (hasControlChars(text) || (lastNewline >= 0 && /^[\t ]+$/.test(text.slice(lastNewline + 1)))) throw UNSUPPORTED;
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
