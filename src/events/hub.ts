import { listen, type Listener } from '../db/listener.ts';
import type { Logger } from '../logger.ts';

/** The channel that announces committed events; the payload is the tenant id. */
export const EVENTS_CHANNEL = 'sandpay_events';

export interface HubSubscriber {
  /** Events of the tenant committed, or notifications may have been missed (LISTEN reconnected): read the table. */
  wake(): void;
  /** The hub is closing (shutdown): end the stream. */
  closed(): void;
}

/**
 * Per process: ONE dedicated LISTEN connection for committed events, fanned out to every
 * subscriber of the tenant named in each notification. Any stream of a tenant's events (the
 * API's SSE, a dashboard's live view) subscribes here rather than holding a connection each.
 * Several API processes each have their own hub; NOTIFY reaches them all.
 */
export interface EventHub {
  subscribe(tenantId: string, subscriber: HubSubscriber): () => void;
  readonly isClosed: boolean;
  close(): Promise<void>;
}

export function createEventHub(opts: { connectionString: string; log: Logger }): EventHub {
  const byTenant = new Map<string, Set<HubSubscriber>>();
  let listener: Listener | null = null;
  let isClosed = false;

  const each = (fn: (s: HubSubscriber) => void) => {
    for (const set of byTenant.values()) for (const s of [...set]) fn(s);
  };

  // Started with the first subscriber, so a process nobody streams from holds no extra connection.
  const start = () => {
    listener ??= listen({
      connectionString: opts.connectionString,
      channel: EVENTS_CHANNEL,
      log: opts.log,
      onNotify(tenantId) {
        for (const s of [...(byTenant.get(tenantId) ?? [])]) s.wake();
      },
      onListening: () => each((s) => s.wake()),
    });
  };

  return {
    subscribe(tenantId, subscriber) {
      if (isClosed) throw new Error('event hub is closed');
      start();
      const set = byTenant.get(tenantId) ?? new Set();
      set.add(subscriber);
      byTenant.set(tenantId, set);
      return () => {
        set.delete(subscriber);
        if (set.size === 0 && byTenant.get(tenantId) === set) byTenant.delete(tenantId);
      };
    },
    get isClosed() {
      return isClosed;
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      each((s) => s.closed());
      byTenant.clear();
      await listener?.close();
    },
  };
}
