// Bundles the Pulumi program (src/pulumi/index.ts) into lib/pulumi/index.js, which Pulumi.yaml runs
// as plain JavaScript (runtime option typescript: false: no ts-node at `pulumi up`). npm packages
// stay external: Pulumi's SDK and providers must be the single copies in node_modules.
// Type checking is `npm run typecheck`, part of the test command.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/pulumi/index.ts'],
  outfile: 'lib/pulumi/index.js',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: 'linked',
  packages: 'external',
  logLevel: 'warning',
});
