import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('has working defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe('.sandpay');
    expect(c.rateLimit.tenantMax).toBe(1000);
    expect(c.webhooks.retrySchedule).toEqual([5, 300, 1800, 7200, 18000, 36000]);
    expect(c.webhooks.allowPrivate).toBe(true);
  });

  it('refuses private webhook targets by default only in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).webhooks.allowPrivate).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE: 'true' }).webhooks.allowPrivate).toBe(true);
  });

  it('parses lists and treats empty strings as unset', () => {
    const c = loadConfig({ WEBHOOK_RETRY_SCHEDULE: '1, 1', CORS_ORIGINS: 'http://a.test, http://b.test', PORT: '' });
    expect(c.webhooks.retrySchedule).toEqual([1, 1]);
    expect(c.corsOrigins).toEqual(['http://a.test', 'http://b.test']);
    expect(c.port).toBe(3000);
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: 'none' }).webhooks.retrySchedule).toEqual([]);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['LOG_LEVEL', 'loud'],
    ['ADMIN_TOKEN', 'short'],
    ['WEBHOOK_RETRY_SCHEDULE', '5,soon'],
    ['RATE_LIMIT_TENANT_MAX', '0'],
    ['WEBHOOK_ALLOW_PRIVATE', 'maybe'],
  ])('stops with one line naming %s when it is %j', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(name);
    expect(message).not.toContain('\n');
  });

  it('refuses a job expiry shorter than the webhook timeout', () => {
    expect(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '30000', JOB_EXPIRE_SECONDS: '20' })).toThrow(/JOB_EXPIRE_SECONDS/);
  });
});
