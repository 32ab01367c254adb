import { appendFile, mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import type { CheckpointSigner } from '../secrets/keys.ts';
import { openCheckpoint, type SignedCheckpoint } from './checkpoint-sig.ts';

export const CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

/**
 * The copy of every checkpoint this process signs, one JSON line each, in DATA_DIR: outside the
 * database, so deleting checkpoints there does not let a truncated log pass verification. The
 * latest checkpoint per chain is indexed as the file is read; each lookup first reads what was
 * appended since (by this process or another on the same DATA_DIR). Lines whose signature fails
 * are ignored.
 */
export interface CheckpointFile {
  readonly file: string;
  latest(chain: string): Promise<SignedCheckpoint | undefined>;
  append(line: SignedCheckpoint & Record<string, unknown>): Promise<void>;
}

export function checkpointFile(dataDir: string, signer: CheckpointSigner, log: Logger): CheckpointFile {
  const file = path.resolve(dataDir, CHECKPOINT_FILE);
  const latest = new Map<string, SignedCheckpoint>();
  const keep = (c: SignedCheckpoint) => {
    const had = latest.get(c.chain);
    if (!had || c.seq >= had.seq) latest.set(c.chain, c);
  };
  let offset = 0;
  let reading: Promise<void> = Promise.resolve();
  // Reads whole lines from `offset` on; a line still being written waits for the next lookup.
  const catchUp = async () => {
    let fh;
    try {
      fh = await open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      const { size } = await fh.stat();
      if (size <= offset) return;
      const buf = Buffer.alloc(size - offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      const text = buf.subarray(0, bytesRead).toString('utf8');
      const end = text.lastIndexOf('\n');
      if (end < 0) return;
      offset += Buffer.byteLength(text.slice(0, end + 1));
      let bad = 0;
      for (const line of text.slice(0, end).split('\n')) {
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
      if (bad) log.warn({ component: 'audit', file, lines: bad }, 'ignored checkpoint lines that do not verify');
    } finally {
      await fh.close();
    }
  };

  // Appends are chained so lines from one process never interleave.
  let writing: Promise<void> = Promise.resolve();
  return {
    file,
    async latest(chain) {
      reading = reading.catch(() => {}).then(catchUp);
      await reading;
      return latest.get(chain);
    },
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
