import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Path of a pinned validator binary built by scripts/tools.sh (`npm test` builds them first). */
export function tool(name: string): string {
  const dir = process.env.FLOBS_TOOLS_BIN ?? resolve(__dirname, '../.tools/bin');
  const path = join(dir, name);
  if (!existsSync(path)) {
    throw new Error(`${name} not found in ${dir}: run scripts/tools.sh (npm test does)`);
  }
  return path;
}
