import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');

/** .env.example as Compose 1.29 reads it: everything after the first `=` is the value. */
function envExample(): Array<{ line: number; key: string; value: string }> {
  return read('.env.example')
    .split('\n')
    .map((text, i) => ({ text, line: i + 1 }))
    .filter(({ text }) => text.trim() !== '' && !text.startsWith('#'))
    .map(({ text, line }) => {
      const eq = text.indexOf('=');
      expect(eq, `.env.example:${line} is not KEY=value: ${text}`).toBeGreaterThan(0);
      return { line, key: text.slice(0, eq), value: text.slice(eq + 1) };
    });
}

describe('.env.example', () => {
  it('has comments on their own lines only (Compose 1.29 would make an inline one the value)', () => {
    for (const { line, key, value } of envExample()) {
      expect(key, `.env.example:${line}`).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(value, `.env.example:${line} ${key} has an inline comment`).not.toMatch(/#/);
      expect(value, `.env.example:${line} ${key} has trailing spaces`).toBe(value.trim());
    }
  });

  it('holds values Sandpay accepts, taken literally', () => {
    const env = Object.fromEntries(envExample().map(({ key, value }) => [key, value]));
    expect(() => loadConfig(env)).not.toThrow();
  });
});

describe('docker-compose.yml', () => {
  const compose = read('docker-compose.yml');

  it('passes every documented setting to the app, and runs it in production mode', () => {
    // The image has no embedded Postgres, so the embedded settings do not apply.
    const notApplicable = new Set(['DATA_DIR', 'EMBEDDED_PG_PORT']);
    for (const { key } of envExample()) {
      if (notApplicable.has(key)) continue;
      expect(compose, `${key} is not passed to the container`).toMatch(new RegExp(`^      ${key}: `, 'm'));
    }
    expect(compose).toMatch(/^ {6}NODE_ENV: production$/m);
    expect(compose).toMatch(/^ {6}WEBHOOK_ALLOW_PRIVATE: \$\{WEBHOOK_ALLOW_PRIVATE:-\}$/m);
  });
});

describe('.dockerignore', () => {
  it('keeps node_modules, local data and secrets out of the build context', () => {
    const patterns = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', '.sandpay', '.env', '.git', 'dist']) expect(patterns).toContain(p);
  });
});
