#!/usr/bin/env node
// The tools driver: builds the binaries the tests run from their upstream Go modules, one recipe per
// tool (scripts/tools/recipes/<recipe>.mjs) pinned by scripts/tools/tools.json, into
// $TOOLS_DIR/bin/<binary>-<version> plus a symlink <binary>. A binary already there is not rebuilt.
// Usage: `node scripts/tools.mjs --help` (generated from the recipes).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FILES = join(ROOT, 'scripts/tools');
const PINS = 'scripts/tools/tools.json';
const SETS = {
  test: 'what the unit and live suites run',
  e2e: 'what the end-to-end suite runs',
};
const SETTINGS = {
  TOOLS_DIR: 'the cache: bin/<binary>-<version> and src/ (build work); default <repo>/.tools, relative paths from the repository',
  TOOLS_NICE: 'niceness of the e2e builds, which run beside the test suites (default 10)',
};

function fail(message, status = 1) {
  console.error(`tools: ${message}`);
  process.exit(status);
}

function readJson(path) {
  return JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
}

/** Every recipe, in the order of tools.json: `{ name, pin, recipe }`. */
async function loadRecipes() {
  const pins = readJson(PINS);
  const names = Object.keys(pins).filter((k) => !k.startsWith('$'));
  const files = readdirSync(join(FILES, 'recipes')).filter((f) => f.endsWith('.mjs')).map((f) => f.slice(0, -'.mjs'.length));
  const unpinned = files.filter((f) => !names.includes(f));
  if (unpinned.length > 0) fail(`recipes with no entry in ${PINS}: ${unpinned.join(', ')}`);
  const recipes = [];
  for (const name of names) {
    const file = join(FILES, 'recipes', `${name}.mjs`);
    if (!existsSync(file)) fail(`${PINS}: "${name}" has no recipe scripts/tools/recipes/${name}.mjs`);
    recipes.push({ name, pin: pins[name], recipe: (await import(pathToFileURL(file).href)).default });
  }
  return recipes;
}

/** What recipes resolve their pins with: the deployed images' releases and the npm packages' versions. */
function pinInputs() {
  const versions = readJson('src/versions.json');
  const pkg = readJson('package.json');
  const semver = (value, field) => {
    if (!/^v\d+\.\d+\.\d+$/.test(String(value))) throw new Error(`${field} must be vX.Y.Z (got ${JSON.stringify(value)})`);
    return value;
  };
  return {
    semver,
    /** The release of a deployed image (src/versions.json), as vX.Y.Z. */
    imageTag(key) {
      const image = versions.images?.[key];
      if (image === undefined) throw new Error(`image "${key}" is not in src/versions.json`);
      return semver(`v${image.tag.replace(/^v/, '')}`, `src/versions.json images.${key}.tag`);
    },
    /** The exact version package.json pins an npm package at, as vX.Y.Z. */
    npmVersion(name) {
      const version = pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
      return semver(`v${version}`, `package.json ${name} (an exact version)`);
    },
  };
}

function helpText(recipes) {
  const width = Math.max(...recipes.map((r) => r.name.length)) + 2;
  const settings = { ...SETTINGS };
  for (const { recipe } of recipes) Object.assign(settings, recipe.env ?? {});
  const lines = [
    'usage: node scripts/tools.mjs [--list] [NAME=VALUE...] [TOOL...]',
    '',
    'Builds the binaries the tests run from their upstream Go modules, one recipe per tool',
    `(scripts/tools/recipes/<recipe>.mjs) pinned by ${PINS}; a tool the stack also deploys is built`,
    "at its image's release (src/versions.json). Each binary is cached as $TOOLS_DIR/bin/<binary>-<version>",
    'with a symlink $TOOLS_DIR/bin/<binary>, and is not rebuilt while it is there. Before every build,',
    'the licence guard (scripts/licence-check.mjs) checks each module the binary links.',
    '',
    'TOOL is a binary, else a recipe (all its binaries), else a set (its binaries but the optional',
    'ones); no TOOL: every binary but the optional ones.',
    '  --list   print every binary with its version, source and cache state; build nothing',
    '',
    'Recipes (set: binaries, * optional):',
  ];
  for (const { name, recipe } of recipes) {
    const bins = recipe.binaries.map((b) => `${b.name}${b.optional ? '*' : ''}`).join(' ');
    lines.push(`  ${name.padEnd(width)}${recipe.set}: ${bins}`, `  ${' '.repeat(width)}${recipe.summary}`);
  }
  lines.push('', 'Sets:', ...Object.entries(SETS).map(([k, v]) => `  ${k.padEnd(width)}${v}`));
  lines.push('', 'Settings (environment, or NAME=VALUE arguments):');
  for (const [k, v] of Object.entries(settings)) lines.push(`  ${k.padEnd(width)}${v}`);
  lines.push('', 'Exit status: 0 every binary built or cached; 3 a binary to build has no source (its setting');
  lines.push('is missing); 2 usage; 1 any other failure.');
  return lines.join('\n');
}

const isExecutable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
const hasCommand = (cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).error === undefined;
const secs = (ms) => `${Math.floor(ms / 1000)}.${Math.floor((ms % 1000) / 100)}`;

/** `ln -sfn file bin/name`, atomically. */
function link(bin, name, file) {
  const tmp = join(bin, `.${name}.link.${process.pid}`);
  rmSync(tmp, { force: true });
  symlinkSync(file, tmp);
  renameSync(tmp, join(bin, name));
}

/** Fails unless `path args...` prints `version` (without its leading v). */
function expectVersion(name, path, args, version) {
  const want = version.replace(/^v/, '');
  const r = spawnSync(path, args, { encoding: 'utf8', timeout: 60000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}`;
  if (!out.includes(want)) throw new Error(`${name} ${args.join(' ')} did not report ${want}: ${out}`);
}

/** The options, settings (NAME=VALUE, set into the environment) and tool names of the command line. */
function parseArgs(argv, settings) {
  let mode = 'build';
  const names = [];
  for (const a of argv) {
    const setting = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(a);
    if (a === '-h' || a === '--help') mode = 'help';
    else if (a === '--list') mode = 'list';
    else if (setting) {
      if (!settings.has(setting[1])) fail(`unknown setting ${setting[1]} (known: ${[...settings].join(', ')})`, 2);
      process.env[setting[1]] = setting[2];
    } else if (a.startsWith('-')) fail(`unknown option ${a} (see --help)`, 2);
    else names.push(a);
  }
  return { mode, names };
}

/** The binaries `names` select (a binary, else a recipe, else a set); none: every non-optional one. */
function select(all, recipes, names) {
  if (names.length === 0) {
    console.error(`tools: optional, built only when named: ${all.filter((w) => w.binary.optional).map((w) => w.binary.name).join(', ')}`);
    return all.filter((w) => !w.binary.optional);
  }
  const chosen = new Set();
  for (const a of names) {
    let picked = all.filter((w) => w.binary.name === a);
    if (picked.length === 0) picked = all.filter((w) => w.r.name === a);
    if (picked.length === 0) picked = all.filter((w) => w.r.recipe.set === a && !w.binary.optional);
    if (picked.length === 0) {
      const known = `binaries: ${all.map((w) => w.binary.name).join(' ')}; recipes: ${recipes.map((r) => r.name).join(' ')}; sets: ${Object.keys(SETS).join(' ')}`;
      fail(`unknown tool '${a}' (${known})`);
    }
    for (const w of picked) chosen.add(w);
  }
  return all.filter((w) => chosen.has(w));
}

async function main() {
  const recipes = await loadRecipes();
  const settings = new Set([...Object.keys(SETTINGS), ...recipes.flatMap(({ recipe }) => Object.keys(recipe.env ?? {}))]);
  const { mode, names } = parseArgs(process.argv.slice(2), settings);
  if (mode === 'help') {
    console.log(helpText(recipes));
    return;
  }

  const toolsDirSetting = process.env.TOOLS_DIR ?? '';
  const toolsDir = resolve(ROOT, toolsDirSetting === '' ? '.tools' : toolsDirSetting);
  const bin = join(toolsDir, 'bin');
  const inputs = pinInputs();
  const resolved = new Map();
  const resolveRecipe = (r) => {
    if (!resolved.has(r.name)) {
      try {
        resolved.set(r.name, r.recipe.resolve({ pin: r.pin, ...inputs }));
      } catch (e) {
        fail(`${PINS} ${r.name}: ${e.message}`);
      }
    }
    return resolved.get(r.name);
  };
  // One entry per binary: its recipe, resolved pins, cache file and source.
  const all = recipes.flatMap((r) => r.recipe.binaries.map((binary) => ({ r, binary })));
  const entry = (w) => {
    const res = resolveRecipe(w.r);
    const file = res.file?.(w.binary.name) ?? `${w.binary.name}-${res.version}`;
    const source = typeof res.source === 'function' ? res.source(w.binary.name) : res.source;
    return { ...w, res, file, source, target: join(bin, file) };
  };
  const nameWidth = Math.max(...all.map((w) => w.binary.name.length)) + 1;

  if (mode === 'list') {
    for (const w of all.map(entry)) {
      const name = `${w.binary.name}${w.binary.optional ? '*' : ''}`;
      const state = isExecutable(w.target) ? 'cached' : 'missing';
      console.log(`${name.padEnd(nameWidth)} ${w.res.version.padEnd(9)} ${state.padEnd(7)} ${w.source}`);
    }
    return;
  }

  const wanted = select(all, recipes, names).map(entry);
  const missing = wanted.filter((w) => !isExecutable(w.target));
  if (missing.length > 0) {
    for (const w of missing) {
      const why = w.res.unavailable?.();
      if (why !== undefined) fail(`${w.binary.name} cannot be built: ${why}`, 3);
    }
    if (!hasCommand('go')) fail('go is required to build the tools (https://go.dev/dl/)');
    mkdirSync(toolsDir, { recursive: true });
    if (process.env.FLOBS_TOOLS_LOCKED === undefined && hasCommand('flock')) {
      // One build at a time per TOOLS_DIR: run again holding the lock; a run that waited finds the binaries cached.
      const lock = join(toolsDir, '.tools.lock');
      const r = spawnSync('flock', [lock, process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
        stdio: 'inherit',
        env: { ...process.env, FLOBS_TOOLS_LOCKED: '1' },
      });
      process.exit(r.status ?? 1);
    }
  }

  mkdirSync(bin, { recursive: true });
  const status = (w, word, ms, detail = '') =>
    console.log(`${w.binary.name.padEnd(nameWidth)} ${w.res.version.padEnd(9)} ${word} ${secs(ms).padStart(6)}s${detail}`);
  const ctx = {
    filesDir: FILES,
    srcDir: (name) => {
      mkdirSync(join(toolsDir, 'src'), { recursive: true });
      return join(toolsDir, 'src', name);
    },
    expectVersion,
    /** The cached binary `name` (of any recipe), or undefined. */
    cachedBinary: (name) => {
      const w = all.find((x) => x.binary.name === name);
      const target = w && entry(w).target;
      return target !== undefined && isExecutable(target) ? target : undefined;
    },
  };
  const tStart = Date.now();
  for (const r of recipes) {
    const group = wanted.filter((w) => w.r === r);
    const t0 = Date.now();
    for (const w of group.filter((x) => isExecutable(x.target))) {
      link(bin, w.binary.name, w.file);
      status(w, 'cached', Date.now() - t0);
    }
    const todo = group.filter((w) => !isExecutable(w.target)).map((w) => ({ ...w, out: join(bin, `.${w.file}.tmp.${process.pid}`) }));
    if (todo.length === 0) continue;
    const res = todo[0].res;
    const recipeCtx = { ...ctx, nice: r.recipe.set === 'e2e' };
    try {
      await r.recipe.build(recipeCtx, res, todo.map((w) => ({ binary: w.binary, out: w.out })));
      const took = Date.now() - t0;
      for (const w of todo) {
        if (!isExecutable(w.out)) throw new Error(`building ${w.binary.name} ${res.version} produced no binary`);
        if (r.recipe.smoke) await r.recipe.smoke(recipeCtx, res, w.binary.name, w.out);
        else expectVersion(w.binary.name, w.out, w.binary.versionArgs, res.version);
        renameSync(w.out, w.target);
        link(bin, w.binary.name, w.file);
        status(w, 'built ', took, `  (${w.source}${todo.length > 1 ? `, one build of ${todo.length}` : ''})`);
      }
    } catch (e) {
      for (const w of todo) rmSync(w.out, { force: true });
      fail(`${r.name}: ${e.message}`);
    }
  }
  console.log(`tools: ${wanted.length} tool(s) in ${bin}, ${secs(Date.now() - tStart)}s`);
}

await main();
