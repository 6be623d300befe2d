import { readFileSync, statSync } from 'node:fs';
import type { StackConfig } from './config/schema';
import type { ExtensionFiles } from './monitoring/collect';
import { EXTENSION_LIMITS, ExtensionError, type ExtensionFile } from './monitoring/extensions';

/** Reads one listed file (UTF-8, at most the per-file limit), naming the field and path when it cannot. */
function readListed(field: string, path: string): ExtensionFile {
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > EXTENSION_LIMITS.fileBytes) {
      throw new ExtensionError(field, path, `is ${size} bytes; at most ${EXTENSION_LIMITS.fileBytes}`);
    }
    bytes = readFileSync(path);
  } catch (err) {
    if (err instanceof ExtensionError) throw err;
    throw new ExtensionError(field, path, `cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return { field, path, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    throw new ExtensionError(field, path, 'is not valid UTF-8');
  }
}

/** The user's rule files and dashboards the config lists (`extensions`), read. */
export function readExtensionFiles(config: StackConfig): ExtensionFiles {
  const read = (key: keyof StackConfig['extensions']): ExtensionFile[] => config.extensions[key].map((path, i) => readListed(`extensions.${key}.${i}`, path));
  return { ruleFiles: read('ruleFiles'), dashboards: read('dashboards') };
}
