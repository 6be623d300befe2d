import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { StackConfig } from '../config/schema';
import type { ComponentSpec } from '../components/component-spec';
import { COMPONENTS } from '../component-list';
import { imageString, type ImageKey } from '../versions';
import { resolveImage } from '../common/workload';

/** How one image is built: paths relative to the repository root, as `docker build` takes them. */
export interface ImageBuildSpec {
  /** The image key in versions.json (also the Pulumi resource name). */
  readonly key: ImageKey;
  /** The build context directory. */
  readonly context: string;
  /** The Dockerfile (docker.Image resolves it against the program's working directory, the repository root). */
  readonly dockerfile: string;
  /** `--build-arg`s; the base images and plugin versions pinned in versions.json. */
  readonly args: Readonly<Record<string, string>>;
  /** Whether the component that runs the image is enabled. */
  readonly inUse: (config: StackConfig) => boolean;
  /** Where the config overrides the image. */
  readonly configPath: readonly string[];
}

/** The config's image override of a build (repository:tag), if any. */
export function imageOverride(spec: ImageBuildSpec, config: StackConfig): string | undefined {
  const value = spec.configPath.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], config);
  return value as string | undefined;
}

/** A copy of the config whose override of each build is set to its reference (the caller validates it again). */
export function withImageOverrides(config: StackConfig, refs: ReadonlyMap<ImageBuildSpec, string>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  for (const [spec, ref] of refs) {
    const parent = spec.configPath.slice(0, -1).reduce((node, key) => node[key] as Record<string, unknown>, copy);
    parent[spec.configPath[spec.configPath.length - 1]!] = ref;
  }
  return copy;
}

/** The build of every image the stack can deploy from source, whether or not its component is enabled. */
export function imageBuildSpecs(components: readonly ComponentSpec[] = COMPONENTS): readonly ImageBuildSpec[] {
  return components.flatMap((c) =>
    (c.images ?? []).map((image) => ({
      key: image.key as ImageKey,
      context: image.context,
      dockerfile: image.dockerfile,
      args: image.args(),
      inUse: c.enabled,
      configPath: image.configPath,
    })),
  );
}

/** The image a component runs without a build: the config's override, else versions.json. */
export function configuredImage(spec: ImageBuildSpec, config: StackConfig): string {
  return imageString(resolveImage(spec.key, imageOverride(spec, config)));
}

/**
 * The content-tagged reference of a build: the configured repository, tagged with the configured
 * tag plus the first 12 hex digits of {@link contextDigest}. Any change to the Dockerfile, a build
 * argument or a file the build context sends yields a new tag, hence a new pod template and a rollout.
 */
export function builtImageRef(spec: ImageBuildSpec, config: StackConfig, rootDir: string): string {
  const configured = resolveImage(spec.key, imageOverride(spec, config));
  const digest = contextDigest(spec, rootDir).slice(0, 12);
  const base = configured.tag.startsWith('sha256:') ? 'src' : configured.tag;
  return `${configured.repository}:${base.slice(0, 114)}-${digest}`;
}

/**
 * SHA-256 over the Dockerfile, the build arguments and every file of the build context that
 * `.dockerignore` lets through (path and content), in a stable order.
 */
export function contextDigest(spec: ImageBuildSpec, rootDir: string): string {
  const hash = createHash('sha256');
  const field = (kind: string, name: string, content: string | Buffer): void => {
    hash.update(`${kind}\0${name}\0${content.length}\0`);
    hash.update(content);
  };
  field('dockerfile', posix.basename(spec.dockerfile), readFileSync(join(rootDir, spec.dockerfile)));
  for (const name of Object.keys(spec.args).sort()) {
    field('arg', name, spec.args[name]!);
  }
  const contextDir = join(rootDir, spec.context);
  const ignoreFile = join(contextDir, '.dockerignore');
  const ignore = existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : '';
  field('dockerignore', '.dockerignore', ignore);
  for (const file of contextFiles(contextDir, parseDockerignore(ignore))) {
    field('file', file, readFileSync(join(contextDir, file)));
  }
  return hash.digest('hex');
}

/** One `.dockerignore` line, compiled. */
export interface IgnoreRule {
  /** A `!pattern`: re-includes what earlier patterns excluded. */
  readonly negate: boolean;
  readonly pattern: RegExp;
  /** The pattern's text up to its first wildcard: no path outside this prefix can match. */
  readonly literalPrefix: string;
}

/**
 * Parses `.dockerignore` the way Docker reads it: one pattern a line, `#` comments, `!` negation,
 * `*` and `?` within one path segment, `**` across segments, `[...]` classes; the last matching
 * pattern decides, and a pattern matching a directory matches everything under it.
 */
export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const negate = line.startsWith('!');
    if (negate) {
      line = line.slice(1).trim();
    }
    const cleaned = posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
    if (cleaned === '' || cleaned === '.') {
      continue;
    }
    const wildcard = cleaned.search(/[*?[\\]/);
    rules.push({ negate, pattern: globToRegExp(cleaned), literalPrefix: wildcard < 0 ? cleaned : cleaned.slice(0, wildcard) });
  }
  return rules;
}

function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else {
          out += '.*';
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) {
        out += '\\[';
      } else {
        const body = glob.slice(i + 1, end);
        out += `[${body.startsWith('^') || body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      i++;
      out += escapeRegExp(glob[i]!);
    } else {
      out += escapeRegExp(c);
    }
  }
  return new RegExp(`^${out}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Whether Docker leaves `path` (relative, `/`-separated) out of the build context. */
export function isIgnored(path: string, rules: readonly IgnoreRule[]): boolean {
  const segments = path.split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.pattern.test(candidate))) {
      ignored = !rule.negate;
    }
  }
  return ignored;
}

/** Whether some `!pattern` could re-include a path under the directory `dir`. */
function mayReinclude(dir: string, rules: readonly IgnoreRule[]): boolean {
  return rules.some((r) => r.negate && (r.literalPrefix.startsWith(`${dir}/`) || `${dir}/`.startsWith(r.literalPrefix) || r.literalPrefix === dir));
}

/**
 * The files of a build context Docker would send, relative and sorted. Ignored directories no
 * negation can reach into (a virtualenv, caches) are not walked.
 */
export function contextFiles(contextDir: string, rules: readonly IgnoreRule[]): string[] {
  const files: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(rel === '' ? contextDir : join(contextDir, rel)).sort()) {
      const path = rel === '' ? entry : `${rel}/${entry}`;
      const stat = lstatSync(join(contextDir, path));
      if (stat.isDirectory()) {
        if (!isIgnored(path, rules) || mayReinclude(path, rules)) {
          walk(path);
        }
      } else if (stat.isFile() && !isIgnored(path, rules)) {
        files.push(path);
      }
    }
  };
  walk('');
  return files;
}
