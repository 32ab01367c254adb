import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOffset } from '../../src/cli/clock.ts';
import { registerTenant } from '../support/client.ts';
import { runCli } from '../support/cli.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(() => sys?.stop());

describe('sandpay clock', () => {
  it('describes an offset in days, hours, minutes and seconds (pure)', () => {
    expect(describeOffset(0)).toBe('real time');
    expect(describeOffset(7 * 86_400 + 3600 + 5)).toBe('7d 1h 5s ahead of real time');
  });

  it('shows the clock, advances it by 7d and waits until ready, refuses a backward time, resets only a fresh tenant', async () => {
    const t = await registerTenant(sys.url);
    const env = { SANDPAY_URL: sys.url, SANDPAY_API_KEY: t.sk };
    const shown = await runCli(['clock'], env);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}ready {2}real time\n$/);

    const advanced = await runCli(['clock', 'advance', '7d'], env);
    expect(advanced.code, advanced.stderr).toBe(0);
    expect(advanced.stdout).toMatch(/^Advancing to \S+…\n\S+ {2}ready {2}(6d 23h 59m \d+s|7d) ahead of real time\n$/);
    expect((await t.api.get('/test-clock')).body.offset_seconds).toBeGreaterThan(7 * 86_400 - 60);
    expect((await t.api.get('/events?type=test_clock.ready')).body.data).toHaveLength(1);

    const back = await runCli(['clock', 'advance', '2000-01-01T00:00:00Z'], env);
    expect(back.code).not.toBe(0);
    expect(back.stderr).toMatch(/clock_backward: Invalid to: the clock only moves forward/);

    const reset = await runCli(['clock', 'reset'], env);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/ready {2}real time\n$/);
  });
});
