import { ConfigError, loadConfig } from './config/loader';
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

process.exitCode = main();
