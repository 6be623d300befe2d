import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Path of a pinned tool binary built by scripts/tools.mjs (`npm test` builds them first). */
export function tool(name: string): string {
  const dir = process.env.FLOBS_TOOLS_BIN ?? resolve(__dirname, '../.tools/bin');
  const path = join(dir, name);
  if (!existsSync(path)) {
    throw new Error(`${name} not found in ${dir}: run node scripts/tools.mjs ${name} (npm test does)`);
  }
  return path;
}
