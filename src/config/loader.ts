import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { DEFAULTS, PROFILE_OVERLAYS } from './profiles';
import { Profile, StackConfigSchema, type StackConfig } from './schema';

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

/** Deep merge where objects merge key by key and everything else (arrays too) replaces. */
export function deepMerge(base: unknown, overlay: unknown): unknown {
  if (overlay === undefined) {
    return base;
  }
  if (!isPlainObject(base) || !isPlainObject(overlay)) {
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
  const merged = deepMerge(deepMerge(DEFAULTS, PROFILE_OVERLAYS[profile.data]), { ...overrides, profile: profile.data });
  const result = StackConfigSchema.safeParse(merged);
  if (result.success) {
    return result.data;
  }
  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        problems.push({ path: dotted(path), value: valueAt(merged, path), message: 'unknown field' });
      }
    } else {
      problems.push({ path: dotted(issue.path), value: valueAt(merged, issue.path), message: issue.message });
    }
  }
  throw new ConfigError(problems, source);
}

/**
 * The config the environment asks for: `STACK_CONFIG` names a YAML file of overrides (which may set
 * `profile:`), `STACK_PROFILE` picks a profile; with neither, the minikube defaults.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const file = env.STACK_CONFIG;
  const profile = env.STACK_PROFILE === '' ? undefined : env.STACK_PROFILE;
  if (file === undefined || file === '') {
    return resolveConfig({ profile });
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '(file)', value: file, message: `cannot read STACK_CONFIG: ${(err as Error).message}` }], file);
  }
  let overrides: unknown;
  try {
    overrides = parseYaml(text, { prettyErrors: true }) ?? {};
  } catch (err) {
    throw new ConfigError([{ path: '(file)', value: file, message: `not valid YAML: ${(err as Error).message.split('\n')[0]}` }], file);
  }
  return resolveConfig({ profile, overrides, source: file });
}
