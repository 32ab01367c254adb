import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PaymentObject } from '../payments/schemas.ts';
import type { EventType } from '../events/types.ts';
import { WEBHOOK_FACES } from '../contract/faces.ts';
import { faceOf, NATIVE_FACE, type WebhookFace } from '../webhooks/faces.ts';
import { apiError, CliError, networkReason, type SandpayApi } from './api.ts';
import { readSse } from './sse.ts';
import { matchesTypes } from '../events/stream.ts';

export interface ListenOptions {
  forwardTo: string;
  events?: string | undefined;
  format: string;
  secret?: string | undefined;
  signal: AbortSignal;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

interface StreamedEvent {
  id: string;
  type: string;
  created_at: string;
  data: { object: { id: string; object: string; payment_id?: string | null; [k: string]: unknown } };
}

/**
 * The payment a Razorpay refund or order.paid body carries, fetched now: the current state
 * rather than the state as of the event, which only differs if it moved since.
 */
async function paymentFor(api: SandpayApi, e: StreamedEvent): Promise<PaymentObject | null> {
  const o = e.data.object;
  if (o.object === 'refund' && o.payment_id) return api.get<PaymentObject>(`/payments/${o.payment_id}`);
  if (o.object === 'order') {
    const page = await api.get<{ data: PaymentObject[] }>(`/orders/${o.id}/payments`, { limit: '100' });
    return page.data.find((p) => p.status === 'success' || p.status === 'partially_refunded' || p.status === 'refunded') ?? null;
  }
  return null;
}

/**
 * The body and signature headers of one forwarded event under one of its names, made by the same
 * formatter as a real delivery (the endpoint face's, src/webhooks/faces.ts). Body null: the event
 * has no such body in that face.
 */
function render(face: WebhookFace, secret: string, tenantId: string, event: StreamedEvent, snapshot: PaymentObject | null, name: string, names: readonly string[]) {
  const formatted = face.render({
    secret, tenantId,
    event: { id: event.id, type: event.type as EventType, created_at: new Date(event.created_at), payload: event.data.object },
    name, names, paymentSnapshot: snapshot,
  });
  return { body: formatted?.body ?? null, headers: { ...formatted?.headers, 'x-sandpay-attempt': '1' } };
}

const FORWARD_TIMEOUT_MS = 10_000;
/** The server sends a heartbeat every 15 s by default; this much silence means the connection is dead. */
const STALL_MS = 60_000;
const MAX_BACKOFF_MS = 5000;

export function forwardTarget(raw: string): URL {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // falls through
  }
  throw new CliError(`Invalid --forward-to ${JSON.stringify(raw)}: expected a URL such as http://localhost:4000/hooks`, { exitCode: 2 });
}

/** Stream ids are positions "tx-pos", ordered as pairs of integers. */
function isAfter(a: string, b: string): boolean {
  const [at, ap] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bt, bp] = b.split('-').map(BigInt) as [bigint, bigint];
  return at > bt || (at === bt && ap > bp);
}

/** `--events` in a face's names: each one of its events, `prefix.*` or `*`; null for all of them. */
function facePatterns(face: WebhookFace, events: string | undefined): string[] | null {
  if (events === undefined) return null;
  const patterns = events.split(',').map((p) => p.trim()).filter(Boolean);
  const bad = patterns.find((p) => !face.events.some((name) => matchesTypes([p], name)));
  if (bad !== undefined) throw new CliError(`--events: ${JSON.stringify(bad)} names no ${face.label} event (${face.events.join(', ')})`, { exitCode: 2 });
  return patterns;
}

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

/**
 * `sandpay listen`: follows GET /events/stream and POSTs each event to a local URL, signed with a
 * per-session secret exactly as a delivery is (Standard Webhooks headers and X-Sandpay-Signature).
 * The stream's ids are event positions the server can resume from, so after a network error or
 * a Sandpay restart it reconnects with Last-Event-ID and the server replays exactly what was
 * missed, in order; an id at or below the last one handled is skipped all the same.
 */
export async function listen(api: SandpayApi, opts: ListenOptions): Promise<void> {
  const target = forwardTarget(opts.forwardTo);
  // commander has already refused any other --format.
  const face = faceOf(WEBHOOK_FACES, opts.format);
  const secret = opts.secret ?? `whsec_${randomBytes(24).toString('base64')}`;
  if (!secret.startsWith('whsec_')) throw new CliError('--secret must be a whsec_… secret', { exitCode: 2 });

  let lastId: string | undefined;
  let connected = false;
  let failures = 0;

  // A face's body may name the merchant account (a Razorpay one does): the tenant of this key.
  const tenantId = face === NATIVE_FACE ? '' : (await api.get<{ id: string }>('/auth/me')).id;
  // --events names the face's events (payment_intent.*): picked here, as the stream takes Sandpay's types.
  const faceEvents = face === NATIVE_FACE ? null : facePatterns(face, opts.events);

  /**
   * Forwards an event under each of its names in the face (Stripe's charge.succeeded, then
   * payment_intent.succeeded), as its endpoints would get it. The stream carries the event's
   * object only, so a face's names that need more (what a new payment awaits: Stripe's
   * payment_intent.requires_action and .processing) are not forwarded.
   */
  async function forward(data: string): Promise<void> {
    const event = JSON.parse(data) as StreamedEvent;
    const names = face.eventNames({ type: event.type, object: event.data.object });
    const picked = faceEvents ? names.filter((n) => matchesTypes(faceEvents, n)) : names;
    if (picked.length === 0) {
      if (!faceEvents) opts.out.write(`${clock()}  ${event.type.padEnd(26)} ${event.id}  -- skipped (no ${face.label} event)\n`);
      return;
    }
    const snapshot = face.withPaymentSnapshot ? await paymentFor(api, event) : null;
    for (const name of picked) await forwardAs(event, snapshot, name, names);
  }

  async function forwardAs(event: StreamedEvent, snapshot: PaymentObject | null, name: string, names: readonly string[]): Promise<void> {
    const { body, headers: signed } = render(face, secret, tenantId, event, snapshot, name, names);
    if (body === null) {
      opts.out.write(`${clock()}  ${name.padEnd(26)} ${event.id}  -- skipped (no ${face.label} body)\n`);
      return;
    }
    const headers = { 'content-type': 'application/json', 'user-agent': 'Sandpay-Webhooks/1.0 (sandpay listen)', ...signed };
    const started = performance.now();
    let outcome: string;
    try {
      const res = await fetch(target, {
        method: 'POST', headers, body, redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(FORWARD_TIMEOUT_MS), opts.signal]),
      });
      await res.arrayBuffer();
      outcome = String(res.status);
    } catch (err) {
      if (opts.signal.aborted) return;
      outcome = `error (${networkReason(err)})`;
    }
    const ms = Math.round(performance.now() - started);
    opts.out.write(`${clock()}  ${name.padEnd(26)} ${event.id}  -> ${outcome}  ${ms} ms\n`);
  }

  async function follow(): Promise<void> {
    const conn = new AbortController();
    const stop = () => conn.abort();
    opts.signal.addEventListener('abort', stop, { once: true });
    let lastActivity = Date.now();
    let busy = false;
    const watchdog = setInterval(() => {
      if (!busy && Date.now() - lastActivity > STALL_MS) conn.abort(new CliError(`no data from Sandpay for ${STALL_MS / 1000} s`, { transient: true }));
    }, 5000);
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (lastId !== undefined) headers['last-event-id'] = lastId;
      const res = await api.fetch('GET', '/events/stream', { query: { types: faceEvents ? undefined : opts.events }, headers, signal: conn.signal });
      if (!res.ok) throw apiError(res, await res.text(), 'GET /api/v1/events/stream');
      for await (const msg of readSse(res.body!, () => (lastActivity = Date.now()))) {
        if (msg.id === undefined) continue;
        if (msg.event === 'ready') {
          // The server's starting position: where a reconnect picks up until an event arrives.
          lastId = msg.id;
          failures = 0;
          if (!connected) {
            opts.out.write(`Ready! Your webhook signing secret is ${secret} (^C to quit)\nForwarding events to ${target.href}\n`);
          } else {
            opts.err.write(`Reconnected to Sandpay; resuming after ${msg.id}\n`);
          }
          connected = true;
          continue;
        }
        if (lastId !== undefined && !isAfter(msg.id, lastId)) continue;
        busy = true;
        await forward(msg.data);
        busy = false;
        lastActivity = Date.now();
        lastId = msg.id;
      }
      throw new CliError('Sandpay closed the stream', { transient: true });
    } catch (err) {
      if (conn.signal.reason instanceof CliError) throw conn.signal.reason;
      throw err;
    } finally {
      clearInterval(watchdog);
      opts.signal.removeEventListener('abort', stop);
    }
  }

  while (!opts.signal.aborted) {
    try {
      await follow();
    } catch (err) {
      if (opts.signal.aborted) break;
      // The first connection must work (wrong key, server not running: say so and exit);
      // after that, the server going away is expected (a restart) and we wait for it.
      const reason = err instanceof CliError ? err.message : networkReason(err);
      if (!connected) throw err instanceof CliError ? err : new CliError(`Lost the connection to Sandpay: ${reason}`);
      if (err instanceof CliError && !err.transient) throw err;
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** failures++);
      opts.err.write(`Lost connection to Sandpay (${reason}); reconnecting in ${(delay / 1000).toFixed(1)} s\n`);
      await sleep(delay, undefined, { signal: opts.signal }).catch(() => {});
    }
  }
}
