/**
 * npm run webhook-receiver -- --port 4000 --secret whsec_... [--format sandpay|razorpay|stripe]
 *   A local webhook receiver: verifies the signature of its format (Sandpay's: both schemes, each
 *   on its own, never one standing in for the other, and it takes a delivery on the Standard
 *   Webhooks one, which binds the time; Razorpay's with Razorpay.validateWebhookSignature;
 *   Stripe's with stripe.webhooks.constructEvent) and refuses with 400 what does not verify,
 *   prints each event, notices duplicates (same event id), answers 200 to event types it does
 *   not know, and can misbehave on purpose so you can watch retries:
 *     --fail-rate 0.5   answer --status (default 500) to half of the deliveries
 *     --status 503      the failure status (410 disables the endpoint in Sandpay)
 *     --retry-after 10  send Retry-After with failures
 *     --delay 3000      wait before answering (beyond WEBHOOK_TIMEOUT_MS counts as a timeout)
 *     --save ./captures write each body and its headers, for `npm run verify-webhook`
 *   --port 0 picks a free port (printed). Stops on SIGINT, SIGTERM, SIGHUP, or when its parent exits.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifyWebhook } from '../src/webhooks/verify.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4000' },
    host: { type: 'string', default: '127.0.0.1' },
    secret: { type: 'string' },
    format: { type: 'string', default: 'sandpay' },
    'fail-rate': { type: 'string', default: '0' },
    status: { type: 'string', default: '500' },
    'retry-after': { type: 'string' },
    delay: { type: 'string', default: '0' },
    save: { type: 'string' },
  },
});
const failRate = Number(values['fail-rate']);
const failStatus = Number(values.status);
const delay = Number(values.delay);
if (!(failRate >= 0 && failRate <= 1) || !(failStatus >= 100 && failStatus <= 599) || !(delay >= 0)) {
  console.error('--fail-rate must be 0..1, --status an HTTP status, --delay milliseconds');
  process.exit(2);
}
const format = values.format === 'native' ? 'sandpay' : values.format;
if (format !== 'sandpay' && format !== 'razorpay' && format !== 'stripe') {
  console.error('--format must be sandpay (or native), razorpay or stripe');
  process.exit(2);
}
if (!values.secret) console.warn('No --secret given: signatures are shown but not verified, and every delivery is taken (forged ones too).');
if (values.save) mkdirSync(values.save, { recursive: true });

type Headers = Record<string, string | string[] | undefined>;
const header = (h: Headers, name: string) => String(h[name] ?? '');
// The gateways' SDKs (devDependencies) verify their formats, loaded only for them.
const Razorpay = format === 'razorpay' ? (await import('razorpay')).default : null;
const stripe = format === 'stripe' ? new (await import('stripe')).default('sk_test_webhook_receiver') : null;

/** The event's id and type, and whether its signature verified (null: no secret to verify with), in this receiver's format. */
function read(raw: Buffer, headers: Headers, secret: string | undefined): { id: string; type: string; verdict: string; valid: boolean | null } {
  let body: { id?: string; type?: string; event?: string } = {};
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    body = { type: '(not JSON)' };
  }
  if (format === 'razorpay') {
    const id = header(headers, 'x-razorpay-event-id') || '?';
    if (!secret) return { id, type: body.event ?? '?', verdict: 'unverified', valid: null };
    let ok = false;
    try {
      ok = Razorpay!.validateWebhookSignature(raw.toString('utf8'), header(headers, 'x-razorpay-signature'), secret);
    } catch {
      ok = false; // the SDK throws on a missing signature
    }
    return { id, type: body.event ?? '?', verdict: `X-Razorpay-Signature ${ok ? 'OK' : 'BAD'}`, valid: ok };
  }
  if (format === 'stripe') {
    const id = body.id ?? '?';
    if (!secret) return { id, type: body.type ?? '?', verdict: 'unverified', valid: null };
    try {
      stripe!.webhooks.constructEvent(raw, header(headers, 'stripe-signature'), secret);
      return { id, type: body.type ?? '?', verdict: 'Stripe-Signature OK', valid: true };
    } catch (err) {
      return { id, type: body.type ?? '?', verdict: `Stripe-Signature BAD (${(err as Error).message.split('\n')[0]})`, valid: false };
    }
  }
  const id = header(headers, 'webhook-id') || '?';
  if (!secret) return { id, type: body.type ?? '?', verdict: 'unverified', valid: null };
  const std = verifyWebhook(raw, headers, secret, { scheme: 'standard' });
  const simple = verifyWebhook(raw, headers, secret, { scheme: 'simple' });
  // Taken on the standard scheme: the simple one signs the body alone, so it cannot tell a replayed old delivery.
  return { id, type: body.type ?? '?', verdict: `standard ${std.valid ? 'OK' : `BAD (${std.reason})`}, simple ${simple.valid ? 'OK' : `BAD (${simple.reason})`}`, valid: std.valid };
}

const seen = new Set<string>();
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    const { id, type, verdict, valid } = read(raw, req.headers, values.secret);
    // Only a verified delivery counts as seen: a forged one must not make the real one look like a duplicate.
    const duplicate = valid !== false && seen.has(id) ? ` (duplicate ${format === 'sandpay' ? 'webhook-id' : 'event id'}: dedupe me)` : '';
    if (valid !== false) seen.add(id);
    if (values.save) {
      const base = path.join(values.save, `${id}-attempt${req.headers['x-sandpay-attempt'] ?? 1}`);
      writeFileSync(`${base}.body.json`, raw);
      writeFileSync(`${base}.headers.json`, JSON.stringify(req.headers, null, 2));
    }
    const fail = valid !== false && Math.random() < failRate;
    const status = valid === false ? 400 : fail ? failStatus : 200;
    console.log(`${new Date().toISOString()}  ${type}  ${id}  attempt ${req.headers['x-sandpay-attempt'] ?? '?'}  ${verdict}  -> ${status}${duplicate}`);
    setTimeout(() => {
      res.writeHead(status, fail && values['retry-after'] ? { 'retry-after': values['retry-after'] } : {});
      res.end(valid === false ? 'signature does not verify' : fail ? 'failing on purpose' : 'ok');
    }, delay);
  });
});
server.listen(Number(values.port), values.host, () => {
  const { port } = server.address() as AddressInfo;
  console.log(`Receiving webhooks on http://${values.host}:${port}/ (pid ${process.pid}; Ctrl-C to stop)`);
});

let stopping = false;
function stop(why: string): void {
  if (stopping) return;
  stopping = true;
  console.log(`Stopping (${why}).`);
  server.close(() => process.exit(0));
  // Keep-alive connections from Sandpay's delivery agent would hold close() open.
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));

/*
 * `npm run` starts this under a shell; when npm is killed the shell may die without passing the
 * signal on, leaving this process adopted by init and still holding the port. So it also stops
 * when its parent changes. (stdin closing is no signal: it is /dev/null under many supervisors.)
 */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop('parent process exited');
}, 500).unref();
