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

  it('names a bad DATABASE_URL without echoing it (it may hold a password)', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://app:hunter2secret@db/app' })).toThrow(/^Invalid configuration: DATABASE_URL must be a postgres:\/\/ connection string$/);
  });

  it.each(['0123456789abcdef # the operator token', 'abcdefgh ijklmnopq', 'abcdefghijklmnop\t', 'abcdefghijklmnop#x'])(
    'refuses an ADMIN_TOKEN with whitespace or # (%j) in one line that names it and hides the value',
    (token) => {
      let error: unknown;
      try {
        loadConfig({ ADMIN_TOKEN: token });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toMatch(/^Invalid configuration: ADMIN_TOKEN must not contain whitespace or '#'/);
      expect(message).not.toContain('\n');
      expect(message).not.toContain(token.trim());
    },
  );

  describe('HOST outside production', () => {
    it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST'])('accepts loopback %s', (host) => {
      expect(loadConfig({ HOST: host }).host).toBe(host);
    });

    it.each(['0.0.0.0', '::', '192.168.1.20', 'my-laptop.local', '10.0.0.1'])('refuses %s in development and test, naming HOST and the way out', (host) => {
      for (const NODE_ENV of ['development', 'test', undefined]) {
        let error: unknown;
        try {
          loadConfig({ HOST: host, NODE_ENV });
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const message = (error as Error).message;
        expect(message).toMatch(/^Invalid configuration: HOST /);
        expect(message).toContain('NODE_ENV=production');
        expect(message).toContain('WEBHOOK_ALLOW_PRIVATE');
        expect(message).not.toContain('\n');
      }
    });

    it('accepts any HOST in production, or once WEBHOOK_ALLOW_PRIVATE is set explicitly', () => {
      expect(loadConfig({ HOST: '0.0.0.0', NODE_ENV: 'production' }).webhooks.allowPrivate).toBe(false);
      expect(loadConfig({ HOST: '0.0.0.0', WEBHOOK_ALLOW_PRIVATE: 'true' }).webhooks.allowPrivate).toBe(true);
      expect(loadConfig({ HOST: '0.0.0.0', WEBHOOK_ALLOW_PRIVATE: 'false' }).webhooks.allowPrivate).toBe(false);
      // Empty means unset, so it is not an explicit choice.
      expect(() => loadConfig({ HOST: '0.0.0.0', WEBHOOK_ALLOW_PRIVATE: '' })).toThrow(ConfigError);
    });
  });

  it('refuses a job expiry shorter than the webhook timeout', () => {
    expect(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '30000', JOB_EXPIRE_SECONDS: '20' })).toThrow(/JOB_EXPIRE_SECONDS/);
  });
});
