import type { Request, Response } from 'express';
import { badRequest, unavailable } from '../core/errors.ts';
import { openEventFeed, parsePosition, type EventStreamQuery } from '../events/stream.ts';
import type { Services } from '../services.ts';

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

export interface Sse {
  /** Resolves once the message is handed to the socket (waits for 'drain' on a slow reader). */
  send(msg: SseMessage): Promise<void>;
  end(): void;
  readonly closed: boolean;
}

/**
 * Turns the response into a server-sent event stream: headers out at once, a comment every
 * `heartbeatMs` (so proxies and the client see a live connection, and `onHeartbeat` can run a
 * periodic check), and `onClose` when either side ends it.
 */
export function openSse(req: Request, res: Response, opts: { heartbeatMs: number; retryMs?: number; onHeartbeat?: () => void; onClose: () => void }): Sse {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // nginx and similar proxies would otherwise buffer the stream.
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  let closed = false;
  res.write(`retry: ${opts.retryMs ?? 2000}\n\n`);
  const heartbeat = setInterval(() => {
    if (closed) return;
    res.write(': heartbeat\n\n');
    opts.onHeartbeat?.();
  }, opts.heartbeatMs);
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    opts.onClose();
  };
  res.once('close', close);

  return {
    async send(msg) {
      if (closed) return;
      let text = '';
      if (msg.id !== undefined) text += `id: ${msg.id}\n`;
      if (msg.event !== undefined) text += `event: ${msg.event}\n`;
      for (const line of msg.data.split('\n')) text += `data: ${line}\n`;
      if (!res.write(`${text}\n`)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    },
    end() {
      close();
      res.end();
    },
    get closed() {
      return closed;
    },
  };
}

/**
 * A tenant's events as server-sent events (GET /events/stream; a dashboard's live view can
 * serve the same). First a `ready` message whose id is the starting position, then one message
 * per event: `id` its position, `event` its type, `data` the webhook body. A client that
 * reconnects with Last-Event-ID (or ?last_event_id=) gets exactly the events it missed.
 */
export async function serveEventStream(svc: Services, tenantId: string, q: EventStreamQuery, res: Response): Promise<void> {
  const hub = svc.eventHub;
  if (!hub || hub.isClosed) throw unavailable('The event stream is not available right now; try again shortly', 'event_stream_unavailable');
  const req = res.req;
  const header = req.header('last-event-id');
  const resume = header === undefined ? (q.last_event_id ?? null) : parsePosition(header);
  if (header !== undefined && !resume) throw badRequest('invalid_last_event_id', 'Last-Event-ID must be the id of a message from this stream', 'Last-Event-ID');
  const types = q.types ?? null;
  const feed = await openEventFeed({ db: svc.db, hub, log: svc.log, tenantId, resume, types });
  const sse = openSse(req, res, { heartbeatMs: svc.config.eventStream.heartbeatMs, onHeartbeat: () => feed.poke(), onClose: () => feed.close() });
  await sse.send({ id: feed.start, event: 'ready', data: JSON.stringify({ object: 'event_stream', resume_after: feed.start, types: types ?? ['*'] }) });
  feed.open({
    send: (e) => sse.send({ id: e.id, event: e.body.type, data: JSON.stringify(e.body) }),
    end: () => sse.end(),
  });
}
