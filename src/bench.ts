import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatProfileSummary, frameReader, median, profileTotals, readSourceMap, SYNTH_PHASES, type CpuProfile } from './bench-profile';
import { resolveConfig } from './config/loader';
import { synthesize } from './synth';

/**
 * `npm run bench`: full-stack synth time, cold (a new node process: load + build + write) and warm
 * (in-process, best of 5), and output size, for 2, 100 and 1000 FL clients.
 *
 * `npm run bench -- --helm <helm binary> --chart <chart directory> [--runs <n>]`: side by side with
 * `helm template` of a chart (kube-prometheus-stack, say), interleaved runs of each command.
 */

/** Where the synth entry points are: lib/ (this file runs as lib/bench.js) and the repository. */
const LIB = __dirname;
const REPO = resolve(LIB, '..');

function dirSize(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + readFileSync(join(dir, f)).length, 0);
}

/** The command line of the synth entry point scripts/synth.sh runs: the startup snapshot, or the bundle when none could be written. */
function entryPoint(): { readonly label: string; readonly args: readonly string[] } {
  const blob = join(LIB, 'main.blob');
  return existsSync(blob) ? { label: 'node --snapshot-blob lib/main.blob', args: ['--snapshot-blob', blob] } : { label: 'node lib/main.js', args: [join(LIB, 'main.js')] };
}

/** Profiles `runs` synths of the default config through the entry point (`node --cpu-prof`) and prints where their time went. */
function profileSummary(runs: number): void {
  const scratch = mkdtempSync(join(tmpdir(), 'flobs-profile-'));
  const env = { ...process.env, CDK8S_OUTDIR: join(scratch, 'dist') };
  const entry = entryPoint();
  // One run first: the output directory exists, as it does for a user's next synth.
  mustRun(entry.label, process.execPath, entry.args, env);
  const profiles = join(scratch, 'profiles');
  for (let i = 0; i < runs; i++) {
    mustRun(`${entry.label} (profiled)`, process.execPath, ['--cpu-prof', '--cpu-prof-dir', profiles, '--cpu-prof-interval', '100', ...entry.args], env);
  }
  const frameOf = frameReader('lib/main.bundle.js', readSourceMap(join(LIB, 'main.bundle.js.map')));
  const totals = readdirSync(profiles).map((f) => profileTotals(JSON.parse(readFileSync(join(profiles, f), 'utf8')) as CpuProfile, frameOf, SYNTH_PHASES));
  rmSync(scratch, { recursive: true, force: true });
  console.log(`\nprofile of one synth (\`node --cpu-prof\` of ${entry.label}, 0.1 ms sampling, medians of ${runs} runs; a phase counts every sample with its function on the stack):`);
  console.log(formatProfileSummary(totals, SYNTH_PHASES));
}

function defaultBench(): void {
  const root = mkdtempSync(join(tmpdir(), 'flobs-bench-'));
  console.log('clients | cold synth (ms) | warm synth (ms, best of 5) | dist/ bytes');
  for (const clients of [2, 100, 1000]) {
    const configFile = join(root, `stack-${clients}.yaml`);
    writeFileSync(configFile, `fl:\n  numClients: ${clients}\n  minClients: 2\n`);
    const outdir = join(root, `dist-${clients}`);
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, entryPoint().args, { env: { ...process.env, STACK_CONFIG: configFile, CDK8S_OUTDIR: outdir }, stdio: 'ignore' });
    const cold = Number(process.hrtime.bigint() - start) / 1e6;
    const config = resolveConfig({ overrides: { fl: { numClients: clients, minClients: 2 } } });
    let warm = Infinity;
    for (let i = 0; i < 5; i += 1) {
      const t = process.hrtime.bigint();
      synthesize(config, outdir);
      warm = Math.min(warm, Number(process.hrtime.bigint() - t) / 1e6);
    }
    console.log(`${String(clients).padStart(7)} | ${cold.toFixed(0).padStart(15)} | ${warm.toFixed(0).padStart(26)} | ${dirSize(outdir)}`);
  }

  // Hostile config files: how long `npm run synth` takes to refuse them (a new process each, as a user
  // runs it; exit status 2 expected, nothing written).
  console.log('\nhostile STACK_CONFIG | time to refuse (ms) | exit');
  const hostile: Record<string, string> = {
    '5 MB file': `# ${'x'.repeat(5 * 1024 * 1024)}\n`,
    '100 000 keys': `x:\n${Array.from({ length: 100_000 }, (_, i) => `  k${i}: 1`).join('\n')}\n`,
    'largest accepted size, all keys': Array.from({ length: 7000 }, (_, i) => `k${i}: 1`).join('\n').slice(0, 64 * 1024),
  };
  for (const [name, text] of Object.entries(hostile)) {
    const file = join(root, `hostile-${name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(file, text);
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, entryPoint().args, { env: { ...process.env, STACK_CONFIG: file, CDK8S_OUTDIR: join(root, 'dist-hostile') }, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    console.log(`${name.padEnd(31)} | ${ms.toFixed(0).padStart(19)} | ${r.status}`);
  }
}

/** A command-line mistake: the message names the flag. */
export class BenchUsageError extends Error {}

export const USAGE = 'usage: npm run bench [-- --helm <helm binary> --chart <chart directory> [--runs <n>]]';

/** What `npm run bench -- …` asks for; `helm` undefined: the default benchmark. */
export interface BenchOptions {
  readonly helm?: string;
  readonly chart?: string;
  /** Interleaved timed runs of each command. @default 7 */
  readonly runs: number;
}

/** Parses the bench's arguments, checking that `--helm` is an executable file and `--chart` a chart directory. */
export function parseBenchArgs(args: readonly string[]): BenchOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (!['--helm', '--chart', '--runs'].includes(flag)) throw new BenchUsageError(`unknown argument ${JSON.stringify(flag)}\n${USAGE}`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new BenchUsageError(`${flag} needs a value\n${USAGE}`);
    values.set(flag, value);
    i += 1;
  }
  const runsText = values.get('--runs') ?? '7';
  const runs = Number(runsText);
  if (!/^\d+$/.test(runsText) || runs < 1) throw new BenchUsageError(`--runs: ${JSON.stringify(runsText)} is not a whole number of runs (1 or more)`);
  const helm = values.get('--helm');
  const chart = values.get('--chart');
  if (helm === undefined) {
    if (chart !== undefined || values.has('--runs')) throw new BenchUsageError(`--chart and --runs go with --helm <helm binary>\n${USAGE}`);
    return { runs };
  }
  if (chart === undefined) throw new BenchUsageError(`--chart <chart directory> is needed with --helm\n${USAGE}`);
  const helmPath = resolve(helm);
  if (!existsSync(helmPath)) throw new BenchUsageError(`--helm: ${helm} does not exist`);
  if (!statSync(helmPath).isFile()) throw new BenchUsageError(`--helm: ${helm} is not a file`);
  try {
    accessSync(helmPath, constants.X_OK);
  } catch {
    throw new BenchUsageError(`--helm: ${helm} is not executable`);
  }
  const chartPath = resolve(chart);
  if (!existsSync(chartPath)) throw new BenchUsageError(`--chart: ${chart} does not exist`);
  if (!statSync(chartPath).isDirectory()) throw new BenchUsageError(`--chart: ${chart} is not a directory`);
  if (!existsSync(join(chartPath, 'Chart.yaml'))) throw new BenchUsageError(`--chart: ${chart} has no Chart.yaml (a chart directory, e.g. from \`helm pull <chart> --untar\`)`);
  return { helm: helmPath, chart: chartPath, runs };
}

/** Kubernetes objects in YAML text: documents with a top-level `kind:`. */
export function countObjects(yaml: string): number {
  return yaml.split(/^---[ \t]*$/m).filter((doc) => /^kind:/m.test(doc)).length;
}

interface Timed {
  readonly label: string;
  readonly run: () => void;
  readonly seconds: number[];
}

/** Runs a command; a failure stops the bench with its output. */
function mustRun(what: string, file: string, args: readonly string[], env: NodeJS.ProcessEnv, stdout: 'ignore' | 'pipe' = 'ignore'): string {
  const r = spawnSync(file, args, { cwd: REPO, env, stdio: ['ignore', stdout, 'pipe'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new Error(`${what} failed (exit ${r.status ?? r.signal}):\n${r.stderr ?? ''}${r.error?.message ?? ''}`);
  }
  return r.stdout ?? '';
}

function chartTitle(chart: string): string {
  const text = readFileSync(join(chart, 'Chart.yaml'), 'utf8');
  const field = (name: string) => new RegExp(`^${name}:\\s*["']?([^"'\\s]+)`, 'm').exec(text)?.[1] ?? '?';
  return `${field('name')} ${field('version')}`;
}

function sideBySide(helmBinary: string, chart: string, runs: number): void {
  const scratch = mkdtempSync(join(tmpdir(), 'flobs-bench-'));
  const synthOut = join(scratch, 'synth');
  const bareOut = join(scratch, 'bare');
  const synthEnv = { ...process.env, CDK8S_OUTDIR: synthOut };
  const bareEnv = { ...process.env, CDK8S_OUTDIR: bareOut };
  let helmOutput = '';
  const timed = (label: string, run: () => void): Timed => ({ label, run, seconds: [] });
  const synth = timed('npm run synth', () => mustRun('npm run synth', 'npm', ['run', 'synth'], synthEnv));
  // The bare entry point: what scripts/synth.sh (npm run synth, cdk8s synth) runs.
  const entry = entryPoint();
  const bare = timed(`${entry.label} (bare entry point)`, () => mustRun(entry.label, process.execPath, entry.args, bareEnv));
  // The bundle alone, for comparison: what runs where no startup snapshot could be written.
  const bundle = entry.args[0] === '--snapshot-blob' ? timed('node lib/main.js (bundle, no snapshot)', () => mustRun('node lib/main.js', process.execPath, [join(LIB, 'main.js')], bareEnv)) : undefined;
  const helm = timed(`helm template (${chartTitle(chart)})`, () => {
    helmOutput = mustRun('helm template', helmBinary, ['template', 'bench', chart], process.env, 'pipe');
  });
  const floor = timed('node -e 0 (process start)', () => mustRun('node -e 0', process.execPath, ['-e', '0'], process.env));
  const commands = [synth, bare, ...(bundle ? [bundle] : []), helm, floor];

  const loadBefore = loadavg()[0];
  // One untimed run of each first: the bundle and the snapshot are built, files are cached (warm).
  for (const c of commands) c.run();
  // Interleaved, each round in a rotated order, so a burst of load hits every command alike.
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < commands.length; k++) {
      const c = commands[(k + round) % commands.length];
      const start = process.hrtime.bigint();
      c.run();
      c.seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    }
  }
  const loadAfter = loadavg()[0];

  const files = readdirSync(synthOut).map((f) => readFileSync(join(synthOut, f), 'utf8'));
  const ours = { objects: files.reduce((n, text) => n + countObjects(text), 0), bytes: files.reduce((n, text) => n + Buffer.byteLength(text), 0) };
  const theirs = { objects: countObjects(helmOutput), bytes: Buffer.byteLength(helmOutput) };
  rmSync(scratch, { recursive: true, force: true });

  const s = (x: number) => `${x.toFixed(3)} s`;
  const output = (o: { objects: number; bytes: number }) => `${o.objects} objects, ${(o.bytes / 1024).toFixed(0)} KB`;
  console.log(`${runs} interleaved runs of each command, after one untimed run of each; ${cpus().length} CPUs, load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`);
  console.log(`${'command'.padEnd(52)} ${'median'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}  output`);
  for (const c of commands) {
    const out = c === helm ? output(theirs) : c === floor ? '' : output(ours);
    console.log(`${c.label.padEnd(52)} ${s(median(c.seconds)).padStart(9)} ${s(Math.min(...c.seconds)).padStart(9)} ${s(Math.max(...c.seconds)).padStart(9)}  ${out}`);
  }
  const ratio = (c: Timed) => median(c.seconds) / median(helm.seconds);
  const perObject = (c: Timed, objects: number) => ((median(c.seconds) - median(floor.seconds)) / objects) * 1000;
  const verdict = (met: boolean) => (met ? 'met' : 'not met');
  console.log(`\nratios of medians to helm template: npm run synth ${ratio(synth).toFixed(2)}× (target ≤ 1.0×: ${verdict(ratio(synth) <= 1)}), bare entry point ${ratio(bare).toFixed(2)}× (target ≤ 0.5×: ${verdict(ratio(bare) <= 0.5)})${bundle ? `, bundle without snapshot ${ratio(bundle).toFixed(2)}×` : ''}`);
  console.log(
    `per object, after the node -e 0 floor (${s(median(floor.seconds))}): npm run synth ${perObject(synth, ours.objects).toFixed(1)} ms, bare entry point ${perObject(bare, ours.objects).toFixed(1)} ms` +
      `${bundle ? `, bundle without snapshot ${perObject(bundle, ours.objects).toFixed(1)} ms` : ''}, helm template ${perObject(helm, theirs.objects).toFixed(1)} ms (target: bare entry point ≤ helm: ${verdict(perObject(bare, ours.objects) <= perObject(helm, theirs.objects))})`,
  );
}

if (require.main === module) {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof BenchUsageError)) throw err;
    console.error(`bench: ${err.message}`);
    process.exit(2);
  }
  if (options.helm !== undefined && options.chart !== undefined) {
    sideBySide(options.helm, options.chart, options.runs);
  } else {
    defaultBench();
  }
  profileSummary(5);
}
