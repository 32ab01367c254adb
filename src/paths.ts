import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The folder holding package.json and migrations/, found by walking up from this file so it
 * works both from source (src/) and from the build (dist/src/).
 */
export const PROJECT_ROOT: string = (() => {
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, 'migrations')) || !existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the Sandpay project root (migrations/ and package.json)');
    dir = parent;
  }
  return dir;
})();

export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');
