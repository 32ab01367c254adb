import { describe, expect, it } from 'vitest';
import { decide } from '../../src/webhooks/deliver.ts';
import { parseRetryAfter } from '../../src/webhooks/http.ts';
import { assertUrlAllowed, isPrivateAddress } from '../../src/webhooks/ssrf.ts';

const config = { timeoutMs: 1000, retrySchedule: [5, 300], allowPrivate: true, concurrency: 1, maxRetryAfterSeconds: 3600 };

describe('delivery decisions', () => {
  it('2xx delivers; other answers retry on the schedule, then die', () => {
    expect(decide({ statusCode: 204, retryAfterSec: null }, 1, 'endpoint', config)).toEqual({ status: 'delivered' });
    expect(decide({ statusCode: 500, retryAfterSec: null }, 1, 'endpoint', config)).toEqual({ status: 'failed', retryInSec: 5 });
    expect(decide({ statusCode: null, retryAfterSec: null }, 2, 'endpoint', config)).toEqual({ status: 'failed', retryInSec: 300 });
    expect(decide({ statusCode: 302, retryAfterSec: null }, 3, 'endpoint', config)).toEqual({ status: 'dead', disableEndpoint: false });
  });

  it("honours a receiver's Retry-After, capped", () => {
    expect(decide({ statusCode: 429, retryAfterSec: 60 }, 1, 'endpoint', config)).toEqual({ status: 'failed', retryInSec: 60 });
    expect(decide({ statusCode: 503, retryAfterSec: 2 }, 2, 'endpoint', config)).toEqual({ status: 'failed', retryInSec: 300 });
    expect(decide({ statusCode: 503, retryAfterSec: 999_999 }, 1, 'endpoint', config)).toEqual({ status: 'failed', retryInSec: 3600 });
  });

  it('410 Gone kills the delivery and disables an endpoint (not a payment webhook_url)', () => {
    expect(decide({ statusCode: 410, retryAfterSec: null }, 1, 'endpoint', config)).toEqual({ status: 'dead', disableEndpoint: true });
    expect(decide({ statusCode: 410, retryAfterSec: null }, 1, 'payment_url', config)).toEqual({ status: 'failed', retryInSec: 5 });
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('120')).toBe(120);
    expect(parseRetryAfter(new Date(Date.now() + 30_000).toUTCString())).toBeGreaterThanOrEqual(29);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });
});

describe('SSRF guard', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '224.0.0.1'])(
    '%s is private', (ip) => expect(isPrivateAddress(ip)).toBe(true),
  );
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (ip) => expect(isPrivateAddress(ip)).toBe(false));

  it('refuses private targets only when asked, and non-http schemes always', async () => {
    await expect(assertUrlAllowed('http://127.0.0.1:4000/hook', true)).resolves.toBeUndefined();
    await expect(assertUrlAllowed('http://127.0.0.1:4000/hook', false)).rejects.toThrow(/private/);
    await expect(assertUrlAllowed('http://localhost:4000/hook', false)).rejects.toThrow(/private/);
    await expect(assertUrlAllowed('http://[::1]/hook', false)).rejects.toThrow(/private/);
    await expect(assertUrlAllowed('http://169.254.169.254/latest/meta-data', false)).rejects.toThrow(/private/);
    await expect(assertUrlAllowed('https://93.184.216.34/hook', false)).resolves.toBeUndefined();
    await expect(assertUrlAllowed('ftp://example.com', true)).rejects.toThrow(/http/);
    await expect(assertUrlAllowed('http://user:pw@example.com', true)).rejects.toThrow(/credentials/);
  });
});
