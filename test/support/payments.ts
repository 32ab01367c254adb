import { expect } from 'vitest';
import { idemKey, type ApiResponse, type Client } from './client.ts';

export const CARDS = {
  visa: '4242424242424242',
  mastercard: '5555555555554444',
  amex: '378282246310005',
  rupay: '6521000000000007',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  expired: '4000000000000069',
  incorrectCvc: '4000000000000127',
  processingError: '4000000000000119',
  delayed: '4000000000003220',
  stayPending: '4000000000000077',
  fraud: '4100000000000019',
};

export function cardBody(number = CARDS.visa, extra: Record<string, unknown> = {}) {
  return {
    amount: 5000,
    currency: 'INR',
    method: 'card',
    card: { number, exp_month: 12, exp_year: 2030, cvc: number.startsWith('37') ? '1234' : '123' },
    ...extra,
  };
}

/** POST /payments with a fresh Idempotency-Key; asserts 201 and returns the payment. */
export async function createPayment(api: Client, body: Record<string, unknown> = cardBody()): Promise<any> {
  const res = await api.post('/payments', body, { idem: idemKey() });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

/** Polls until `check` passes (for job-driven changes), failing with the last response. */
export async function eventually<T>(fn: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await fn();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  } while (Date.now() < deadline);
  throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last!).slice(0, 800)}`);
}

export const statusOf = (api: Client, id: string): Promise<ApiResponse> => api.get(`/payments/${id}`);
