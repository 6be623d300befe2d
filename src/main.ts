import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString, startupSnapshot } from 'node:v8';
import { ConfigError, loadConfig, resolveConfig } from './config/loader';
import { synthesize } from './synth';

/** `npm run synth` / `cdk8s synth`: config from STACK_CONFIG / STACK_PROFILE, output to dist/. */
function main(): number {
  try {
    const config = loadConfig();
    console.log(synthesize(config, process.env.CDK8S_OUTDIR ?? 'dist'));
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      console.error('nothing was written');
      return 2;
    }
    throw err;
  }
}

/**
 * V8 flags of a synth run: the interpreter alone. A synth runs some 50 ms of JavaScript, too short for
 * V8's compilers (Sparkplug, Maglev, TurboFan) to pay back, and node waits at exit for the compile
 * jobs they started in the background (about 10 ms of the run, idle).
 */
const INTERPRETER_ONLY = '--no-opt --no-maglev --no-sparkplug';

if (startupSnapshot.isBuildingSnapshot()) {
  // `scripts/build.mjs --snapshot` (node --build-snapshot): everything is loaded; synthesizing both
  // profiles once into a scratch directory also leaves their code compiled in the snapshot. The run
  // itself (`node --snapshot-blob lib/main.blob`, scripts/synth.sh) starts at main(), reading the
  // environment of that run.
  const scratch = mkdtempSync(join(tmpdir(), 'flobs-snapshot-'));
  try {
    for (const profile of ['minikube', 'production'] as const) {
      synthesize(resolveConfig({ profile }), join(scratch, profile));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  startupSnapshot.setDeserializeMainFunction(() => {
    setFlagsFromString(INTERPRETER_ONLY);
    process.exitCode = main();
  });
} else {
  setFlagsFromString(INTERPRETER_ONLY);
  process.exitCode = main();
}
