import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant } from '../support/client.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem({ SANDPAY_ROLE: 'api' });
});
afterAll(() => sys?.stop());

const activeKeys = (tenantId: string) =>
  sys.sql<{ type: string; n: number }>(
    `SELECT type, count(*)::int AS n FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL GROUP BY type ORDER BY type`,
    [tenantId],
  );

describe('POST /auth/keys/rotate under concurrency', () => {
  it.each(['secret', 'publishable'] as const)('ten concurrent %s rotations leave exactly one active key of each type', async (type) => {
    const t = await registerTenant(sys.url);
    const answers = await Promise.all(Array.from({ length: 10 }, () => t.api.post('/auth/keys/rotate', { type })));
    // Requests authenticated after the first rotation committed may find the old secret key revoked.
    for (const a of answers) expect([200, 401], a.text).toContain(a.status);
    const issued = answers.filter((a) => a.status === 200);
    expect(issued.length).toBeGreaterThan(0);

    expect(await activeKeys(t.id)).toEqual([
      { type: 'publishable', n: 1 },
      { type: 'secret', n: 1 },
    ]);
    // The key that remains is one of those issued, and the audit trail records every rotation.
    const [remaining] = await sys.sql<{ last4: string }>(`SELECT last4 FROM api_keys WHERE tenant_id = $1 AND type = $2 AND revoked_at IS NULL`, [t.id, type]);
    expect(issued.map((a) => (a.body.secret_key ?? a.body.publishable_key).slice(-4))).toContain(remaining!.last4);
    const rotations = await sys.sql(`SELECT 1 FROM audit_log WHERE tenant_id = $1 AND action = 'api_key.rotated'`, [t.id]);
    expect(rotations).toHaveLength(issued.length);
  });
});
