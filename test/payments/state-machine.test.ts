import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/core/errors.ts';
import { KIND_TO_HTTP } from '../../src/routing/errors.ts';
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
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe('state');
    expect(KIND_TO_HTTP[(err as DomainError).kind]).toEqual({ status: 409, type: 'state_error' });
    expect((err as DomainError).message).toContain('Payment is failed');
  });

  it('says a move to the state a payment is already in is that, not a contradiction', () => {
    expect(() => assertTransition('success', 'success')).toThrow('Payment is success already (from success it can become partially_refunded, refunded)');
    expect(() => assertTransition('failed', 'failed')).toThrow('Payment is failed already (failed is final)');
  });

  it('lets a refund leave pending once', () => {
    expect(() => assertRefundTransition('pending', 'processed')).not.toThrow();
    expect(() => assertRefundTransition('pending', 'failed')).not.toThrow();
    expect(() => assertRefundTransition('processed', 'failed')).toThrow(/Refund is processed/);
    expect(() => assertRefundTransition('failed', 'processed')).toThrow(DomainError);
  });
});
