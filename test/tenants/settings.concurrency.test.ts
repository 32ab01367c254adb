import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../support/client.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let t: TestTenant;

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url);
});
afterAll(() => sys?.stop());

const TRIALS = 20;

it('concurrent PATCH /auth/settings of different keys all survive, siblings in one object too', async () => {
  for (let i = 0; i < TRIALS; i++) {
    const origin = `https://shop-${i}.example`;
    // Three patches in flight at once: two touch sibling keys of auto_process, one checkout.
    const answers = await Promise.all([
      t.api.patch('/auth/settings', { checkout: { allowed_origins: [origin] } }),
      t.api.patch('/auth/settings', { auto_process: { delay_ms: 1000 + i } }),
      t.api.patch('/auth/settings', { auto_process: { success_rate: i / TRIALS } }),
    ]);
    for (const res of answers) expect(res.status, res.text).toBe(200);

    const me = await t.api.get('/auth/me');
    expect(me.body.settings, `trial ${i}`).toEqual({
      auto_process: { enabled: false, delay_ms: 1000 + i, success_rate: i / TRIALS },
      checkout: { allowed_origins: [origin] },
      faults: { rate: 0, kinds: ['status'], seed: null },
    });
  }
  // The audit trail tells the same story: each change's `before` is what the previous one left
  // (ids follow commit order: each insert happens while the row lock is held).
  const rows = await sys.sql<{ metadata: { before: unknown; after: unknown } }>(
    `SELECT metadata FROM audit_log WHERE tenant_id = $1 AND action = 'tenant.settings_updated' ORDER BY id`,
    [t.id],
  );
  expect(rows).toHaveLength(TRIALS * 3);
  for (let k = 1; k < rows.length; k++) expect(rows[k]!.metadata.before).toEqual(rows[k - 1]!.metadata.after);
});
