/**
 * npm run webhook-receiver -- --port 4000 --secret whsec_...
 *   A local webhook receiver: verifies both signature schemes (each on its own, never one
 *   standing in for the other), prints each event, notices
 *   duplicates (same webhook-id), and can misbehave on purpose so you can watch retries:
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
if (!values.secret) console.warn('No --secret given: signatures are shown but not verified.');
if (values.save) mkdirSync(values.save, { recursive: true });

const seen = new Set<string>();
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    const id = String(req.headers['webhook-id'] ?? '?');
    let type = '?';
    try {
      type = JSON.parse(raw.toString('utf8')).type;
    } catch {
      type = '(not JSON)';
    }
    let verdict = 'unverified';
    if (values.secret) {
      const std = verifyWebhook(raw, req.headers, values.secret, { scheme: 'standard' });
      const simple = verifyWebhook(raw, req.headers, values.secret, { scheme: 'simple' });
      verdict = `standard ${std.valid ? 'OK' : `BAD (${std.reason})`}, simple ${simple.valid ? 'OK' : `BAD (${simple.reason})`}`;
    }
    const duplicate = seen.has(id) ? ' (duplicate webhook-id: dedupe me)' : '';
    seen.add(id);
    if (values.save) {
      const base = path.join(values.save, `${id}-attempt${req.headers['x-sandpay-attempt'] ?? 1}`);
      writeFileSync(`${base}.body.json`, raw);
      writeFileSync(`${base}.headers.json`, JSON.stringify(req.headers, null, 2));
    }
    const fail = Math.random() < failRate;
    const status = fail ? failStatus : 200;
    console.log(`${new Date().toISOString()}  ${type}  ${id}  attempt ${req.headers['x-sandpay-attempt'] ?? '?'}  ${verdict}  -> ${status}${duplicate}`);
    setTimeout(() => {
      res.writeHead(status, fail && values['retry-after'] ? { 'retry-after': values['retry-after'] } : {});
      res.end(fail ? 'failing on purpose' : 'ok');
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
