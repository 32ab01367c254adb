import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** checkout.js's Razorpay mode (a browser script), run against a stand-in for the generic Sandpay it extends. */
function razorpayMode(): Record<string, (...a: any[]) => any> {
  const source = readFileSync(path.join(import.meta.dirname, '../../../src/faces/razorpay/public/checkout.js'), 'utf8');
  const window: any = { Sandpay: { modes: [] } };
  new Function('window', source)(window);
  expect(window.Razorpay).toBe(window.Sandpay);
  return window.Sandpay.modes[0];
}

describe("checkout.js's Razorpay mode", () => {
  it('sends save_card with the customer only for customer_id with save 1/true/"1"', () => {
    const mode = razorpayMode();
    for (const save of [1, true, '1']) expect(mode.sessionFields!({ customer_id: 'cust_A', save })).toEqual({ save_card: { customer_id: 'cust_A' } });
    for (const o of [{ customer_id: 'cust_A' }, { customer_id: 'cust_A', save: 0 }, { save: 1 }, {}]) expect(mode.sessionFields!(o)).toEqual({});
  });
});
