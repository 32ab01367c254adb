import { describe, expect, it } from 'vitest';
import { planCreation, settle } from '../../src/payments/outcome.ts';
import { DEFAULT_SETTINGS } from '../../src/tenants/tenants.ts';

const auto = { method: 'card', capture: 'automatic' as const, amount: 500 };
const manual = { ...auto, capture: 'manual' as const };
const asyncMode = { ...DEFAULT_SETTINGS, auto_process: { enabled: true, delay_ms: 250, success_rate: 0.5 } };

describe('outcome planning', () => {
  it('settles succeeding instruments to success (captured) or authorized (manual capture)', () => {
    expect(settle('succeed', auto)).toEqual({ status: 'success', changes: { amountCaptured: 500 } });
    expect(settle('succeed', manual)).toEqual({ status: 'authorized', changes: {} });
  });

  it('maps declines to method-specific failure codes', () => {
    expect(settle('decline', auto).changes.failure?.code).toBe('card_declined');
    expect(settle('decline', { ...auto, method: 'upi' }).changes.failure?.code).toBe('upi_declined');
    expect(settle('decline', { ...auto, method: 'netbanking' }).changes.failure?.code).toBe('bank_declined');
    expect(settle('insufficient_funds', auto).changes.failure?.code).toBe('insufficient_funds');
  });

  it('applies the success rate only to instruments that would succeed', () => {
    expect(settle('succeed', auto, 0.5, () => 0.49).status).toBe('success');
    expect(settle('succeed', auto, 0.5, () => 0.5).changes.failure?.code).toBe('payment_declined');
    expect(settle('decline', auto, 1, () => 0).changes.failure?.code).toBe('card_declined');
  });

  it('lets a fraud rule win over the instrument', () => {
    const block = planCreation('succeed', auto, { action: 'block', ruleId: 'fr_1', reason: 'r' }, DEFAULT_SETTINGS);
    expect(block).toMatchObject({ kind: 'settle', settlement: { status: 'failed', changes: { failure: { code: 'fraud_blocked' } } } });
    const flag = planCreation('succeed', auto, { action: 'flag', ruleId: 'fr_1', reason: 'r' }, DEFAULT_SETTINGS);
    expect(flag).toMatchObject({ kind: 'settle', settlement: { status: 'flagged' } });
  });

  it('defers to a job in async mode and for delayed instruments, and never for stay_pending', () => {
    expect(planCreation('succeed', auto, null, asyncMode)).toEqual({ kind: 'pending', processAfterMs: 250 });
    expect(planCreation('delayed_success', auto, null, DEFAULT_SETTINGS)).toEqual({ kind: 'pending', processAfterMs: 3000 });
    expect(planCreation('stay_pending', auto, null, asyncMode)).toEqual({ kind: 'pending', processAfterMs: null });
    expect(planCreation('fraud', auto, null, DEFAULT_SETTINGS)).toMatchObject({ kind: 'settle', settlement: { status: 'flagged' } });
  });
});
