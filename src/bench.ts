import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from './config/loader';
import { synthesize } from './synth';

/**
 * `npm run bench`: full-stack synth time, cold (a new node process: load + build + write) and warm
 * (in-process, best of 5), and output size, for 2, 100 and 1000 FL clients.
 */
function dirSize(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + readFileSync(join(dir, f)).length, 0);
}

const root = mkdtempSync(join(tmpdir(), 'flobs-bench-'));
console.log('clients | cold synth (ms) | warm synth (ms, best of 5) | dist/ bytes');
for (const clients of [2, 100, 1000]) {
  const configFile = join(root, `stack-${clients}.yaml`);
  writeFileSync(configFile, `fl:\n  numClients: ${clients}\n  minClients: 2\n`);
  const outdir = join(root, `dist-${clients}`);
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, [join(__dirname, 'main.js')], { env: { ...process.env, STACK_CONFIG: configFile, CDK8S_OUTDIR: outdir }, stdio: 'ignore' });
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
  const r = spawnSync(process.execPath, [join(__dirname, 'main.js')], { env: { ...process.env, STACK_CONFIG: file, CDK8S_OUTDIR: join(root, 'dist-hostile') }, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${name.padEnd(31)} | ${ms.toFixed(0).padStart(19)} | ${r.status}`);
}
