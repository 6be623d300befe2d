// Bundles the TypeScript entry points into lib/ with esbuild: a synth then runs plain JavaScript
// (no ts-node start-up cost). Type checking is `npm run typecheck`, part of the test command.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts', 'src/generate.ts', 'src/bench.ts', 'src/review/diff-command.ts', 'src/health/health-command.ts'],
  outdir: 'lib',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: 'linked',
  packages: 'external',
  logLevel: 'warning',
});
