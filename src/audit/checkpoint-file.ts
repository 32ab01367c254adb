import { createReadStream } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../logger.ts';
import type { CheckpointSigner } from '../secrets/keys.ts';
import { openCheckpoint, type SignedCheckpoint } from './checkpoint-sig.ts';

export const CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

/**
 * The copy of every checkpoint this process signs, one JSON line each, in DATA_DIR: outside the
 * database, so deleting checkpoints there does not let a truncated log pass verification. The
 * latest checkpoint per chain is kept in memory (read once, at first use; lines whose signature
 * fails are ignored).
 */
export interface CheckpointFile {
  readonly file: string;
  latest(chain: string): SignedCheckpoint | undefined;
  append(line: SignedCheckpoint & Record<string, unknown>): Promise<void>;
}

const opened = new Map<string, Promise<CheckpointFile>>();

/** One instance per file in a process, so two runtimes on one DATA_DIR (tests) share the index. */
export function checkpointFile(dataDir: string, signer: CheckpointSigner, log: Logger): Promise<CheckpointFile> {
  const file = path.resolve(dataDir, CHECKPOINT_FILE);
  let p = opened.get(file);
  if (!p) {
    p = load(file, signer, log);
    opened.set(file, p);
    p.catch(() => opened.delete(file));
  }
  return p;
}

async function load(file: string, signer: CheckpointSigner, log: Logger): Promise<CheckpointFile> {
  const latest = new Map<string, SignedCheckpoint>();
  const keep = (c: SignedCheckpoint) => {
    const had = latest.get(c.chain);
    if (!had || c.seq >= had.seq) latest.set(c.chain, c);
  };
  let bad = 0;
  try {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      try {
        const raw = JSON.parse(line) as { payload?: unknown; signature?: unknown };
        const c = typeof raw.payload === 'string' && typeof raw.signature === 'string' ? openCheckpoint(signer, raw.payload, raw.signature) : null;
        if (c) keep(c);
        else bad++;
      } catch {
        bad++;
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (bad) log.warn({ component: 'audit', file, lines: bad }, 'ignored checkpoint lines that do not verify');

  // Appends are chained so lines from one process never interleave.
  let writing: Promise<void> = Promise.resolve();
  return {
    file,
    latest: (chain) => latest.get(chain),
    append(line) {
      keep(line);
      writing = writing.catch(() => {}).then(async () => {
        await mkdir(path.dirname(file), { recursive: true });
        await appendFile(file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
      });
      return writing;
    },
  };
}
