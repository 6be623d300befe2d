import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Path of a pinned tool binary built by scripts/tools.mjs (`npm test` builds them first). */
export function tool(name: string): string {
  const dir = process.env.FLOBS_TOOLS_BIN ?? resolve(__dirname, '../.tools/bin');
  const path = join(dir, name);
  if (!existsSync(path)) {
    throw new Error(`${name} not found in ${dir}: run node scripts/tools.mjs ${name} (npm test does)`);
  }
  return path;
}

/**
 * A console script of a pinned virtualenv in the tools cache, beside the binaries' `bin/`
 * (`<tools>/<venv>/bin/<program>`; e.g. MLflow's, made by scripts/mlflow-venv.sh).
 */
export function venvProgram(venv: string, program: string): string {
  const dir = join(dirname(process.env.FLOBS_TOOLS_BIN ?? resolve(__dirname, '../.tools/bin')), venv);
  const path = join(dir, 'bin', program);
  if (!existsSync(path)) {
    throw new Error(`${program} not found in ${dir}: run bash scripts/${venv.replace(/-[0-9][^/]*$/, '')}.sh (npm test does)`);
  }
  return path;
}
