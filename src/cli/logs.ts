import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import type { requestLogObject } from '../request-log/schemas.ts';
import { CliError, type SandpayApi } from './api.ts';

export interface TailOptions {
  status?: string | undefined;
  method?: string | undefined;
  path?: string | undefined;
  intervalMs: number;
  signal: AbortSignal;
  out: NodeJS.WritableStream;
}

/** What the CLI prints of an entry, as the API's schema types it. */
type Entry = Pick<z.output<typeof requestLogObject>, 'id' | 'request_id' | 'method' | 'path' | 'query' | 'status' | 'latency_ms' | 'error' | 'created_at'>;

const PAGE = 100;
const SEEN_MAX = 5000;

/**
 * `sandpay logs tail`: the request log (GET /request-log) as it grows. The log is a list, not a
 * stream, so this polls the newest page and prints the lines it has not printed yet, oldest
 * first (a line is written shortly after its response, so a cursor could skip one).
 */
export async function tailLogs(api: SandpayApi, opts: TailOptions): Promise<void> {
  const seen = new Set<string>();
  let first = true;
  while (!opts.signal.aborted) {
    const query = { limit: PAGE, status: opts.status, method: opts.method?.toUpperCase(), path: opts.path };
    let page: { data: Entry[] };
    try {
      page = await api.get('/request-log', query);
    } catch (err) {
      if (err instanceof CliError && /\b404 /.test(err.message) && /GET \/request-log/.test(err.message)) {
        throw new CliError('This Sandpay server has no request log (GET /api/v1/request-log is not there); update it to tail logs');
      }
      throw err;
    }
    const fresh = page.data.filter((e) => !seen.has(e.id)).reverse();
    // On the first poll only the last few, as `tail` does.
    for (const e of first ? fresh.slice(-10) : fresh) opts.out.write(line(e));
    for (const e of fresh) seen.add(e.id);
    if (seen.size > SEEN_MAX) for (const id of [...seen].slice(0, seen.size - SEEN_MAX)) seen.delete(id);
    if (first) opts.out.write(`Tailing the request log of ${api.base.origin} (^C to quit)\n`);
    first = false;
    await sleep(opts.intervalMs, undefined, { signal: opts.signal }).catch(() => {});
  }
}

function line(e: Entry): string {
  const time = new Date(e.created_at).toTimeString().slice(0, 8);
  const path = e.query ? `${e.path}?${e.query}` : e.path;
  const error = e.error?.code ? `  ${e.error.code}` : '';
  return `${time}  ${e.status}  ${e.method.padEnd(6)} ${path}  ${Math.round(e.latency_ms)} ms  ${e.request_id}${error}\n`;
}
