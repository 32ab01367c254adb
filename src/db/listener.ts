import pg from 'pg';
import type { Logger } from '../logger.ts';

export interface Listener {
  close(): Promise<void>;
}

export interface ListenOptions {
  connectionString: string;
  channel: string;
  onNotify(payload: string): void;
  /**
   * After every (re)connect once LISTEN is in place. Notifications sent while the connection
   * was down are lost, so this is where a subscriber catches up from the table.
   */
  onListening(): void;
  /** The connection was lost: notifications may be missed until onListening is called again. */
  onLost?(): void;
  log: Logger;
  /** Longest wait between reconnect attempts. */
  maxBackoffMs?: number;
}

/**
 * One dedicated connection, outside the pool, that LISTENs on a channel (a pooled client
 * cannot: LISTEN belongs to the session). A lost connection (database restart) is replaced
 * with backoff, for as long as the listener is open.
 */
export function listen(opts: ListenOptions): Listener {
  const maxBackoff = opts.maxBackoffMs ?? 5000;
  let closed = false;
  let client: pg.Client | null = null;
  let timer: NodeJS.Timeout | null = null;
  let failures = 0;

  const retry = () => {
    if (closed || timer) return;
    const delay = Math.min(maxBackoff, 100 * 2 ** Math.min(failures++, 10));
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, delay);
  };

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: opts.connectionString, application_name: 'sandpay-listen', keepAlive: true });
    client = c;
    const lost = (err?: Error) => {
      if (client !== c) return;
      client = null;
      c.removeAllListeners('notification');
      void c.end().catch(() => {});
      opts.onLost?.();
      if (!closed) {
        opts.log.warn({ err: err?.message, channel: opts.channel }, 'LISTEN connection lost; reconnecting');
        retry();
      }
    };
    c.on('error', lost);
    c.on('end', () => lost());
    c.on('notification', (n) => {
      if (n.channel === opts.channel && n.payload !== undefined) opts.onNotify(n.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${pg.escapeIdentifier(opts.channel)}`);
    } catch (err) {
      lost(err as Error);
      return;
    }
    if (client !== c) return;
    failures = 0;
    opts.onListening();
  }

  void connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      if (c) await c.end().catch(() => {});
    },
  };
}
