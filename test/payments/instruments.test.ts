import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/core/errors.ts';
import { luhnValid } from '../../src/core/secret-text.ts';
import { bankBehaviour, cardFingerprint, resolveCard, TEST_CARDS, vpaBehaviour } from '../../src/payments/instruments.ts';

const card = (number: string, extra: Partial<{ exp_month: number; exp_year: number; cvc: string }> = {}) => ({
  number, exp_month: 12, exp_year: 2030, cvc: number.startsWith('37') ? '1234' : '123', ...extra,
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return `${e.code}@${e.param}`;
    throw e;
  }
  return undefined;
}

describe('test instruments', () => {
  it('publishes only Luhn-valid test numbers, with their behaviour', () => {
    for (const c of TEST_CARDS) {
      expect(luhnValid(c.number), c.number).toBe(true);
      expect(resolveCard('ten_x', card(c.number)).behaviour).toBe(c.behaviour);
    }
  });

  it('keeps only brand, bin, last4 and a per-tenant fingerprint of the number', () => {
    const r = resolveCard('ten_a', card('4242 4242 4242 4242'));
    expect(r).toMatchObject({ brand: 'visa', last4: '4242', bin: '424242' });
    expect(JSON.stringify(r)).not.toContain('4242424242424242');
    expect(r.fingerprint).toBe(cardFingerprint('ten_a', '4242424242424242'));
    expect(cardFingerprint('ten_b', '4242424242424242')).not.toBe(r.fingerprint);
  });

  it('refuses numbers failing Luhn, real-looking numbers, bad cvc and past expiry', () => {
    expect(codeOf(() => resolveCard('t', card('4242424242424241')))).toBe('invalid_card_number@card.number');
    expect(codeOf(() => resolveCard('t', card('4111 11')))).toBe('invalid_card_number@card.number');
    expect(codeOf(() => resolveCard('t', card('4111111111111111')))).toBe('unknown_test_card@card.number');
    expect(codeOf(() => resolveCard('t', card('4242424242424242', { cvc: '12' })))).toBe('invalid_cvc@card.cvc');
    expect(codeOf(() => resolveCard('t', card('378282246310005', { cvc: '123' })))).toBe('invalid_cvc@card.cvc');
    const now = new Date('2026-06-15T00:00:00Z');
    expect(codeOf(() => resolveCard('t', card('4242424242424242', { exp_year: 2026, exp_month: 5 }), now))).toBe('invalid_expiry_year@card.exp_year');
    expect(resolveCard('t', card('4242424242424242', { exp_year: 2026, exp_month: 6 }), now).exp_month).toBe(6);
  });

  it('maps magic VPAs and bank codes, case-insensitively for VPAs', () => {
    expect(vpaBehaviour('success@sandpay')).toBe('succeed');
    expect(vpaBehaviour('FAILURE@Sandpay')).toBe('decline');
    expect(vpaBehaviour('pending@sandpay')).toBe('stay_pending');
    expect(vpaBehaviour('delayed@sandpay')).toBe('delayed_success');
    expect(vpaBehaviour('someone@okbank')).toBe('succeed');
    expect(bankBehaviour('FAIL')).toBe('decline');
    expect(bankBehaviour('PEND')).toBe('stay_pending');
    expect(bankBehaviour('SLOW')).toBe('delayed_success');
    expect(bankBehaviour('HDFC')).toBe('succeed');
  });
});
