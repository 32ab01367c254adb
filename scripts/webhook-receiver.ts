/**
 * npm run webhook-receiver -- --port 4000 --secret whsec_...
 *   A local webhook receiver: verifies both signature schemes, prints each event, notices
 *   duplicates (same webhook-id), and can misbehave on purpose so you can watch retries:
 *     --fail-rate 0.5   answer --status (default 500) to half of the deliveries
 *     --status 503      the failure status (410 disables the endpoint in Sandpay)
 *     --retry-after 10  send Retry-After with failures
 *     --delay 3000      wait before answering (beyond WEBHOOK_TIMEOUT_MS counts as a timeout)
 *     --save ./captures write each body and its headers, for `npm run verify-webhook`
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
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
      const std = verifyWebhook(raw, req.headers, values.secret);
      const { 'webhook-signature': _s, ...rest } = req.headers;
      const simple = verifyWebhook(raw, rest, values.secret);
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
  console.log(`Receiving webhooks on http://${values.host}:${values.port}/ (Ctrl-C to stop)`);
});
process.on('SIGINT', () => server.close(() => process.exit(0)));
