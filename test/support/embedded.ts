import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The pid an embedded Postgres in DATA_DIR `dir` wrote to its postmaster.pid. */
export const postmasterPid = (dir: string) => Number(readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);

/** Polls `cond` every 100 ms, at most `polls` times (a bound by count, not by the clock). */
export async function until(what: string, cond: () => boolean, polls = 300): Promise<void> {
  for (let i = 0; i < polls; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting: ${what}`);
}
