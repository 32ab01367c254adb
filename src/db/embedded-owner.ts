import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger.ts';

/**
 * Who owns an embedded data folder. A Sandpay killed with SIGKILL leaves its Postgres running
 * (the postmaster is a separate process) and the folder unusable until someone runs pg_ctl stop.
 * So each Sandpay records itself in DATA_DIR/sandpay.pid; on start, a record whose process is
 * gone means the postmaster in the folder is an orphan, which is stopped before starting anew,
 * and a record whose process is alive means another Sandpay really is using the folder.
 */

const LOCK_FILE = 'sandpay.pid';
const POLL_MS = 100;
/** Fast shutdown of an idle cluster takes well under a second; a checkpoint may take longer. */
const STOP_POLLS = 300;

/** Process start time, so a reused pid is not mistaken for the Sandpay that wrote the lock. */
function startTimeOf(pid: number): string | null {
  try {
    // Field 22 of /proc/PID/stat; the command name (field 2) may contain spaces, so split after it.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    try {
      return execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
    } catch {
      return null;
    }
  }
}

/** Alive and not a zombie (an exited orphan stays a zombie until its new parent reaps it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/** The process's command line, or null when it cannot be read (then nothing is assumed). */
function commandOf(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter(Boolean);
  } catch {
    try {
      const line = execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      return line ? line.split(/\s+/) : null;
    } catch {
      return null;
    }
  }
}

export interface DataDirLock {
  release(): void;
}

/**
 * Records this process as the owner of the data folder, or throws (one line) when another live
 * Sandpay owns it. A record left by a dead process is taken over.
 */
export function lockDataDir(root: string): DataDirLock {
  const file = path.join(root, LOCK_FILE);
  const mine = `${process.pid}\n${startTimeOf(process.pid) ?? ''}\n`;
  for (let attempt = 1; ; attempt++) {
    try {
      writeFileSync(file, mine, { flag: 'wx', mode: 0o644 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw err;
    }
    const [pidText = '', started = ''] = readFileOr(file, '').split('\n');
    const pid = Number(pidText);
    const live = pid > 0 && pid !== process.pid && isAlive(pid);
    const startedNow = live ? startTimeOf(pid) : null;
    if (live && (!started || startedNow === null || started === startedNow)) {
      throw new Error(`another Sandpay (pid ${pid}) is using ${root}; stop it first, or set DATA_DIR to another folder`);
    }
    try {
      unlinkSync(file);
    } catch {
      // another starter removed it first; the next attempt decides
    }
  }
  return {
    release() {
      // Only our own record: never delete one a later Sandpay wrote.
      if (readFileOr(file, '') === mine) unlinkSync(file);
    },
  };
}

function readFileOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/**
 * Called with the data folder locked, so any postmaster still running on the cluster was left by
 * a Sandpay that died: ask it for a fast shutdown (SIGINT) and wait for it to exit. A
 * postmaster.pid whose process is dead, or is provably not a postgres on this cluster (the pid
 * was reused), is removed so it cannot block the start.
 */
export async function stopOrphanedPostmaster(clusterDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  const text = readFileOr(pidFile, '');
  if (!text) return;
  const pid = Number(text.split('\n')[0]);
  if (!(pid > 0) || !isAlive(pid)) {
    removeStale(pidFile, text);
    return;
  }
  const cmd = commandOf(pid);
  if (cmd === null) return; // cannot tell: let Postgres judge its own lock file
  const isOurPostmaster = path.basename(cmd[0] ?? '').startsWith('postgres') && cmd.includes(clusterDir);
  if (!isOurPostmaster) {
    removeStale(pidFile, text);
    return;
  }
  log.warn({ pid, dataDir: clusterDir }, 'stopping an embedded Postgres left running by a Sandpay that did not shut down');
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < STOP_POLLS && isAlive(pid); i++) await new Promise((r) => setTimeout(r, POLL_MS));
  if (isAlive(pid)) {
    throw new Error(`an embedded Postgres (pid ${pid}) left running on ${clusterDir} did not stop; stop it with pg_ctl stop -D ${clusterDir}`);
  }
}

function removeStale(pidFile: string, text: string): void {
  // Re-read first: a postmaster that started meanwhile has rewritten the file.
  if (existsSync(pidFile) && readFileOr(pidFile, '') === text) unlinkSync(pidFile);
}
