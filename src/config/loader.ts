import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isScalar, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { DEFAULTS, MODE_OVERLAYS, PROFILE_OVERLAYS } from './profiles';
import { Profile, RemoteWriteUrl, SecretKeyRef, StackConfigSchema, StackMode, type StackConfig } from './schema';

/** One thing wrong with a config: where, what was there, and why it is refused. */
export interface ConfigProblem {
  /** Dotted path of the field, e.g. `prometheus.storage.size`. */
  readonly path: string;
  /** The value found there (undefined when missing). */
  readonly value: unknown;
  readonly message: string;
}

/** Thrown for any invalid config; its message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(
    public readonly problems: readonly ConfigProblem[],
    public readonly source: string,
  ) {
    super(
      `invalid stack config (${source}):\n` +
        problems.map((p) => `  ${p.path}: ${p.message} (got ${formatValue(p.value)})`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

function formatValue(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** What an error message prints instead of a value given where a Secret reference belongs. */
export const REDACTED = '<redacted: may be a secret>';

type PathPattern = readonly (string | typeof ANY_INDEX)[];
const ANY_INDEX = Symbol('any array index');

/** Every place of the config schema that holds `target`, as a path pattern (array indices as {@link ANY_INDEX}). */
function schemaPaths(target: z.core.$ZodType): PathPattern[] {
  const found: PathPattern[] = [];
  const walk = (schema: z.core.$ZodType, path: PathPattern): void => {
    if (schema === target) {
      found.push(path);
      return;
    }
    const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
    switch (def.type) {
      case 'object':
        for (const [key, child] of Object.entries(def.shape as Record<string, z.core.$ZodType>)) walk(child, [...path, key]);
        return;
      case 'array':
        walk(def.element as z.core.$ZodType, [...path, ANY_INDEX]);
        return;
      case 'record':
        walk(def.valueType as z.core.$ZodType, [...path, ANY_INDEX]);
        return;
      case 'union':
        for (const option of def.options as z.core.$ZodType[]) walk(option, path);
        return;
      case 'pipe':
        walk(def.in as z.core.$ZodType, path);
        return;
      default:
        if (def.innerType !== undefined) walk(def.innerType as z.core.$ZodType, path);
    }
  };
  walk(StackConfigSchema, []);
  return found;
}

/**
 * Every place of the config schema that holds a {@link SecretKeyRef}. Read off the schema once, so a
 * new secret field is covered without being listed anywhere.
 */
const SECRET_PATHS: readonly PathPattern[] = schemaPaths(SecretKeyRef);
/** Every place that holds a {@link RemoteWriteUrl}: printed with its user info and query redacted. */
const URL_PATHS: readonly PathPattern[] = schemaPaths(RemoteWriteUrl);

/** A URL-like text with whatever may carry a credential (`user:password@`, the query) redacted. */
function redactUrl(value: unknown): unknown {
  return typeof value !== 'string' ? value : value.replace(/^([^/?#]*\/\/).*@/s, '$1<redacted>@').replace(/\?.*$/s, '?<redacted>');
}

/**
 * The value to print for `path`: redacted when a Secret reference belongs there, and with every
 * Secret-reference position inside it redacted when it is a mapping or list above one; URLs of
 * remote_write targets keep their scheme, host and path only.
 */
function printable(path: readonly PropertyKey[], value: unknown): unknown {
  const matches = (pattern: PathPattern, p: readonly PropertyKey[]) =>
    p.every((key, i) => i < pattern.length && (pattern[i] === ANY_INDEX ? typeof key === 'number' || /^\d+$/.test(String(key)) : pattern[i] === String(key)));
  const redactBelow = (node: unknown, rest: PathPattern, leaf: (v: unknown) => unknown): unknown => {
    if (rest.length === 0) return leaf(node);
    const [head, ...tail] = rest;
    if (Array.isArray(node)) return head === ANY_INDEX ? node.map((item) => redactBelow(item, tail, leaf)) : node;
    if (!isPlainObject(node)) return node;
    // A mapping where a list belongs (receivers given as a map) is redacted under every key.
    if (head === ANY_INDEX) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, redactBelow(v, tail, leaf)]));
    return head in node ? { ...node, [head]: redactBelow(node[head], tail, leaf) } : node;
  };
  let result = value;
  for (const pattern of SECRET_PATHS) {
    // The value sits at or under a secret position: print nothing of it.
    if (pattern.length <= path.length && matches(pattern, path.slice(0, pattern.length))) return REDACTED;
    if (matches(pattern, path)) result = redactBelow(result, pattern.slice(path.length), () => REDACTED);
  }
  for (const pattern of URL_PATHS) {
    if (matches(pattern, path)) result = redactBelow(result, pattern.slice(path.length), redactUrl);
  }
  return result;
}

/** Where the config comes from. */
export interface ConfigSources {
  /** Profile name, as given by STACK_PROFILE. @default - the file's `profile:`, else `minikube` */
  readonly profile?: string;
  /** Parsed overrides, as read from STACK_CONFIG. @default - no overrides */
  readonly overrides?: unknown;
  /** Name of the overrides' origin, used in messages. @default 'defaults' */
  readonly source?: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep merge where objects merge key by key and everything else (arrays too) replaces. An object
 * that names another `type` than the one below it (a variant of a discriminated union, such as an
 * auth method) replaces it whole: the old variant's fields do not leak into the new one.
 */
export function deepMerge(base: unknown, overlay: unknown): unknown {
  if (overlay === undefined) {
    return base;
  }
  if (!isPlainObject(base) || !isPlainObject(overlay)) {
    return overlay;
  }
  if (typeof overlay.type === 'string' && typeof base.type === 'string' && overlay.type !== base.type) {
    return overlay;
  }
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    merged[key] = deepMerge(base[key], value);
  }
  return merged;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (isPlainObject(node) || Array.isArray(node) ? (node as Record<PropertyKey, unknown>)[key] : undefined), root);
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(root)';
}

/** Merges defaults, the profile's overlay and the overrides, and validates the result. */
export function resolveConfig(sources: ConfigSources = {}): StackConfig {
  const source = sources.source ?? 'defaults';
  const overrides = sources.overrides ?? {};
  if (!isPlainObject(overrides)) {
    throw new ConfigError([{ path: '(root)', value: overrides, message: 'must be a mapping of config fields' }], source);
  }
  const fileProfile = overrides.profile;
  if (sources.profile !== undefined && fileProfile !== undefined && sources.profile !== fileProfile) {
    throw new ConfigError(
      [{ path: 'profile', value: fileProfile, message: `conflicts with STACK_PROFILE=${sources.profile}; set one of them` }],
      source,
    );
  }
  const profileName = sources.profile ?? fileProfile ?? DEFAULTS.profile;
  const profile = Profile.safeParse(profileName);
  if (!profile.success) {
    throw new ConfigError([{ path: 'profile', value: profileName, message: `unknown profile; expected one of ${Profile.options.join(', ')}` }], source);
  }
  const mode = (Object.values(StackMode) as unknown[]).includes(overrides.mode) ? (overrides.mode as StackMode) : DEFAULTS.mode;
  const merged = deepMerge(deepMerge(deepMerge(DEFAULTS, PROFILE_OVERLAYS[profile.data]), MODE_OVERLAYS[mode]), { ...overrides, profile: profile.data });
  const result = StackConfigSchema.safeParse(merged);
  if (result.success) {
    return result.data;
  }
  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        problems.push({ path: dotted(path), value: printable(path, valueAt(merged, path)), message: 'unknown field' });
      }
    } else {
      problems.push({ path: dotted(issue.path), value: printable(issue.path, valueAt(merged, issue.path)), message: issue.message });
    }
  }
  throw new ConfigError(problems, source);
}

/** Bounds on a STACK_CONFIG file, checked before and while parsing so any input fails fast. */
export const CONFIG_FILE_LIMITS = {
  /** A config setting every field is a few KiB; parsing this much YAML takes well under a second. */
  maxBytes: 64 * 1024,
  /** YAML aliases resolved (an alias bomb expands exponentially). */
  maxAliases: 50,
  /** Mapping keys in the whole document. */
  maxKeys: 5000,
} as const;

/** Decodes a config file as UTF-8, naming the encoding problem (UTF-16/32 BOM, invalid bytes). */
function decodeConfigText(bytes: Buffer, file: string): string {
  const bom = (...b: number[]) => b.every((v, i) => bytes[i] === v);
  const problem = (message: string) => new ConfigError([{ path: '(file)', value: file, message }], file);
  if (bom(0x00, 0x00, 0xfe, 0xff) || bom(0xff, 0xfe, 0x00, 0x00)) throw problem('is UTF-32 (byte order mark); save it as UTF-8');
  if (bom(0xfe, 0xff) || bom(0xff, 0xfe)) throw problem('is UTF-16 (byte order mark); save it as UTF-8');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    throw problem(`is not valid UTF-8 (byte 0x${bytes[bad].toString(16).padStart(2, '0')} at offset ${bad}); save it as UTF-8`);
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Buffer): number {
  for (let i = 1; i <= bytes.length; i++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, i), { stream: true });
    } catch {
      return i - 1;
    }
  }
  return 0;
}

/**
 * Parses a config file's text into overrides, within {@link CONFIG_FILE_LIMITS}: the `yaml` library's
 * own duplicate-key check is quadratic in the keys of a mapping, so it is off and duplicates are found
 * here in one pass; aliases are counted and bounded.
 */
function parseConfigText(text: string, file: string): unknown {
  const problem = (message: string) => new ConfigError([{ path: '(file)', value: file, message }], file);
  let doc: Document;
  try {
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: true });
  } catch (err) {
    throw problem(`not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc.errors.length > 0) {
    throw problem(`not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  }
  let keys = 0;
  let aliases = 0;
  let duplicate: string | undefined;
  visit(doc, {
    Alias() {
      aliases += 1;
      return aliases > CONFIG_FILE_LIMITS.maxAliases ? visit.BREAK : undefined;
    },
    Map(_key, map) {
      keys += map.items.length;
      if (keys > CONFIG_FILE_LIMITS.maxKeys) return visit.BREAK;
      const seen = new Set<string>();
      for (const pair of map.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (seen.has(k)) {
          duplicate = k;
          return visit.BREAK;
        }
        seen.add(k);
      }
      return undefined;
    },
  });
  if (aliases > CONFIG_FILE_LIMITS.maxAliases) throw problem(`has more than ${CONFIG_FILE_LIMITS.maxAliases} YAML aliases; a stack config needs none`);
  if (keys > CONFIG_FILE_LIMITS.maxKeys) throw problem(`has more than ${CONFIG_FILE_LIMITS.maxKeys} keys; a stack config has a few hundred at most`);
  if (duplicate !== undefined) throw problem(`not valid YAML: the key ${JSON.stringify(duplicate)} appears twice in one mapping`);
  if (doc.contents === null) {
    throw problem('is empty: remove STACK_CONFIG to use the profile defaults, or set at least `profile:`');
  }
  return doc.toJS({ maxAliasCount: CONFIG_FILE_LIMITS.maxAliases });
}

/**
 * The config the environment asks for: `STACK_CONFIG` names a YAML file of overrides (which may set
 * `profile:`), `STACK_PROFILE` picks a profile; with neither, the minikube defaults. The file must be
 * UTF-8, at most {@link CONFIG_FILE_LIMITS}, and not empty.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const file = env.STACK_CONFIG;
  const profile = env.STACK_PROFILE === '' ? undefined : env.STACK_PROFILE;
  if (file === undefined || file === '') {
    return resolveConfig({ profile });
  }
  let bytes: Buffer;
  try {
    const size = statSync(file).size;
    if (size > CONFIG_FILE_LIMITS.maxBytes) {
      throw new ConfigError([{ path: '(file)', value: file, message: `is ${size} bytes; a stack config is at most ${CONFIG_FILE_LIMITS.maxBytes}` }], file);
    }
    bytes = readFileSync(file);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError([{ path: '(file)', value: file, message: `cannot read STACK_CONFIG: ${(err as Error).message}` }], file);
  }
  const overrides = parseConfigText(decodeConfigText(bytes, file), file);
  const config = resolveConfig({ profile, overrides, source: file });
  // The user's rule files and dashboards are named relative to the config file.
  const fromFile = (paths: readonly string[]): string[] => paths.map((p) => resolve(dirname(file), p));
  return { ...config, extensions: { ruleFiles: fromFile(config.extensions.ruleFiles), dashboards: fromFile(config.extensions.dashboards) } };
}
