import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/http/errors.ts';
import { assertRefundTransition, assertTransition, canTransition, PAYMENT_STATUSES, TERMINAL_STATUSES } from '../../src/payments/state-machine.ts';

const LEGAL = new Set([
  'pending>authorized', 'pending>success', 'pending>failed', 'pending>flagged', 'pending>expired',
  'authorized>success', 'authorized>failed', 'authorized>expired',
  'success>partially_refunded', 'success>refunded',
  'partially_refunded>partially_refunded', 'partially_refunded>refunded',
]);

describe('payment state machine', () => {
  it('allows exactly the documented moves', () => {
    for (const from of PAYMENT_STATUSES) {
      for (const to of PAYMENT_STATUSES) {
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(LEGAL.has(`${from}>${to}`));
      }
    }
  });

  it('has failed, flagged, expired and refunded as the terminal states', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(['expired', 'failed', 'flagged', 'refunded']);
  });

  it('rejects an illegal move with 409 state_error naming the current state', () => {
    let err: unknown;
    try {
      assertTransition('failed', 'success');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(409);
    expect((err as ApiError).type).toBe('state_error');
    expect((err as ApiError).message).toContain('Payment is failed');
  });

  it('lets a refund leave pending once', () => {
    expect(() => assertRefundTransition('pending', 'processed')).not.toThrow();
    expect(() => assertRefundTransition('pending', 'failed')).not.toThrow();
    expect(() => assertRefundTransition('processed', 'failed')).toThrow(/Refund is processed/);
    expect(() => assertRefundTransition('failed', 'processed')).toThrow(ApiError);
  });
});
